"""Slip contents, which vouchers can be printed, and the counting and audit of every print."""

import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bansos_app.audit.models import AuditEvent
from bansos_app.extensions import db
from bansos_app.vouchers.models import DistributionPeriod, Voucher
from bansos_app.vouchers.slips import printable_for, record_prints, slip_for
from bansos_app.vouchers.tokens import format_code, manual_code, verify_token
from tests.vouchers.slip_helpers import vouchers


def test_slip_shows_what_the_issue_asks(app, make_voucher):
    voucher_id, _, code = make_voucher(value=200_000)
    with app.app_context():
        [voucher] = vouchers(voucher_id)
        slip = slip_for(voucher, "58")
        assert slip.program == "Sembako / BPNT"
        assert slip.value == 200_000
        assert slip.balance is None  # nothing spent: no "remaining" line
        assert slip.period == "Uji"
        assert slip.expires_on == voucher.expires_on
        assert slip.village == "Giri Kencana"
        assert slip.head_name == voucher.household.head.name
        assert re.fullmatch(r"\d{4}\*{8}\d{4}", slip.head_nik)
        assert slip.serial == voucher.serial
        assert slip.manual_code == format_code(code)
        assert slip.manual_code == format_code(manual_code(voucher.period_id, voucher.household_id))
        assert verify_token(slip.token).voucher_id == voucher_id
        assert slip.qr.dots_per_module == 5
        assert slip.reprint == 0


def test_slip_of_a_partly_spent_voucher_shows_the_balance(app, make_voucher):
    voucher_id, _, _ = make_voucher(value=200_000)
    with app.app_context():
        [voucher] = vouchers(voucher_id)
        voucher.balance = 80_000
        assert slip_for(voucher).balance == 80_000


def test_record_prints_counts_and_audits_in_the_callers_transaction(app, make_voucher, make_user):
    first, _, _ = make_voucher()
    second, _, _ = make_voucher(program="LPG", value=60_000)
    with app.app_context():
        rows = vouchers(first, second)
        record_prints(None, rows, device=7, channel="bulk")
        db.session.rollback()  # not committed by record_prints: a rollback undoes both
        assert db.session.get(Voucher, first).print_count == 0
        assert not db.session.scalars(select(AuditEvent).filter_by(action="vouchers.printed")).all()
        rows = vouchers(first, second)
        record_prints(None, rows, device=7, channel="bulk")
        record_prints(None, rows[:1], channel="phone")
        db.session.commit()
        assert db.session.get(Voucher, first).print_count == 2
        assert db.session.get(Voucher, second).print_count == 1
        assert db.session.get(Voucher, first).last_printed_at is not None
        events = db.session.scalars(
            select(AuditEvent).filter_by(action="vouchers.printed").order_by(AuditEvent.seq)
        ).all()
        details = [json.loads(e.details) for e in events]
        assert [(d["channel"], d["reprint"], d["device"]) for d in details] == [
            ("bulk", 0, 7),
            ("bulk", 0, 7),
            ("phone", 1, None),
        ]
        assert details[0]["serial"] == rows[0].serial
        # The reprint number is what the next slip prints.
        assert slip_for(db.session.get(Voucher, first)).reprint == 2


def test_unknown_channel_is_refused(app, make_voucher):
    voucher_id, _, _ = make_voucher()
    with app.app_context(), pytest.raises(ValueError):
        record_prints(None, vouchers(voucher_id), channel="fax")


def test_printable_for_keeps_active_unexpired_vouchers(app, make_household, make_voucher):
    household = make_household()
    today = date.today()
    good, _, _ = make_voucher(household_id=household)
    voided, _, _ = make_voucher(program="LPG", value=60_000, household_id=household)
    spent, _, _ = make_voucher(program="LISTRIK", value=50_000, household_id=household)
    later, _, _ = make_voucher(household_id=household, label="Nanti")
    other, _, _ = make_voucher()  # another household
    with app.app_context():
        db.session.get(Voucher, voided).state = "voided"
        db.session.get(Voucher, spent).balance = 0
        period = db.session.get(Voucher, later).period
        period.starts_on, period.ends_on = today + timedelta(days=3), today + timedelta(days=30)
        db.session.commit()
        assert [v.id for v in printable_for(household, today)] == [good]
        assert printable_for(household, today + timedelta(days=60)) == []
        assert [v.id for v in printable_for(household, today + timedelta(days=4))] == [
            good,
            later,
        ]
        assert other not in [v.id for v in printable_for(household, today)]
        assert db.session.scalar(select(DistributionPeriod).filter_by(label="Nanti"))
