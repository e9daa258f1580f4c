"""Test set-up for settlements: redemptions straight through the models, states, snapshots."""

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from bansos_app.audit.models import AuditEvent
from bansos_app.extensions import db
from bansos_app.merchant.models import Settlement
from bansos_app.models_base import utcnow
from bansos_app.vouchers.models import Redemption, Voucher


def redeem(app, voucher_id: int, merchant_id: int, amount: int, undone=False, minutes_ago=0):
    """A redemption as the shop's service would leave it; returns (redemption id, period id)."""
    with app.app_context():
        voucher = db.session.get(Voucher, voucher_id)
        when = utcnow() - timedelta(minutes=minutes_ago)
        redemption = Redemption(
            voucher_id=voucher_id,
            merchant_id=merchant_id,
            period_id=voucher.period_id,
            amount=amount,
            idempotency_key=uuid.uuid4().hex,
            created_at=when,
        )
        if undone:
            redemption.undone_at, redemption.undo_reason = when, "jumlah salah"
        else:
            voucher.balance -= amount
            voucher.state = "spent" if voucher.balance == 0 else voucher.state
        db.session.add(redemption)
        db.session.commit()
        return redemption.id, voucher.period_id


def put_in_state(app, merchant_id: int, period_id: int, state: str) -> int:
    """A settlement in a given state, with the figures a real submission would have frozen."""
    with app.app_context():
        count, total = db.session.execute(
            select(func.count(Redemption.id), func.coalesce(func.sum(Redemption.amount), 0)).where(
                Redemption.merchant_id == merchant_id,
                Redemption.period_id == period_id,
                Redemption.undone_at.is_(None),
            )
        ).one()
        settlement = Settlement(merchant_id=merchant_id, period_id=period_id, state=state)
        if state != "open":
            settlement.total, settlement.redemption_count = int(total), int(count)
            settlement.submitted_at = utcnow()
        if state in ("approved", "paid"):
            settlement.approved_at = utcnow()
        if state == "paid":
            settlement.paid_at, settlement.payment_reference = utcnow(), "TRF-1"
        db.session.add(settlement)
        db.session.commit()
        return settlement.id


def snapshot(app, settlement_id: int) -> dict:
    """Every column of the settlement row, to compare before and after."""
    with app.app_context():
        table = Settlement.__table__
        row = db.session.execute(select(table).where(table.c.id == settlement_id)).one()
        return dict(row._mapping)


def audit_actions(app) -> list[str]:
    """The audit log's actions in order."""
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def shop_with_sales(app, make_voucher, make_merchant, amounts=(120_000, 80_000), **merchant):
    """A Sembako shop with one voucher redeemed in parts: (merchant id, username, period id)."""
    merchant_id, username = make_merchant(**merchant)
    voucher_id, _, _ = make_voucher()
    period_id = None
    for amount in amounts:
        _, period_id = redeem(app, voucher_id, merchant_id, amount)
    if period_id is None:
        with app.app_context():
            period_id = db.session.get(Voucher, voucher_id).period_id
    return merchant_id, username, period_id
