"""On PostgreSQL, 20 shops' clicks at once never overspend a voucher or redeem a key twice."""

import pytest
from sqlalchemy import func, select

from bansos_app.extensions import db
from bansos_app.vouchers.models import Redemption
from tests.conftest import run_at_once
from tests.merchant.redeem_support import audit_actions, new_key, snapshot, try_redeem

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def postgres(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("concurrency needs PostgreSQL's row locks (SQLite has one writer)")


def test_twenty_at_once_never_exceed_the_value(app, postgres, make_voucher, make_merchant):
    voucher_id, token, _ = make_voucher(value=200_000)
    shop, _ = make_merchant()
    results = run_at_once(app, 20, lambda i: try_redeem(app, token, 30_000, shop, new_key()))
    done = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if not isinstance(r, int)]
    # 6 x Rp30.000 fit in Rp200.000; the seventh would overspend.
    assert len(done) == 6 and len(set(done)) == 6
    assert set(refused) <= {"over_balance", "changed"} and len(refused) == 14
    after = snapshot(app, voucher_id)
    assert after["balance"] == 200_000 - 6 * 30_000 == 20_000
    assert after["total"] == 180_000 and after["live"] == 6
    with app.app_context():
        ledger = db.session.scalars(
            select(Redemption.id).where(Redemption.voucher_id == voucher_id)
        ).all()
    assert sorted(ledger) == sorted(done)
    assert audit_actions(app) == ["vouchers.redeemed"] * 6


def test_twenty_at_once_down_to_zero(app, postgres, make_voucher, make_merchant):
    voucher_id, token, _ = make_voucher(value=200_000)
    shop, _ = make_merchant()
    results = run_at_once(app, 20, lambda i: try_redeem(app, token, 10_000, shop, new_key()))
    assert sum(isinstance(r, int) for r in results) == 20
    after = snapshot(app, voucher_id)
    assert (after["balance"], after["state"], after["total"]) == (0, "spent", 200_000)


def test_twenty_with_the_same_key_redeem_once(app, postgres, make_voucher, make_merchant):
    voucher_id, token, _ = make_voucher(value=200_000)
    shop, _ = make_merchant()
    key = new_key()
    results = run_at_once(app, 20, lambda i: try_redeem(app, token, 30_000, shop, key))
    assert len(set(results)) == 1 and isinstance(results[0], int)
    after = snapshot(app, voucher_id)
    assert (after["balance"], after["live"]) == (170_000, 1)
    with app.app_context():
        count = db.session.scalar(
            select(func.count(Redemption.id)).where(Redemption.idempotency_key == key)
        )
    assert count == 1
    assert audit_actions(app) == ["vouchers.redeemed"]
