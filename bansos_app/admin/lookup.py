"""Read what an operator typed to find a household: a full KK or NIK, or part of a name."""

from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..registry.identity import check_kk
from ..registry.models import Household
from .services import LOOKUP_LIMIT, find_households_by_name, find_households_by_number

MAX_QUERY = 60
MIN_NAME = 3
# Besides letters, names on family cards carry spaces and these marks (Ni Luh, Ma'ruf, M. Ali).
NAME_MARKS = set(" .,'’-")


@dataclass
class LookupResult:
    """Households found (at most LOOKUP_LIMIT), or one message saying why none are shown."""

    households: list[Household] = field(default_factory=list)
    error: str | None = None
    more: bool = False  # more matched than are shown: type more of the name


def lookup_households(user, raw: str | None) -> LookupResult:
    """Find households in the user's villages: exact KK or NIK, else part of a member's name."""
    text = " ".join((raw or "").split())
    if not text:
        return LookupResult(error=_("Ketik nomor KK, NIK, atau sebagian nama."))
    if len(text) > MAX_QUERY:
        return LookupResult(error=_("Pencarian paling banyak %(n)d huruf.", n=MAX_QUERY))
    if any(c.isdigit() for c in text):
        return _by_number(user, text.replace(" ", ""))
    if not all(c.isalpha() or c in NAME_MARKS for c in text):
        return LookupResult(
            error=_(
                "Nama hanya boleh berisi huruf, spasi, titik, koma, tanda petik dan tanda hubung."
            )
        )
    if sum(c.isalpha() for c in text) < MIN_NAME:
        return LookupResult(error=_("Ketik paling sedikit %(n)d huruf nama.", n=MIN_NAME))
    found = find_households_by_name(user, text)
    if not found:
        return LookupResult(error=_("Tidak ada anggota keluarga dengan nama itu di desa Anda."))
    return LookupResult(households=found[:LOOKUP_LIMIT], more=len(found) > LOOKUP_LIMIT)


def _by_number(user, number: str) -> LookupResult:
    """A full KK or NIK matches exactly; anything shorter or odder gets the number's message."""
    checked = check_kk(number)
    # Only the shape counts here: a NIK is no valid KK, but both are 16 digits.
    if {"empty", "digits", "length"} & set(checked.codes):
        return LookupResult(error=str(checked.errors[0]))
    found = find_households_by_number(user, number)
    if found:
        return LookupResult(households=found[:LOOKUP_LIMIT])
    # Outside the scope reads the same as unknown: operators see only their villages.
    if checked.ok:
        return LookupResult(error=_("Nomor KK tidak ditemukan di desa Anda."))
    return LookupResult(error=_("NIK atau nomor KK tidak ditemukan di desa Anda."))
