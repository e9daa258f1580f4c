"""Program rules as data: desil ranges (Kepmensos 79/HUK/2025) and amounts per distribution."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Program:
    """A bansos program: who qualifies by desil and what one distribution is worth."""

    code: str
    name: str
    desil_min: int
    desil_max: int
    amount: int | None  # rupiah per distribution; None where nothing is paid out (PBI-JKN)
    kind: str  # "cash", "voucher" or "insurance"
    effective_from: date


# Effective dates mark when the rule started; later work moves this table into the database.
PROGRAMS = (
    Program("PKH", "Program Keluarga Harapan (PKH)", 1, 4, None, "cash", date(2025, 4, 1)),
    Program("SEMBAKO", "Sembako / BPNT", 1, 5, 200_000, "voucher", date(2025, 4, 1)),
    Program("LPG", "Subsidi LPG 3 kg", 1, 5, 60_000, "voucher", date(2025, 4, 1)),
    Program("LISTRIK", "Subsidi listrik", 1, 5, 50_000, "voucher", date(2025, 4, 1)),
    Program("PBI", "PBI-JKN (BPJS Kesehatan)", 1, 5, None, "insurance", date(2025, 4, 1)),
)

# PKH components, rupiah per year, paid in four quarterly stages (tahap).
PKH_COMPONENTS = {
    "pregnant": 3_000_000,
    "child_0_6": 3_000_000,
    "SD": 900_000,
    "SMP": 1_500_000,
    "SMA": 2_000_000,
    "disability": 2_400_000,
    "elderly": 2_400_000,
}
PKH_ELDERLY_AGE = 60
# Month in which each quarterly stage is paid out.
PKH_STAGE_MONTHS = (1, 4, 7, 10)
