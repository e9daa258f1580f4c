"""Void a household's unspent vouchers: its recipient row was removed or it was blocked."""

from sqlalchemy import select, update

from ..audit.services import record
from ..extensions import db
from ..models_base import utcnow
from .models import DistributionPeriod, Voucher


def void_unspent(actor, household_id: int, reason: str, program_code: str | None = None) -> int:
    """Void the household's active vouchers (of one program, or all); return how many.

    Runs in the caller's transaction (the caller commits), each voucher audited. The rows are
    locked first, so a redemption under way either finishes before or finds the voucher void.
    """
    # Spent vouchers are stamped too (their state stays "spent"): should a redemption be undone
    # later, the money that comes back must not be spendable by a household no longer entitled.
    mine = [
        Voucher.household_id == household_id,
        Voucher.state.in_(("active", "spent")),
        Voucher.voided_at.is_(None),
    ]
    if program_code is not None:
        mine.append(Voucher.program_code == program_code)
    _wait_for_issuance(program_code)
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks: a no-op UPDATE takes the write lock before the read.
        db.session.execute(update(Voucher).where(*mine).values(id=Voucher.id))
    query = select(Voucher).where(*mine)
    query = query.order_by(Voucher.id).with_for_update()
    vouchers = db.session.scalars(query.execution_options(populate_existing=True)).all()
    now = utcnow()
    reason = (reason or "")[:300]
    for voucher in vouchers:
        if voucher.state == "active":
            voucher.state = "voided"
        voucher.voided_at, voucher.void_reason = now, reason
        record(
            actor,
            "vouchers.voided",
            voucher,
            serial=voucher.serial,
            household_id=household_id,
            program=voucher.program_code,
            period_id=voucher.period_id,
            balance=voucher.balance,
            reason=reason,
        )
    db.session.flush()
    return sum(1 for v in vouchers if v.state == "voided")


def _wait_for_issuance(program_code: str | None) -> None:
    """Take a share lock on the program's periods: an issuance under way holds one for update.

    Without it, on PostgreSQL a household blocked while issuance runs would find no voucher
    to void, and issuance (which read the household as active) would then commit one.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite: one writer at a time already orders the two
    query = select(DistributionPeriod.id)
    if program_code is not None:
        query = query.where(DistributionPeriod.program_code == program_code)
    db.session.execute(query.with_for_update(read=True)).all()
