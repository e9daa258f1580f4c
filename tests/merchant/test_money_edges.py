"""Edges found in review: money given back after voiding, early vouchers, odd serials."""

from datetime import date, timedelta

from sqlalchemy import select

from bansos_app.auth.models import User
from bansos_app.extensions import db
from bansos_app.registry.edits import EditRefused, change_status
from bansos_app.registry.models import Household
from bansos_app.vouchers.models import DistributionPeriod, Redemption, Voucher
from tests.conftest import csrf_from
from tests.merchant.redeem_support import snapshot, try_redeem, try_undo


def test_undo_after_blocking_gives_back_void_money(app, demo, make_voucher, make_merchant):
    voucher_id, token, _ = make_voucher(program="LPG", value=60_000)
    shop, _name = make_merchant(kind="lpg")
    redemption_id = try_redeem(app, token, 60_000, shop)
    assert isinstance(redemption_id, int)
    with app.test_request_context():
        voucher = db.session.get(Voucher, voucher_id)
        dinsos = db.session.scalar(select(User).filter_by(username="dinsos"))
        change_status(dinsos, voucher.household, "blocked", "Judi online (data PPATK)")
    assert try_undo(app, redemption_id, shop) is None
    after = snapshot(app, voucher_id)
    assert (after["balance"], after["state"]) == (60_000, "voided")
    assert try_redeem(app, token, 60_000, shop) == "voided"


def test_voucher_of_a_period_not_started_is_refused(app, make_voucher, make_merchant):
    voucher_id, token, _ = make_voucher(label="Nanti")
    shop, _name = make_merchant()
    with app.app_context():
        period = db.session.get(Voucher, voucher_id).period
        period.starts_on = date.today() + timedelta(days=3)
        db.session.commit()
    before = snapshot(app, voucher_id)
    assert try_redeem(app, token, 50_000, shop) == "not_started"
    assert snapshot(app, voucher_id) == before


def test_graduated_household_is_not_reactivated_by_a_click(app, demo):
    with app.test_request_context():
        household = db.session.scalar(select(Household).where(Household.status == "active"))
        household.status = "graduated"
        db.session.commit()
        operator = db.session.scalar(select(User).filter_by(username="dinsos"))
        try:
            change_status(operator, household, "active", "Salah input")
        except EditRefused as refused:
            assert "graduasi" in str(refused.message)
        else:
            raise AssertionError("a graduated household was made active")
        db.session.rollback()
        assert db.session.get(Household, household.id).status == "graduated"


def test_reversal_search_with_huge_numbers_is_422(app, client, auth, demo):
    auth.login("dinsos", "demo-dinsos-admin")
    for text in ("999999999-9999999999", "#99999999999", "١٢٣-٤٥٦"):
        response = client.get("/staf/penukaran/", query_string={"q": text})
        assert response.status_code in (200, 422), text
    with app.app_context():
        assert db.session.scalar(select(Redemption.id)) is None


def test_two_periods_opened_at_once_give_one(app, client, auth, demo):
    auth.login("dinsos", "demo-dinsos-admin")
    page = client.get("/staf/periode/")
    fields = {
        "csrf_token": csrf_from(page.data),
        "program": "SEMBAKO",
        "label": "Ganda",
        "starts_on": "2031-01-01",
        "ends_on": "2031-02-01",
    }
    first = client.post("/staf/periode/buka", data=fields)
    second = client.post("/staf/periode/buka", data=fields)
    assert first.status_code == 303 and second.status_code == 422
    with app.app_context():
        found = db.session.scalars(select(DistributionPeriod).filter_by(label="Ganda")).all()
        assert len(found) == 1
