"""Explain, per program, what a household receives and why, in plain language."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from .programs import (
    PKH_COMPONENTS,
    PKH_ELDERLY_AGE,
    PKH_STAGE_MONTHS,
    PROGRAMS,
    Program,
)


@dataclass
class ProgramLine:
    """One program's answer for a household: state, plain-language reason, amount."""

    program: Program
    # eligible until vouchers or payments are recorded for the household (later: receiving);
    # not_eligible, graduated, blocked, inactive otherwise.
    state: str
    reason: str
    amount: int | None = None
    components: list = field(default_factory=list)


@dataclass
class PkhStage:
    """The next quarterly PKH cash stage."""

    number: int
    year: int
    month: int
    amount: int


def age_on(born: date, today: date) -> int:
    """Return a person's age in whole years on `today`."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def pkh_components(household, today: date) -> list[tuple[str, str, int]]:
    """Return (component, member name, yearly rupiah) for each living member who counts."""
    found = []
    for person in household.members:
        if person.deceased_date:
            continue
        age = age_on(person.birth_date, today)
        if person.pregnant:
            found.append(("pregnant", person.name, PKH_COMPONENTS["pregnant"]))
        if age <= 6:
            found.append(("child_0_6", person.name, PKH_COMPONENTS["child_0_6"]))
        if person.school_level in ("SD", "SMP", "SMA"):
            found.append((person.school_level, person.name, PKH_COMPONENTS[person.school_level]))
        if person.severe_disability:
            found.append(("disability", person.name, PKH_COMPONENTS["disability"]))
        if age >= PKH_ELDERLY_AGE:
            found.append(("elderly", person.name, PKH_COMPONENTS["elderly"]))
    return found


def next_pkh_stage(yearly: int, today: date) -> PkhStage:
    """Return the next quarterly stage after today, worth a quarter of the yearly total."""
    for number, month in enumerate(PKH_STAGE_MONTHS, start=1):
        if month > today.month:
            return PkhStage(number, today.year, month, yearly // 4)
    return PkhStage(1, today.year + 1, PKH_STAGE_MONTHS[0], yearly // 4)


def _status_line(program: Program, household) -> ProgramLine | None:
    """A blocked, graduated or inactive household gets the same short answer everywhere.

    The reason and what to do are shown once, in the household's status banner.
    """
    reasons = {
        "blocked": _l("Tidak menerima selama status keluarga diblokir."),
        "graduated": _l("Tidak menerima: keluarga dinyatakan mampu."),
        "inactive": _l("Tidak menerima selama data keluarga tidak aktif."),
    }
    if household.status in reasons:
        return ProgramLine(program, household.status, reasons[household.status])
    return None


def explain_programs(household, today: date | None = None) -> list[ProgramLine]:
    """Return one plain-language line per program for the household."""
    today = today or date.today()
    lines = []
    for program in PROGRAMS:
        line = _status_line(program, household)
        if line is None and not program.desil_min <= household.desil <= program.desil_max:
            line = ProgramLine(
                program,
                "not_eligible",
                _l(
                    "Program ini untuk desil %(lo)d–%(hi)d; keluarga Anda desil %(d)d.",
                    lo=program.desil_min,
                    hi=program.desil_max,
                    d=household.desil,
                ),
            )
        if line is None and program.code == "PKH":
            comps = pkh_components(household, today)
            if not comps:
                line = ProgramLine(
                    program,
                    "not_eligible",
                    _l(
                        "Tidak ada anggota keluarga dengan komponen PKH (ibu hamil, anak usia "
                        "dini, anak sekolah, disabilitas berat, lansia)."
                    ),
                )
            else:
                yearly = sum(c[2] for c in comps)
                line = ProgramLine(
                    program,
                    "eligible",
                    _l("Memenuhi syarat bantuan tunai PKH."),
                    amount=yearly,
                    components=comps,
                )
        if line is None:
            reason = {
                "voucher": _l("Memenuhi syarat e-voucher; diterbitkan Dinas Sosial per periode."),
                "insurance": _l(
                    "Memenuhi syarat: iuran BPJS Kesehatan dapat ditanggung pemerintah."
                ),
            }[program.kind]
            line = ProgramLine(program, "eligible", reason, amount=program.amount)
        lines.append(line)
    return lines
