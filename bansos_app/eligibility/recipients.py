"""Recipients (penetapan): fix a program's list from the eligible households, keep it, flag it."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import contains_eager

from ..audit.services import record
from ..auth.access import require_village
from ..extensions import db
from ..locking import lock_row
from ..models_base import utcnow
from ..registry.models import Household
from ..vouchers.voiding import void_unspent
from .evaluation import local_today  # noqa: F401 - today in WIB, also for recipient_lists
from .models import Eligibility
from .recipient_models import Recipient, RecipientList, VillageQuota

MODES = ("all", "quota")


class RecipientError(ValueError):
    """Bad input for a recipient list: a message for the user and the field it concerns."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)  # lazy: turned into text in the user's language
        self.message, self.field = message, field


def _valid_on(on: date):
    return and_(RecipientList.valid_from <= on, RecipientList.valid_until >= on)


def active_recipient(household_id: int, program_code: str, on: date) -> Recipient | None:
    """Return the household's active recipient row for the program on a day, or None."""
    query = (
        select(Recipient)
        .join(RecipientList, Recipient.list_id == RecipientList.id)
        .where(
            Recipient.household_id == household_id,
            Recipient.program_code == program_code,
            Recipient.state == "active",
            _valid_on(on),
        )
    )
    return db.session.scalars(query.limit(1)).first()


def recipients_for(household_id: int, on: date) -> dict[str, Recipient]:
    """Return {program code: active recipient row} for a household on a day, in one query."""
    query = (
        select(Recipient)
        .join(Recipient.recipient_list)
        .options(contains_eager(Recipient.recipient_list))  # the SK and period, same query
        .where(Recipient.household_id == household_id, Recipient.state == "active", _valid_on(on))
        # Lists of one program never overlap; should old data hold two, the newest one wins
        # every time rather than whichever row the database returns last.
        .order_by(RecipientList.valid_from, Recipient.id)
    )
    return {r.program_code: r for r in db.session.scalars(query)}


def needs_review(village_codes=None, on: date | None = None) -> Select:
    """Select active recipients (list valid `on`) whose stored answer is now not eligible."""
    query = (
        select(
            Recipient.id.label("recipient_id"),
            Recipient.household_id,
            Recipient.village_code,
            Recipient.program_code,
            Recipient.list_id,
            Eligibility.reasons,
        )
        .join(RecipientList, Recipient.list_id == RecipientList.id)
        .join(
            Eligibility,
            and_(
                Eligibility.household_id == Recipient.household_id,
                Eligibility.program_code == Recipient.program_code,
            ),
        )
        .where(
            Recipient.state == "active",
            Eligibility.state == "not_eligible",
            _valid_on(on or local_today()),
        )
    )
    if village_codes is not None:
        query = query.where(Recipient.village_code.in_(village_codes))
    return query.order_by(Recipient.village_code, Recipient.household_id)


def count_needs_review(village_codes=None, on: date | None = None) -> int:
    """Count the recipients flagged "perlu ditinjau" in these villages (None: all)."""
    flagged = needs_review(village_codes, on).subquery()
    return db.session.scalar(select(func.count()).select_from(flagged))


def eligible_counts(program_code: str, village_codes=None) -> dict[str, int]:
    """Return {village code: households whose stored answer for the program is eligible}."""
    query = (
        select(Household.village_code, func.count())
        .join(Eligibility, Eligibility.household_id == Household.id)
        .where(Eligibility.program_code == program_code, Eligibility.state == "eligible")
        .where(Household.desil.is_not(None))  # an out-of-date answer for a family in waiting
        .group_by(Household.village_code)
    )
    if village_codes is not None:
        query = query.where(Household.village_code.in_(village_codes))
    return dict(db.session.execute(query).all())


def _reason(reason: str | None) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise RecipientError(_l("Tulis alasannya."), "reason")
    if len(reason) > 300:
        raise RecipientError(_l("Alasan paling banyak 300 huruf."), "reason")
    return reason


def remove_recipient(actor, recipient: Recipient, reason: str, commit: bool = True) -> Recipient:
    """Remove a household from a list, with a reason; it stays on record as removed.

    commit=False leaves the transaction open for a caller that changes more with it (an
    approved objection is decided and applied at once).
    """
    reason = _reason(reason)
    require_village(actor, recipient.village_code)
    recipient = lock_row(Recipient, recipient.id)
    if recipient.state != "active":
        db.session.rollback()
        raise RecipientError(_l("Keluarga ini sudah dihapus dari daftar."), "reason")
    recipient.state = "removed"
    recipient.removed_at, recipient.removed_by_id = utcnow(), getattr(actor, "id", None)
    recipient.removed_reason = reason
    voided = void_unspent(actor, recipient.household_id, reason, recipient.program_code)
    record(
        actor,
        "recipients.removed",
        recipient,
        list_id=recipient.list_id,
        reason=reason,
        vouchers_voided=voided,
    )
    if commit:
        db.session.commit()
    return recipient


def add_recipient(
    actor, recipient_list: RecipientList, household, reason: str, commit: bool = True
) -> Recipient:
    """Add one eligible household to a list (an approved proposal); audited, committed.

    commit=False leaves the transaction open; a refusal still rolls it back and raises.
    """
    reason = _reason(reason)
    require_village(actor, household.village_code)
    lock_row(RecipientList, recipient_list.id)  # one adder per list: the quota check holds
    answer = db.session.get(Eligibility, (household.id, recipient_list.program_code))
    existing = db.session.scalar(
        select(Recipient).where(
            Recipient.list_id == recipient_list.id, Recipient.household_id == household.id
        )
    )
    problem = None
    if answer is None or answer.state != "eligible":
        problem = _l("Keluarga ini tidak layak untuk program ini.")
    elif existing is not None and existing.state == "active":
        problem = _l("Keluarga ini sudah ada di daftar penerima.")
    elif recipient_list.valid_until < local_today():
        problem = _l("Masa berlaku daftar ini sudah berakhir.")
    elif recipient_list.mode == "quota":
        quota = db.session.get(VillageQuota, (recipient_list.id, household.village_code))
        taken = db.session.scalar(
            select(func.count()).where(
                Recipient.list_id == recipient_list.id,
                Recipient.village_code == household.village_code,
                Recipient.state == "active",
            )
        )
        if taken >= (quota.quota if quota else 0):
            problem = _l("Kuota desa ini sudah penuh.")
    if problem is not None:
        db.session.rollback()
        raise RecipientError(problem, "household")
    # A household removed earlier comes back on its own row: the audit log keeps the removal.
    recipient = existing or Recipient(
        list_id=recipient_list.id,
        household_id=household.id,
        program_code=recipient_list.program_code,
        village_code=household.village_code,
    )
    recipient.state, recipient.desil, recipient.rank = "active", household.desil, None
    recipient.added_at, recipient.added_by_id = utcnow(), getattr(actor, "id", None)
    recipient.added_reason = reason
    recipient.removed_at, recipient.removed_by_id, recipient.removed_reason = None, None, ""
    db.session.add(recipient)
    db.session.flush()
    record(actor, "recipients.added", recipient, list_id=recipient_list.id, reason=reason)
    if commit:
        db.session.commit()
    return recipient
