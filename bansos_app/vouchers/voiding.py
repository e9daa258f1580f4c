"""Void a household's unspent vouchers: its recipient row was removed or it was blocked."""

from sqlalchemy import select, update

from ..audit.services import record
from ..extensions import db
from ..models_base import utcnow
from .models import Voucher


def void_unspent(actor, household_id: int, reason: str, program_code: str | None = None) -> int:
    """Void the household's active vouchers (of one program, or all); return how many.

    Runs in the caller's transaction (the caller commits), each voucher audited. The rows are
    locked first, so a redemption under way either finishes before or finds the voucher void.
    """
    mine = [Voucher.household_id == household_id, Voucher.state == "active", Voucher.balance > 0]
    if program_code is not None:
        mine.append(Voucher.program_code == program_code)
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks: a no-op UPDATE takes the write lock before the read.
        db.session.execute(update(Voucher).where(*mine).values(id=Voucher.id))
    query = select(Voucher).where(*mine)
    query = query.order_by(Voucher.id).with_for_update()
    vouchers = db.session.scalars(query.execution_options(populate_existing=True)).all()
    now = utcnow()
    reason = (reason or "")[:300]
    for voucher in vouchers:
        voucher.state, voucher.voided_at, voucher.void_reason = "voided", now, reason
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
    return len(vouchers)
