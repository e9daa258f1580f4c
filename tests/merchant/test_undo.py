"""A shop's undo within 10 minutes, and Dinsos' reversal with a reason before approval."""

from datetime import timedelta

import pytest

from bansos_app.auth.models import User
from bansos_app.extensions import db
from bansos_app.merchant.models import Settlement
from bansos_app.vouchers.models import Redemption, Voucher
from bansos_app.vouchers.redemption import RedemptionError, reverse_redemption
from tests.merchant.redeem_support import audit_actions, snapshot, try_redeem, try_undo


def _age(app, redemption_id, minutes):
    """Move a redemption's time back, as if it were made `minutes` ago."""
    with app.app_context():
        redemption = db.session.get(Redemption, redemption_id)
        redemption.created_at -= timedelta(minutes=minutes)
        db.session.commit()


def _settle(app, merchant_id, voucher_id, state):
    with app.app_context():
        period_id = db.session.get(Voucher, voucher_id).period_id
        # A redemption already created the shop's open settlement row: move it on.
        settlement = db.session.scalar(
            db.select(Settlement).filter_by(merchant_id=merchant_id, period_id=period_id)
        ) or Settlement(merchant_id=merchant_id, period_id=period_id)
        settlement.state = state
        db.session.add(settlement)
        db.session.commit()


def _reverse(app, redemption_id, username, reason):
    with app.test_request_context():
        actor = db.session.scalar(db.select(User).filter_by(username=username))
        try:
            reverse_redemption(db.session.get(Redemption, redemption_id), actor, reason)
        except RedemptionError as e:
            return e.code
        return None


def test_undo_within_ten_minutes_brings_the_balance_back(app, make_voucher, make_merchant):
    voucher_id, token, _ = make_voucher(program="LPG", value=60_000)
    shop, _ = make_merchant(kind="lpg")
    redemption = try_redeem(app, token, 60_000, shop)
    assert snapshot(app, voucher_id)["state"] == "spent"
    _age(app, redemption, 9)
    assert try_undo(app, redemption, shop) is None
    after = snapshot(app, voucher_id)
    assert (after["balance"], after["state"], after["live"]) == (60_000, "active", 0)
    with app.app_context():
        undone = db.session.get(Redemption, redemption)
        assert undone.undone_at is not None and undone.undone_by_id is not None
    assert try_undo(app, redemption, shop) == "undone"
    assert snapshot(app, voucher_id) == after
    assert audit_actions(app) == ["vouchers.redeemed", "vouchers.redemption_undone"]
    # The voucher can be redeemed again, for the right amount this time.
    assert isinstance(try_redeem(app, token, 60_000, shop), int)


def test_undo_refused_late_by_another_shop_or_after_submission(app, make_voucher, make_merchant):
    voucher_id, token, _ = make_voucher()
    shop, _ = make_merchant()
    other, _ = make_merchant()
    late = try_redeem(app, token, 50_000, shop)
    _age(app, late, 11)
    fresh = try_redeem(app, token, 20_000, shop)
    before = snapshot(app, voucher_id)
    assert try_undo(app, late, shop) == "undo_late"
    assert try_undo(app, fresh, other) == "other_shop"
    _settle(app, shop, voucher_id, "submitted")
    assert try_undo(app, fresh, shop) == "settled"
    assert snapshot(app, voucher_id) == before


def test_dinsos_reverses_with_a_reason(app, demo, make_voucher, make_merchant):
    voucher_id, token, _ = make_voucher()
    shop, shop_user = make_merchant()
    redemption = try_redeem(app, token, 150_000, shop)
    _age(app, redemption, 60)
    before = snapshot(app, voucher_id)
    assert _reverse(app, redemption, "dinsos", "") == "reason"
    assert _reverse(app, redemption, "dinsos", "dua\nbaris") == "reason"
    assert _reverse(app, redemption, "dinsos", "x" * 301) == "reason"
    assert _reverse(app, redemption, shop_user, "saya sendiri") == "forbidden"
    assert _reverse(app, redemption, "operator", "bukan Dinsos") == "forbidden"
    assert snapshot(app, voucher_id) == before
    assert _reverse(app, redemption, "dinsos", "Salah nominal, dilaporkan warga") is None
    assert snapshot(app, voucher_id)["balance"] == 200_000
    assert _reverse(app, redemption, "dinsos", "lagi") == "undone"
    assert audit_actions(app)[-1] == "vouchers.redemption_reversed"
    with app.app_context():
        assert db.session.get(Redemption, redemption).undo_reason.startswith("Salah nominal")


@pytest.mark.parametrize(
    ("state", "refused"), [("submitted", None), ("approved", "approved"), ("paid", "approved")]
)
def test_reversal_until_the_settlement_is_approved(
    app, demo, make_voucher, make_merchant, state, refused
):
    voucher_id, token, _ = make_voucher()
    shop, _ = make_merchant()
    redemption = try_redeem(app, token, 100_000, shop)
    _settle(app, shop, voucher_id, state)
    before = snapshot(app, voucher_id)
    assert _reverse(app, redemption, "dinsos", "Pembatalan uji") == refused
    if refused:
        assert snapshot(app, voucher_id) == before


def test_reversal_keeps_a_voided_voucher_voided(app, demo, make_voucher, make_merchant):
    voucher_id, token, _ = make_voucher()
    shop, _ = make_merchant()
    redemption = try_redeem(app, token, 200_000, shop)
    with app.app_context():
        db.session.get(Voucher, voucher_id).state = "voided"
        db.session.commit()
    assert _reverse(app, redemption, "dinsos", "Keluarga diblokir") is None
    after = snapshot(app, voucher_id)
    assert (after["balance"], after["state"]) == (200_000, "voided")
    assert try_redeem(app, token, 10_000, shop) == "voided"
