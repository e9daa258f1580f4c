"""Settlement with Dinsos per shop per period: open, submitted, approved, then paid.

Every transition is one conditional UPDATE (`... WHERE state = <from>`): of two clicks or two
admins at once, one moves the row and the other finds it already moved and is refused.
"""

import functools
import json
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..audit.models import AuditEvent
from ..audit.services import record
from ..auth.access import can
from ..extensions import db
from ..locking import lock_row
from ..models_base import utcnow
from ..registry.identity import mask_number
from ..registry.models import Person
from ..vouchers.models import DistributionPeriod, Redemption, Voucher
from .models import Merchant, Settlement

REFERENCE_MAX, REASON_MAX = 80, 300
STATE_NAMES = {
    "open": _l("Terbuka"),
    "submitted": _l("Diajukan"),
    "approved": _l("Disetujui"),
    "paid": _l("Dibayar"),
}
# Why a transition is refused, by the state the settlement is in.
_NOT_OPEN = {
    "submitted": _l("Rekap ini sudah diajukan dan menunggu persetujuan Dinsos."),
    "approved": _l("Rekap ini sudah disetujui."),
    "paid": _l("Rekap ini sudah dibayar."),
}
_NOT_SUBMITTED = {
    "open": _l("Rekap ini belum diajukan toko."),
    "approved": _l("Rekap ini sudah disetujui."),
    "paid": _l("Rekap ini sudah disetujui dan dibayar."),
}
_NOT_APPROVED = {
    "open": _l("Rekap ini belum diajukan toko."),
    "submitted": _l("Rekap ini belum disetujui Dinsos."),
    "paid": _l("Rekap ini sudah dibayar."),
}


class SettlementError(Exception):
    """A refused settlement action, with a message fit to show the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Line:
    """One redemption on a settlement, with what the lists and exports show of it."""

    redemption: Redemption
    serial: str
    program_code: str
    holder_nik: str  # masked


@dataclass
class Lines:
    """A shop's redemptions in a period: the live ones with their sum, and the undone ones."""

    live: list = field(default_factory=list)
    undone: list = field(default_factory=list)

    @property
    def total(self) -> int:
        """Rupiah redeemed and not undone."""
        return sum(line.redemption.amount for line in self.live)

    @property
    def count(self) -> int:
        """Redemptions not undone."""
        return len(self.live)


def _refuse_cleanly(service):
    """Roll back whatever the service began when it refuses, so that a refusal changes nothing."""

    @functools.wraps(service)
    def wrapped(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except SettlementError:
            db.session.rollback()
            raise

    return wrapped


def _id(thing) -> int:
    return thing if isinstance(thing, int) else thing.id


def find_settlement(merchant, period) -> Settlement | None:
    """Return the shop's settlement row for the period, or None (never written yet)."""
    return db.session.scalar(
        select(Settlement).filter_by(merchant_id=_id(merchant), period_id=_id(period))
    )


def settlement_for(merchant, period) -> Settlement:
    """Return the shop's settlement for the period, created open on first need (caller commits)."""
    # Two first users at once: ON CONFLICT makes the second wait for the first one's row
    # instead of failing on the unique pair.
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(Settlement.__table__)
        .values(
            merchant_id=_id(merchant),
            period_id=_id(period),
            state="open",
            total=0,
            redemption_count=0,
            payment_reference="",
        )
        .on_conflict_do_nothing(index_elements=["merchant_id", "period_id"])
    )
    return find_settlement(merchant, period)


def live_totals(merchant, period) -> tuple[int, int]:
    """Return (count, rupiah) of the shop's redemptions in the period that are not undone."""
    count, total = db.session.execute(
        select(func.count(Redemption.id), func.coalesce(func.sum(Redemption.amount), 0)).where(
            Redemption.merchant_id == _id(merchant),
            Redemption.period_id == _id(period),
            Redemption.undone_at.is_(None),
        )
    ).one()
    return int(count), int(total)


def settlement_lines(merchant, period) -> Lines:
    """Return the shop's redemptions in the period, oldest first, undone ones apart."""
    head = and_(Person.household_id == Voucher.household_id, Person.relation == "kepala")
    rows = db.session.execute(
        select(Redemption, Voucher, Person.nik)
        .join(Voucher, Voucher.id == Redemption.voucher_id)
        .outerjoin(Person, head)
        .where(Redemption.merchant_id == _id(merchant), Redemption.period_id == _id(period))
        .order_by(Redemption.created_at, Redemption.id)
    ).all()
    lines, seen = Lines(), set()
    for redemption, voucher, nik in rows:
        if redemption.id in seen:  # a household with two heads on file: one line, not two
            continue
        seen.add(redemption.id)
        if nik is None and voucher.household.head is not None:
            nik = voucher.household.head.nik
        line = Line(redemption, voucher.serial, voucher.program_code, mask_number(nik or ""))
        (lines.undone if redemption.undone_at else lines.live).append(line)
    return lines


def _move(settlement, source: str, refusals: dict, **values) -> Settlement:
    """Move the settlement out of `source` with one conditional UPDATE, or refuse."""
    settlement_id = settlement.id
    moved = db.session.execute(
        update(Settlement)
        .where(Settlement.id == settlement_id, Settlement.state == source)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        db.session.rollback()
        current = db.session.get(Settlement, settlement_id, populate_existing=True)
        state = current.state if current is not None else "open"
        raise SettlementError(refusals.get(state, _l("Rekap ini tidak dapat diubah.")))
    return db.session.get(Settlement, settlement_id, populate_existing=True)


def _must_manage(actor) -> None:
    if not can(actor, "settlements.manage"):
        raise SettlementError(_l("Hanya admin Dinsos yang dapat mengubah rekap toko."))


def _one_line(text: str, limit: int, missing, too_long) -> str:
    """Return the text stripped, or refuse it when blank, longer than `limit` or multi-line."""
    text = (text or "").strip()
    if not text:
        raise SettlementError(missing)
    if any(c in text for c in "\t\r\n"):
        raise SettlementError(_l("Isi dalam satu baris, tanpa tab atau baris baru."))
    if len(text) > limit:
        raise SettlementError(too_long)
    return text


@_refuse_cleanly
def submit_settlement(actor, merchant: Merchant, period: DistributionPeriod) -> Settlement:
    """The shop asks Dinsos to pay: freeze the count and total of its live redemptions."""
    if merchant.user_id is None or merchant.user_id != getattr(actor, "id", None):
        raise SettlementError(_l("Hanya akun toko ini yang dapat mengajukan rekapnya."))
    if not merchant.active:
        raise SettlementError(_l("Toko ini sudah dinonaktifkan."))
    settlement = settlement_for(merchant, period)
    # Locked before counting: a redemption that checks the settlement is open (FOR SHARE or
    # FOR UPDATE on this row) waits for the submission, so the frozen total misses nothing.
    settlement = lock_row(Settlement, settlement.id)
    if settlement.state != "open":
        raise SettlementError(_NOT_OPEN[settlement.state])
    count, total = live_totals(merchant, period)
    if not count:
        raise SettlementError(_l("Belum ada penukaran pada periode ini; tidak ada yang diajukan."))
    now = utcnow()
    settlement = _move(
        settlement,
        "open",
        _NOT_OPEN,
        state="submitted",
        total=total,
        redemption_count=count,
        submitted_at=now,
        submitted_by_id=actor.id,
    )
    record(actor, "settlements.submitted", settlement, period=period.id, count=count, total=total)
    db.session.commit()
    return settlement


@_refuse_cleanly
def approve_settlement(actor, settlement: Settlement) -> Settlement:
    """Dinsos approves a submitted settlement; a second approval is refused."""
    _must_manage(actor)
    # Locked and re-read first: a reversal (which takes this row's lock too) either finished
    # before the count below or waits until the approval commits.
    settlement = lock_row(Settlement, settlement.id)
    if settlement.state == "submitted":
        # Redemptions reversed since the shop submitted would make the frozen total wrong.
        count, total = live_totals(settlement.merchant_id, settlement.period_id)
        if (count, total) != (settlement.redemption_count, settlement.total):
            raise SettlementError(
                _l("Penukaran berubah sejak diajukan; kembalikan rekap ini ke toko.")
            )
    settlement = _move(
        settlement,
        "submitted",
        _NOT_SUBMITTED,
        state="approved",
        approved_at=utcnow(),
        approved_by_id=actor.id,
    )
    record(
        actor,
        "settlements.approved",
        settlement,
        count=settlement.redemption_count,
        total=settlement.total,
    )
    db.session.commit()
    return settlement


@_refuse_cleanly
def mark_paid(actor, settlement: Settlement, payment_reference: str) -> Settlement:
    """Record that Dinsos paid an approved settlement, with the transfer's reference."""
    _must_manage(actor)
    reference = _one_line(
        payment_reference,
        REFERENCE_MAX,
        _l("Isi nomor referensi pembayaran."),
        _l("Referensi pembayaran paling banyak %(n)d huruf.", n=REFERENCE_MAX),
    )
    settlement = _move(
        settlement,
        "approved",
        _NOT_APPROVED,
        state="paid",
        paid_at=utcnow(),
        paid_by_id=actor.id,
        payment_reference=reference,
    )
    record(actor, "settlements.paid", settlement, total=settlement.total, reference=reference)
    db.session.commit()
    return settlement


@_refuse_cleanly
def return_settlement(actor, settlement: Settlement, reason: str) -> Settlement:
    """Dinsos sends a submitted settlement back to the shop (open again), with the reason."""
    _must_manage(actor)
    reason = _one_line(
        reason,
        REASON_MAX,
        _l("Tulis alasan pengembalian."),
        _l("Alasan paling banyak %(n)d huruf.", n=REASON_MAX),
    )
    before = (settlement.redemption_count, settlement.total)
    settlement = _move(
        settlement,
        "submitted",
        _NOT_SUBMITTED,
        state="open",
        total=0,
        redemption_count=0,
        submitted_at=None,
        submitted_by_id=None,
    )
    record(
        actor,
        "settlements.returned",
        settlement,
        reason=reason,
        count=before[0],
        total=before[1],
    )
    db.session.commit()
    return settlement


def last_return_reason(settlement: Settlement | None) -> str:
    """The reason Dinsos gave when it last sent this settlement back, if it is open again."""
    if settlement is None or settlement.state != "open":
        return ""
    event = db.session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "settlement",
            AuditEvent.object_id == str(settlement.id),
            AuditEvent.action == "settlements.returned",
        )
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )
    if event is None:
        return ""
    return json.loads(event.details).get("reason", "")
