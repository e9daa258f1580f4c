"""Helpers for the redemption tests: redeem as a shop, and read what the database holds."""

import secrets

from sqlalchemy import func, select

from bansos_app.audit.models import AuditEvent
from bansos_app.auth.models import User
from bansos_app.extensions import db
from bansos_app.merchant.models import Merchant
from bansos_app.vouchers.models import Redemption, Voucher
from bansos_app.vouchers.redemption import RedemptionError, redeem, undo_redemption


def new_key() -> str:
    """A fresh idempotency key, as the shop's page makes one per form."""
    return secrets.token_hex(16)


def try_redeem(app, token, amount, merchant_id, key=None):
    """Redeem as the shop's account: the redemption id, or the refusal's code."""
    with app.test_request_context():
        shop = db.session.get(Merchant, merchant_id)
        actor = db.session.get(User, shop.user_id)
        try:
            return redeem(token, amount, shop, key or new_key(), actor).id
        except RedemptionError as e:
            assert str(e), "every refusal has a message"
            return e.code


def try_undo(app, redemption_id, merchant_id):
    """Undo as a shop: None when done, or the refusal's code."""
    with app.test_request_context():
        shop = db.session.get(Merchant, merchant_id)
        actor = db.session.get(User, shop.user_id)
        try:
            undo_redemption(db.session.get(Redemption, redemption_id), actor, shop)
        except RedemptionError as e:
            return e.code
        return None


def snapshot(app, voucher_id):
    """What a refusal must leave alone: balance, state, live redemptions, audit events."""
    with app.test_request_context():
        voucher = db.session.get(Voucher, voucher_id)
        live = db.session.scalar(
            select(func.count(Redemption.id)).where(
                Redemption.voucher_id == voucher_id, Redemption.undone_at.is_(None)
            )
        )
        total = db.session.scalar(
            select(func.coalesce(func.sum(Redemption.amount), 0)).where(
                Redemption.voucher_id == voucher_id, Redemption.undone_at.is_(None)
            )
        )
        events = db.session.scalar(select(func.count(AuditEvent.id)))
        return {
            "balance": voucher.balance,
            "state": voucher.state,
            "live": live,
            "total": total,
            "events": events,
        }


def audit_actions(app, prefix="vouchers.") -> list[str]:
    """The audited voucher actions, oldest first."""
    with app.test_request_context():
        return db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action.startswith(prefix))
            .order_by(AuditEvent.seq)
        ).all()


def redeem_with_raw_key(app, token, amount, merchant_id, key):
    """Redeem with exactly this key (None and empty included): the refusal's code or the id."""
    with app.test_request_context():
        shop = db.session.get(Merchant, merchant_id)
        actor = db.session.get(User, shop.user_id)
        try:
            return redeem(token, amount, shop, key, actor).id
        except RedemptionError as e:
            return e.code
