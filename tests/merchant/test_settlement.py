"""Settlement services: lines and totals, the state machine, double approval, CSV."""

import csv
import io

import pytest
from sqlalchemy import func, select

from bansos_app.auth.models import User
from bansos_app.extensions import db
from bansos_app.merchant import settlement as svc
from bansos_app.merchant.models import Merchant, Settlement
from bansos_app.merchant.settlement_export import settlement_csv
from bansos_app.vouchers.models import DistributionPeriod, Voucher
from tests.conftest import run_at_once
from tests.merchant.settlement_helpers import (
    audit_actions,
    put_in_state,
    redeem,
    shop_with_sales,
    snapshot,
)

STATES = ("open", "submitted", "approved", "paid")
# The one state each action may start from.
LEGAL = {"submit": "open", "approve": "submitted", "pay": "approved", "return": "submitted"}


@pytest.fixture
def dinsos(make_user):
    return make_user("dinas", role="dinsos_admin")


@pytest.fixture
def shop(app, make_voucher, make_merchant):
    """A shop with Rp120.000 and Rp80.000 redeemed and one undone redemption of Rp5.000."""
    merchant_id, username, period_id = shop_with_sales(app, make_voucher, make_merchant)
    other_voucher, _, _ = make_voucher()
    redeem(app, other_voucher, merchant_id, 5_000, undone=True)
    return merchant_id, period_id


def _objects(merchant_id, period_id):
    merchant = db.session.get(Merchant, merchant_id)
    return merchant, db.session.get(DistributionPeriod, period_id), merchant.user


def _act(action, merchant_id, period_id, dinsos_id, settlement_id):
    """Run one action as the actor that would run it."""
    merchant, period, shop_user = _objects(merchant_id, period_id)
    admin = db.session.get(User, dinsos_id)
    settlement = db.session.get(Settlement, settlement_id)
    if action == "submit":
        return svc.submit_settlement(shop_user, merchant, period)
    if action == "approve":
        return svc.approve_settlement(admin, settlement)
    if action == "pay":
        return svc.mark_paid(admin, settlement, "TRF-2026-0001")
    return svc.return_settlement(admin, settlement, "Nota kurang")


def test_settlement_for_creates_one_open_row(app, shop):
    merchant_id, period_id = shop
    with app.test_request_context():
        first = svc.settlement_for(merchant_id, period_id)
        second = svc.settlement_for(merchant_id, period_id)
        db.session.commit()
        assert first.id == second.id and first.state == "open"
        assert db.session.scalar(select(func.count(Settlement.id))) == 1


def test_settlement_for_at_once_makes_one_row(app, shop):
    merchant_id, period_id = shop

    def first_use(_):
        settlement = svc.settlement_for(merchant_id, period_id)
        db.session.commit()
        return settlement.id

    assert len(set(run_at_once(app, 6, first_use))) == 1


def test_lines_total_and_masked_holders(app, shop):
    merchant_id, period_id = shop
    with app.test_request_context():
        lines = svc.settlement_lines(merchant_id, period_id)
        assert (lines.count, lines.total) == (2, 200_000)
        assert [line.redemption.amount for line in lines.live] == [120_000, 80_000]
        assert [line.redemption.amount for line in lines.undone] == [5_000]
        for line in lines.live + lines.undone:
            assert "********" in line.holder_nik and len(line.holder_nik) == 16


def test_submit_freezes_the_live_total(app, shop):
    merchant_id, period_id = shop
    with app.test_request_context():
        merchant, period, user = _objects(merchant_id, period_id)
        settlement = svc.submit_settlement(user, merchant, period)
        assert settlement.state == "submitted"
        assert (settlement.redemption_count, settlement.total) == (2, 200_000)
        assert settlement.submitted_by_id == user.id
    assert audit_actions(app)[-1] == "settlements.submitted"


def test_submit_without_redemptions_is_refused(app, make_merchant, make_voucher):
    merchant_id, _ = make_merchant()
    voucher_id, _, _ = make_voucher()
    with app.test_request_context():
        period_id = db.session.get(Voucher, voucher_id).period_id
        merchant, period, user = _objects(merchant_id, period_id)
        with pytest.raises(svc.SettlementError, match="Belum ada penukaran"):
            svc.submit_settlement(user, merchant, period)
        assert db.session.scalar(select(func.count(Settlement.id))) == 0


def test_only_the_shops_own_account_submits(app, shop, make_merchant, dinsos):
    merchant_id, period_id = shop
    other_id, _ = make_merchant()
    with app.test_request_context():
        merchant, period, _ = _objects(merchant_id, period_id)
        for actor in (db.session.get(Merchant, other_id).user, db.session.get(User, dinsos)):
            with pytest.raises(svc.SettlementError, match="Hanya akun toko ini"):
                svc.submit_settlement(actor, merchant, period)
        assert db.session.scalar(select(func.count(Settlement.id))) == 0


def test_the_whole_way_open_to_paid(app, shop, dinsos):
    merchant_id, period_id = shop
    settlement_id = put_in_state(app, merchant_id, period_id, "open")
    for action, expected in (("submit", "submitted"), ("approve", "approved"), ("pay", "paid")):
        with app.test_request_context():
            assert _act(action, merchant_id, period_id, dinsos, settlement_id).state == expected
    row = snapshot(app, settlement_id)
    assert row["payment_reference"] == "TRF-2026-0001" and row["total"] == 200_000
    assert audit_actions(app)[-3:] == [
        "settlements.submitted",
        "settlements.approved",
        "settlements.paid",
    ]


ILLEGAL = [(a, s) for a in LEGAL for s in STATES if s != LEGAL[a]]


@pytest.mark.parametrize(("action", "state"), ILLEGAL)
def test_every_illegal_transition_is_refused_and_changes_nothing(app, shop, dinsos, action, state):
    merchant_id, period_id = shop
    settlement_id = put_in_state(app, merchant_id, period_id, state)
    before, log = snapshot(app, settlement_id), audit_actions(app)
    with app.test_request_context(), pytest.raises(svc.SettlementError) as refused:
        _act(action, merchant_id, period_id, dinsos, settlement_id)
    assert str(refused.value.message)
    assert snapshot(app, settlement_id) == before
    assert audit_actions(app) == log


@pytest.mark.parametrize("state", ["approved", "paid"])
def test_approving_twice_says_already_approved(app, shop, dinsos, state):
    merchant_id, period_id = shop
    settlement_id = put_in_state(app, merchant_id, period_id, state)
    with app.test_request_context(), pytest.raises(svc.SettlementError, match="sudah disetujui"):
        _act("approve", merchant_id, period_id, dinsos, settlement_id)


def test_a_double_clicked_approval_is_one_transition(app, shop, dinsos):
    merchant_id, period_id = shop
    settlement_id = put_in_state(app, merchant_id, period_id, "submitted")

    def approve(_):
        try:
            with app.test_request_context():
                _act("approve", merchant_id, period_id, dinsos, settlement_id)
            return "ok"
        except svc.SettlementError as e:
            with app.test_request_context():
                return str(e.message)

    results = run_at_once(app, 4, approve)
    assert sorted(results) == ["Rekap ini sudah disetujui."] * 3 + ["ok"]
    assert audit_actions(app).count("settlements.approved") == 1


def test_approval_refused_when_redemptions_changed_since_submission(app, shop, dinsos):
    merchant_id, period_id = shop
    settlement_id = put_in_state(app, merchant_id, period_id, "submitted")
    with app.test_request_context():
        # Dinsos reversed one after the shop submitted.
        settlement = db.session.get(Settlement, settlement_id)
        first = svc.settlement_lines(merchant_id, period_id).live[0].redemption
        first.undone_at = settlement.submitted_at
        db.session.commit()
    before = snapshot(app, settlement_id)
    with app.test_request_context(), pytest.raises(svc.SettlementError, match="berubah"):
        _act("approve", merchant_id, period_id, dinsos, settlement_id)
    assert snapshot(app, settlement_id) == before


def test_only_dinsos_acts_on_a_settlement(app, shop):
    merchant_id, period_id = shop
    settlement_id = put_in_state(app, merchant_id, period_id, "submitted")
    before = snapshot(app, settlement_id)
    with app.test_request_context():
        merchant, _, shop_user = _objects(merchant_id, period_id)
        settlement = db.session.get(Settlement, settlement_id)
        with pytest.raises(svc.SettlementError, match="Hanya admin Dinsos"):
            svc.approve_settlement(shop_user, settlement)
    assert snapshot(app, settlement_id) == before


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("", "Isi nomor referensi"),
        ("   ", "Isi nomor referensi"),
        ("TRF\n123", "satu baris"),
        ("X" * 81, "paling banyak 80"),
    ],
)
def test_payment_needs_a_one_line_reference(app, shop, dinsos, reference, message):
    merchant_id, period_id = shop
    settlement_id = put_in_state(app, merchant_id, period_id, "approved")
    before = snapshot(app, settlement_id)
    with app.test_request_context():
        settlement = db.session.get(Settlement, settlement_id)
        with pytest.raises(svc.SettlementError, match=message):
            svc.mark_paid(db.session.get(User, dinsos), settlement, reference)
    assert snapshot(app, settlement_id) == before


def test_return_opens_it_again_with_the_reason(app, shop, dinsos):
    merchant_id, period_id = shop
    settlement_id = put_in_state(app, merchant_id, period_id, "submitted")
    with app.test_request_context():
        admin = db.session.get(User, dinsos)
        settlement = db.session.get(Settlement, settlement_id)
        with pytest.raises(svc.SettlementError, match="alasan"):
            svc.return_settlement(admin, settlement, " ")
        settlement = svc.return_settlement(admin, settlement, "Nota kurang satu")
        assert (settlement.state, settlement.total, settlement.submitted_at) == ("open", 0, None)
        assert svc.last_return_reason(settlement) == "Nota kurang satu"
    # The shop can submit again afterwards.
    with app.test_request_context():
        assert _act("submit", merchant_id, period_id, dinsos, settlement_id).state == "submitted"


def test_csv_has_every_line_a_total_and_no_nik_in_clear(app, shop):
    merchant_id, period_id = shop
    with app.test_request_context():
        settlement = svc.settlement_for(merchant_id, period_id)
        niks = list(db.session.scalars(select(db.text("nik FROM person"))))
        text = settlement_csv(settlement)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:4] == ["Waktu (WIB)", "Seri voucher", "Program", "Jumlah (Rp)"]
    lines, total = rows[1:-1], rows[-1]
    assert [r[3] for r in lines] == ["120000", "80000", "5000"]
    assert [r[5] for r in lines] == ["Sah", "Sah", "Dibatalkan"]
    assert all(r[0].endswith("WIB") for r in lines)
    assert total[0] == "Total" and int(total[3]) == 200_000
    assert niks and not any(nik in text for nik in niks)
    assert all("********" in r[4] for r in lines)
