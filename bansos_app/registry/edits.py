"""Edits a village makes to its own registry: address, status, a member's facts, a death.

Each takes the acting user and a required reason, checks the village scope, writes its audit
event and re-evaluates the household in the same transaction, then commits once. Desil is
not changed here: it comes from imports and usul-sanggah decisions.
"""

from datetime import date

from flask_babel import lazy_gettext as _l

from ..audit.services import record
from ..auth.access import require_village
from ..eligibility.evaluation import evaluate_household, local_today
from ..eligibility.services import age_on
from ..extensions import db
from ..models_base import utcnow
from ..vouchers.voiding import void_unspent
from .models import RELATIONS, SCHOOL_LEVELS, Household, Person

# School levels are accepted for ages 5 to 21: a child may start SD at 5, and pupils who
# started late or repeated years finish SMA by 21. Older or younger is a typing mistake.
SCHOOL_AGES = (5, 21)
# Pregnancy is refused for men and for girls under 10; no upper bound (records differ).
PREGNANCY_MIN_AGE = 10
DEATH_SOURCES = (
    "Surat kematian desa",
    "Laporan keluarga",
    "Laporan RT/RW",
    "Fasilitas kesehatan",
)


class EditRefused(Exception):
    """An edit refused with a message for one field; nothing was changed."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise EditRefused("reason", _l("Tulis alasan perubahan."))
    return reason


def change_address(actor, household: Household, address: str, reason: str) -> Household:
    """Change the household's address, with a reason; audited and re-evaluated."""
    require_village(actor, household.village_code)
    reason = _reason(reason)
    address = " ".join((address or "").split())
    if not address:
        raise EditRefused("address", _l("Isi alamat."))
    if address == household.address:
        raise EditRefused("address", _l("Alamat ini sama dengan yang tercatat."))
    old, household.address = household.address, address
    record(actor, "registry.address_changed", household, old=old, new=address, reason=reason)
    evaluate_household(household, actor)
    db.session.commit()
    return household


# What staff may set here: block, unblock (back to active) or inactive. Graduation comes
# from the desil (imports), not from a click.
STATUS_CHOICES = ("active", "blocked", "inactive")
# These statuses stop the household's vouchers: its unspent ones are voided at once.
VOIDING_STATUSES = ("blocked", "inactive")


def change_status(
    actor, household: Household, status: str, reason: str, commit: bool = True
) -> Household:
    """Block, unblock or inactivate a household, with a reason; its unspent vouchers go void.

    commit=False leaves the transaction open (an approved Reaktivasi unblocks as it decides).
    """
    require_village(actor, household.village_code)
    reason = _reason(reason)
    if len(reason) > 300:
        raise EditRefused("reason", _l("Alasan paling banyak 300 huruf."))
    if status not in STATUS_CHOICES:
        raise EditRefused("status", _l("Status tidak dikenal."))
    if status == household.status:
        raise EditRefused("status", _l("Keluarga ini sudah berstatus itu."))
    if household.status == "graduated" and status == "active":
        # Graduation follows the desil (a new assessment), not a click on this page.
        raise EditRefused(
            "status",
            _l("Keluarga ini sudah graduasi (mampu); statusnya kembali lewat pemeringkatan ulang."),
        )
    old = household.status
    household.status, household.status_reason = status, reason
    household.status_changed_at = utcnow()
    voided = void_unspent(actor, household.id, reason) if status in VOIDING_STATUSES else 0
    record(
        actor,
        "registry.status_changed",
        household,
        old=old,
        new=status,
        reason=reason,
        vouchers_voided=voided,
    )
    evaluate_household(household, actor)
    if commit:
        db.session.commit()
    return household


def _living_member(actor, person: Person) -> None:
    require_village(actor, person.household.village_code)
    if person.deceased_date:
        raise EditRefused("reason", _l("Anggota ini sudah tercatat meninggal."))


def change_member(
    actor,
    person: Person,
    reason: str,
    school_level: str | None,
    pregnant: bool,
    severe_disability: bool,
    relation: str,
) -> Person:
    """Change a member's school level, pregnancy, severe disability and relation."""
    _living_member(actor, person)
    reason = _reason(reason)
    today = local_today()
    age = age_on(person.birth_date, today)
    school_level = school_level or None
    if school_level not in (None, *SCHOOL_LEVELS):
        raise EditRefused("school_level", _l("Jenjang sekolah tidak dikenal."))
    if relation not in RELATIONS:
        raise EditRefused("relation", _l("Hubungan keluarga tidak dikenal."))
    if school_level and not SCHOOL_AGES[0] <= age <= SCHOOL_AGES[1]:
        raise EditRefused(
            "school_level",
            _l(
                "Jenjang sekolah hanya untuk anggota berumur %(low)d sampai %(high)d tahun; "
                "%(name)s berumur %(age)d tahun.",
                low=SCHOOL_AGES[0],
                high=SCHOOL_AGES[1],
                name=person.name,
                age=age,
            ),
        )
    if pregnant and person.sex == "L":
        raise EditRefused("pregnant", _l("Anggota laki-laki tidak dapat dicatat hamil."))
    if pregnant and age < PREGNANCY_MIN_AGE:
        raise EditRefused(
            "pregnant",
            _l("Anak di bawah %(n)d tahun tidak dapat dicatat hamil.", n=PREGNANCY_MIN_AGE),
        )
    other_head = any(m.relation == "kepala" and m.id != person.id for m in person.household.members)
    if relation == "kepala" and person.relation != "kepala" and other_head:
        raise EditRefused(
            "relation",
            _l("Keluarga ini sudah punya kepala keluarga. Ubah dulu hubungan kepala lama."),
        )
    new = {
        "school_level": school_level,
        "pregnant": bool(pregnant),
        "severe_disability": bool(severe_disability),
        "relation": relation,
    }
    changes = {k: [getattr(person, k), v] for k, v in new.items() if getattr(person, k) != v}
    if not changes:
        raise EditRefused("reason", _l("Tidak ada yang berubah."))
    for key, (_old, value) in changes.items():
        setattr(person, key, value)
    record(
        actor,
        "registry.member_changed",
        person,
        household_id=person.household_id,
        changes=changes,
        reason=reason,
    )
    evaluate_household(person.household, actor)
    db.session.commit()
    return person


def record_death(actor, person: Person, died_on: date | None, source: str, reason: str) -> Person:
    """Record a member's death with its date and source; the household is re-evaluated."""
    _living_member(actor, person)
    reason = _reason(reason)
    if died_on is None:
        raise EditRefused("died_on", _l("Isi tanggal meninggal."))
    if died_on > local_today():
        raise EditRefused("died_on", _l("Tanggal meninggal tidak boleh setelah hari ini."))
    if died_on < person.birth_date:
        raise EditRefused("died_on", _l("Tanggal meninggal tidak boleh sebelum tanggal lahir."))
    if source not in DEATH_SOURCES:
        raise EditRefused("source", _l("Pilih sumber laporan kematian."))
    person.deceased_date, person.deceased_source = died_on, source
    record(
        actor,
        "registry.death_recorded",
        person,
        household_id=person.household_id,
        died_on=died_on.isoformat(),
        source=source,
        reason=reason,
    )
    evaluate_household(person.household, actor)
    db.session.commit()
    return person
