"""Signed tokens and manual codes: round trip, forgery, unknown keys, rotation, typos."""

import base64
from datetime import date

import pytest

from bansos_app.vouchers import keys, tokens
from bansos_app.vouchers.tokens import TokenError, sign_token, verify_token

EXPIRY = date(2026, 12, 31)


def _raw(token):
    return bytearray(base64.b32decode(token + "=" * (-len(token) % 8)))


def _reason(text):
    with pytest.raises(TokenError) as caught:
        verify_token(text)
    return caught.value.reason


def test_round_trip_is_base32_alphanumeric(ctx):
    token = sign_token(4321, "SEMBAKO", 200_000, EXPIRY)
    assert token == token.upper() and "=" not in token
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    claims = verify_token(token)
    assert (claims.voucher_id, claims.program_code, claims.value, claims.expires_on) == (
        4321,
        "SEMBAKO",
        200_000,
        EXPIRY,
    )
    # A scanner that types lower case or a trailing newline still reads the same token.
    assert verify_token(token.lower() + "\n") == claims


def test_one_changed_character_is_forged(ctx):
    token = sign_token(4321, "LPG", 60_000, EXPIRY)
    for position in (5, len(token) // 2, len(token) - 3):
        swapped = "A" if token[position] != "A" else "B"
        assert _reason(token[:position] + swapped + token[position + 1 :]) in ("forged", "format")


def test_edited_value_is_forged(ctx):
    raw = _raw(sign_token(4321, "LPG", 60_000, EXPIRY))
    raw[7:11] = (9_000_000).to_bytes(4, "big")  # the value field
    edited = base64.b32encode(bytes(raw)).decode().rstrip("=")
    assert _reason(edited) == "forged"


def test_unknown_key_and_random_text(ctx):
    raw = _raw(sign_token(1, "LPG", 60_000, EXPIRY))
    raw[1:3] = (999).to_bytes(2, "big")  # a key id this server never had
    assert _reason(base64.b32encode(bytes(raw)).decode().rstrip("=")) == "unknown_key"
    for text in ("", "hello world", "12345", "ÄÖÜ" * 40, "A" * 500, "MFRGG==="):
        assert _reason(text) == "format"


def test_rotation_signs_with_new_key_and_old_tokens_verify(ctx):
    old = sign_token(7, "LISTRIK", 50_000, EXPIRY)
    old_kid = verify_token(old).key_id
    new_kid = keys.rotate_key()
    assert new_kid == old_kid + 1
    new = sign_token(7, "LISTRIK", 50_000, EXPIRY)
    assert verify_token(new).key_id == new_kid
    assert verify_token(old).key_id == old_kid
    assert set(keys.public_keys_pem()) >= {old_kid, new_kid}


def test_manual_code_is_stable_and_catches_typos(ctx):
    code = tokens.manual_code(3, 99)
    assert code == tokens.manual_code(3, 99) != tokens.manual_code(3, 100)
    printed = tokens.format_code(code)
    assert tokens.normalise_code(printed.lower()) == code
    typo = ("1" if code[2] != "1" else "2").join([code[:2], code[3:]])
    with pytest.raises(TokenError) as caught:
        tokens.normalise_code(typo)
    assert caught.value.reason == "check"
    assert tokens.looks_like_code(printed) and not tokens.looks_like_code(
        sign_token(1, "LPG", 1, EXPIRY)
    )


def test_voucher_factory_token_names_its_row(app, make_voucher, make_merchant):
    from bansos_app.extensions import db
    from bansos_app.vouchers.models import Voucher

    voucher_id, token, code = make_voucher(program="LPG", value=60_000)
    make_merchant(kind="lpg")
    with app.app_context():
        voucher = db.session.get(Voucher, voucher_id)
        assert verify_token(token).voucher_id == voucher.id
        assert voucher.code_hash == tokens.code_hash(tokens.normalise_code(code))
