"""`bansos verify-token`, `rotate-voucher-key` and `voucher-public-keys`: output and exit codes."""

from datetime import date, timedelta

from bansos_app.extensions import db
from bansos_app.vouchers.models import Voucher
from bansos_app.vouchers.tokens import format_code, sign_token


def _verify(runner, text):
    return runner.invoke(args=["bansos", "verify-token", text])


def test_good_token_prints_what_a_shop_sees(runner, make_voucher):
    voucher_id, token, code = make_voucher(value=200_000)
    result = _verify(runner, token)
    assert result.exit_code == 0, result.output
    out = result.output
    for words in ("SEMBAKO", "Rp200.000", "active", "Giri Kencana (17.03.12.2003)", "Uji"):
        assert words in out
    assert "Warga" in out and "********" in out  # masked holder, never a NIK in clear
    assert _verify(runner, format_code(code).lower()).exit_code == 0  # the manual code too


def test_forged_unknown_and_random_tokens_exit_non_zero(app, runner, make_voucher):
    _voucher_id, token, code = make_voucher()
    flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    for text, reason in (
        (flipped, "does NOT verify"),
        ("HELLO WORLD 123", "does NOT verify"),
        (code[:-1] + ("0" if code[-1] != "0" else "1"), "does NOT verify"),
    ):
        result = _verify(runner, text)
        assert result.exit_code == 1, (text, result.output)
        assert reason in result.output
    with app.app_context():
        unknown = sign_token(999_999, "SEMBAKO", 200_000, date.today())
        edited = sign_token(_voucher_id, "SEMBAKO", 900_000, date.today() + timedelta(days=30))
    result = _verify(runner, unknown)
    assert result.exit_code == 2 and "no such voucher" in result.output
    result = _verify(runner, edited)  # signed, but not what the voucher is
    assert result.exit_code == 1


def test_voided_or_expired_voucher_exits_non_zero(app, runner, make_voucher):
    voucher_id, token, _code = make_voucher()
    with app.app_context():
        voucher = db.session.get(Voucher, voucher_id)
        voucher.state, voucher.void_reason = "voided", "Diblokir"
        db.session.commit()
    result = _verify(runner, token)
    assert result.exit_code == 3 and "voided (Diblokir)" in result.output
    _id, old, _ = make_voucher(label="Lama", ends_on=date.today() - timedelta(days=2))
    result = _verify(runner, old)
    assert result.exit_code == 3 and "expired" in result.output


def test_rotate_key_then_old_tokens_still_verify(runner, make_voucher):
    _id, token, _code = make_voucher()
    first = runner.invoke(args=["bansos", "voucher-public-keys"])
    assert first.exit_code == 0 and first.output.count("BEGIN PUBLIC KEY") >= 1
    rotated = runner.invoke(args=["bansos", "rotate-voucher-key"])
    assert rotated.exit_code == 0 and "New voucher signing key:" in rotated.output
    new = int(rotated.output.rsplit(":", 1)[1])
    assert _verify(runner, token).exit_code == 0
    keys = runner.invoke(args=["bansos", "voucher-public-keys"])
    assert f"# key {new}" in keys.output and keys.output.count("BEGIN PUBLIC KEY") == new
