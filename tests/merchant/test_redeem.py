"""Redemption at a shop: partial Sembako, whole LPG/Listrik, every bad input, idempotency."""

import base64
from datetime import date, timedelta

import pytest

from bansos_app.extensions import db
from bansos_app.merchant.models import Merchant, Settlement
from bansos_app.vouchers.models import Voucher
from bansos_app.vouchers.tokens import sign_token
from tests.merchant.redeem_support import audit_actions, new_key, snapshot, try_redeem


def _raw(token):
    return bytearray(base64.b32decode(token + "=" * (-len(token) % 8)))


def _b32(raw):
    return base64.b32encode(bytes(raw)).decode().rstrip("=")


def test_sembako_in_two_parts_then_refused(app, make_voucher, make_merchant):
    voucher_id, token, _code = make_voucher(value=200_000)
    shop, _ = make_merchant()
    first = try_redeem(app, token, 120_000, shop)
    assert isinstance(first, int)
    assert snapshot(app, voucher_id)["balance"] == 80_000
    assert snapshot(app, voucher_id)["state"] == "active"
    second = try_redeem(app, token, 80_000, shop)
    assert isinstance(second, int) and second != first
    after = snapshot(app, voucher_id)
    assert (after["balance"], after["state"], after["total"]) == (0, "spent", 200_000)
    assert try_redeem(app, token, 1_000, shop) == "spent"
    assert snapshot(app, voucher_id) == after
    assert audit_actions(app) == ["vouchers.redeemed", "vouchers.redeemed"]


def test_manual_code_redeems_like_the_qr(app, make_voucher, make_merchant):
    voucher_id, _token, code = make_voucher()
    shop, _ = make_merchant()
    typed = f"{code[:4]}-{code[4:8]}-{code[8:]}".lower()
    assert isinstance(try_redeem(app, typed, 50_000, shop), int)
    assert snapshot(app, voucher_id)["balance"] == 150_000


@pytest.mark.parametrize(
    ("program", "kind", "value"), [("LPG", "lpg", 60_000), ("LISTRIK", "listrik", 50_000)]
)
def test_lpg_and_listrik_only_whole(app, make_voucher, make_merchant, program, kind, value):
    voucher_id, token, _ = make_voucher(program=program, value=value)
    shop, _ = make_merchant(kind=kind)
    before = snapshot(app, voucher_id)
    assert try_redeem(app, token, value // 2, shop) == "whole_only"
    assert try_redeem(app, token, value + 1, shop) == "whole_only"
    assert snapshot(app, voucher_id) == before
    assert isinstance(try_redeem(app, token, value, shop), int)
    assert snapshot(app, voucher_id)["state"] == "spent"
    assert try_redeem(app, token, value, shop) == "spent"


def test_bad_tokens_change_nothing(app, make_voucher, make_merchant):
    voucher_id, token, code = make_voucher()
    shop, _ = make_merchant()
    before = snapshot(app, voucher_id)
    position = len(token) // 2
    one_changed = (
        token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1 :]
    )
    raw = _raw(token)
    raw[7:11] = (9_000_000).to_bytes(4, "big")  # the value, edited
    unknown_key = _raw(token)
    unknown_key[1:3] = (999).to_bytes(2, "big")
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    # A valid check character for a code that is no voucher's.
    from bansos_app.vouchers.tokens import _check_symbol

    stranger = "ZZZZZZZZZZ" + _check_symbol("ZZZZZZZZZZ")
    cases = {
        one_changed: ("forged", "format"),
        _b32(raw): ("forged",),
        _b32(unknown_key): ("unknown_key",),
        "hello world from the scanner 123456": ("format",),
        "]C1" + "x" * 40: ("format",),
        "": ("empty",),
        typo: ("check", "format"),
        stranger: ("unknown",),
    }
    for text, codes in cases.items():
        assert try_redeem(app, text, 10_000, shop) in codes, text
    assert snapshot(app, voucher_id) == before


def test_validly_signed_token_not_matching_its_row_is_refused(app, make_voucher, make_merchant):
    voucher_id, _token, _ = make_voucher(value=200_000)
    shop, _ = make_merchant()
    with app.app_context():
        voucher = db.session.get(Voucher, voucher_id)
        richer = sign_token(voucher.id, "SEMBAKO", 900_000, voucher.expires_on)
        later = sign_token(voucher.id, "SEMBAKO", 200_000, voucher.expires_on + timedelta(days=9))
        other = sign_token(voucher.id + 1000, "SEMBAKO", 200_000, voucher.expires_on)
    before = snapshot(app, voucher_id)
    assert try_redeem(app, richer, 10_000, shop) == "mismatch"
    assert try_redeem(app, later, 10_000, shop) == "mismatch"
    assert try_redeem(app, other, 10_000, shop) == "unknown"
    assert snapshot(app, voucher_id) == before


def test_expired_voided_and_wrong_kind(app, make_voucher, make_merchant):
    yesterday = date.today() - timedelta(days=1)
    expired_id, expired, _ = make_voucher(label="Lama", ends_on=yesterday)
    voided_id, voided, _ = make_voucher()
    with app.app_context():
        db.session.get(Voucher, voided_id).state = "voided"
        db.session.commit()
    sembako_shop, _ = make_merchant()
    lpg_shop, _ = make_merchant(kind="lpg")
    ok_id, ok, _ = make_voucher()
    for voucher_id, token, shop, code in (
        (expired_id, expired, sembako_shop, "expired"),
        (voided_id, voided, sembako_shop, "voided"),
        (ok_id, ok, lpg_shop, "wrong_kind"),
    ):
        before = snapshot(app, voucher_id)
        assert try_redeem(app, token, 10_000, shop) == code
        assert snapshot(app, voucher_id) == before


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (200_001, "over_balance"),
        (0, "amount"),
        (-5_000, "amount"),
        ("abc", "amount"),
        ("10000", "amount"),
        (1.5, "amount"),
        (True, "amount"),
        (None, "amount"),
    ],
)
def test_bad_amounts_change_nothing(app, make_voucher, make_merchant, amount, code):
    voucher_id, token, _ = make_voucher()
    shop, _ = make_merchant()
    before = snapshot(app, voucher_id)
    assert try_redeem(app, token, amount, shop) == code
    assert snapshot(app, voucher_id) == before


def test_inactive_shop_and_closed_settlement(app, make_voucher, make_merchant):
    voucher_id, token, _ = make_voucher()
    shop, _ = make_merchant()
    with app.app_context():
        db.session.get(Merchant, shop).active = False
        db.session.commit()
    before = snapshot(app, voucher_id)
    assert try_redeem(app, token, 10_000, shop) == "shop_inactive"
    with app.app_context():
        db.session.get(Merchant, shop).active = True
        voucher = db.session.get(Voucher, voucher_id)
        db.session.add(Settlement(merchant_id=shop, period_id=voucher.period_id, state="submitted"))
        db.session.commit()
    assert try_redeem(app, token, 10_000, shop) == "settled"
    assert snapshot(app, voucher_id) == before


def test_same_key_redeems_once(app, make_voucher, make_merchant):
    voucher_id, token, _ = make_voucher()
    shop, _ = make_merchant()
    other_shop, _ = make_merchant()
    key = new_key()
    first = try_redeem(app, token, 30_000, shop, key)
    assert try_redeem(app, token, 30_000, shop, key) == first
    # Even when the retry's amount differs (a second click after editing), nothing more goes.
    assert try_redeem(app, token, 50_000, shop, key) == first
    assert snapshot(app, voucher_id)["balance"] == 170_000
    assert try_redeem(app, token, 30_000, other_shop, key) == "key_used"
    other_id, other_token, _ = make_voucher()
    assert try_redeem(app, other_token, 30_000, shop, key) == "key_used"
    assert snapshot(app, other_id)["balance"] == 200_000
    assert audit_actions(app) == ["vouchers.redeemed"]


def test_retry_after_full_spend_returns_the_first(app, make_voucher, make_merchant):
    _id, token, _ = make_voucher(program="LPG", value=60_000)
    shop, _ = make_merchant(kind="lpg")
    key = new_key()
    first = try_redeem(app, token, 60_000, shop, key)
    assert try_redeem(app, token, 60_000, shop, key) == first


@pytest.mark.parametrize("key", ["", "short", "x" * 65, "a b c d e f g h i j", "ü" * 20, None])
def test_bad_idempotency_key(app, make_voucher, make_merchant, key):
    voucher_id, token, _ = make_voucher()
    shop, _ = make_merchant()
    before = snapshot(app, voucher_id)
    from tests.merchant.redeem_support import redeem_with_raw_key

    assert redeem_with_raw_key(app, token, 10_000, shop, key) == "key"
    assert snapshot(app, voucher_id) == before
