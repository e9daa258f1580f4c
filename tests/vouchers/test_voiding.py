"""Voiding: a removed recipient's and a blocked household's unspent vouchers, with the reason."""

import json

import pytest
from sqlalchemy import select

from bansos_app.audit.models import AuditEvent
from bansos_app.eligibility.recipient_models import Recipient
from bansos_app.eligibility.recipients import remove_recipient
from bansos_app.extensions import db
from bansos_app.registry.edits import change_status
from bansos_app.registry.models import Household
from bansos_app.vouchers.models import Voucher
from bansos_app.vouchers.services import issue_vouchers, open_period, void_unspent
from tests.vouchers.issue_helpers import GIRI, add_recipients, dinsos, this_period  # noqa: F401

START, END = this_period()


@pytest.fixture
def issued(dinsos, make_household):  # noqa: F811
    """Two Giri Kencana households with a Sembako and an LPG voucher each."""
    ids = [make_household(GIRI), make_household(GIRI)]
    for program in ("SEMBAKO", "LPG"):
        add_recipients(ids, program=program)
        issue_vouchers(open_period(dinsos, program, "Tahap 4", START, END), dinsos)
    return ids


def _states(household_id):
    rows = db.session.execute(
        select(Voucher.program_code, Voucher.state, Voucher.void_reason)
        .where(Voucher.household_id == household_id)
        .order_by(Voucher.program_code)
    )
    return [tuple(r) for r in rows]


def test_void_unspent_skips_spent_and_other_programs(dinsos, issued):  # noqa: F811
    spent = db.session.scalar(
        select(Voucher).where(Voucher.household_id == issued[0], Voucher.program_code == "LPG")
    )
    spent.balance, spent.state = 0, "spent"
    db.session.commit()
    assert void_unspent(dinsos, issued[0], "Pindah", program_code="LPG") == 0
    assert void_unspent(dinsos, issued[0], "Pindah") == 1
    db.session.commit()
    # The spent one keeps its state but carries the stamp: an undo later gives back void money.
    assert _states(issued[0]) == [("LPG", "spent", "Pindah"), ("SEMBAKO", "voided", "Pindah")]
    assert _states(issued[1]) == [("LPG", "active", ""), ("SEMBAKO", "active", "")]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "vouchers.voided"))
    assert json.loads(event.details)["reason"] == "Pindah"


def test_removed_recipient_loses_that_programs_voucher(dinsos, issued):  # noqa: F811
    row = db.session.scalar(
        select(Recipient).where(
            Recipient.household_id == issued[0], Recipient.program_code == "SEMBAKO"
        )
    )
    remove_recipient(dinsos, row, "Pindah ke luar kabupaten")
    assert _states(issued[0]) == [
        ("LPG", "active", ""),
        ("SEMBAKO", "voided", "Pindah ke luar kabupaten"),
    ]
    assert db.session.scalar(select(Voucher.voided_at).where(Voucher.state == "voided"))
    # A removed recipient gets no new voucher either.
    period = db.session.scalar(select(Voucher).where(Voucher.state == "voided")).period
    assert issue_vouchers(period, dinsos) == 0


def test_blocking_voids_every_unspent_voucher(dinsos, issued):  # noqa: F811
    household = db.session.get(Household, issued[0])
    change_status(dinsos, household, "blocked", "Judi online (hasil verifikasi)")
    reason = "Judi online (hasil verifikasi)"
    assert _states(issued[0]) == [("LPG", "voided", reason), ("SEMBAKO", "voided", reason)]
    household = db.session.get(Household, issued[0])
    assert (household.status, household.status_reason) == ("blocked", reason)
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "registry.status_changed")
    )
    details = json.loads(event.details)
    assert (details["old"], details["new"], details["vouchers_voided"]) == ("active", "blocked", 2)
    # Unblocking brings no voided voucher back.
    change_status(dinsos, household, "active", "Sanggah diterima")
    assert [s for _, s, _ in _states(issued[0])] == ["voided", "voided"]
