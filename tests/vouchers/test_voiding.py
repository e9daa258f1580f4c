"""Voiding: a removed recipient's and a blocked household's unspent vouchers, with the reason."""

import json

from sqlalchemy import select

from bansos_app.audit.models import AuditEvent
from bansos_app.eligibility.recipient_models import Recipient
from bansos_app.eligibility.recipients import remove_recipient
from bansos_app.extensions import db
from bansos_app.registry.edits import change_status
from bansos_app.registry.models import Household
from bansos_app.vouchers.models import Voucher
from bansos_app.vouchers.services import issue_vouchers, void_unspent
from tests.vouchers.issue_helpers import (  # noqa: F401
    GIRI,
    add_recipients,
    dinsos,
    issued,
    this_period,
    voucher_states,
)

START, END = this_period()


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
    assert voucher_states(issued[0]) == [
        ("LPG", "spent", "Pindah"),
        ("SEMBAKO", "voided", "Pindah"),
    ]
    assert voucher_states(issued[1]) == [("LPG", "active", ""), ("SEMBAKO", "active", "")]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "vouchers.voided"))
    assert json.loads(event.details)["reason"] == "Pindah"


def test_removed_recipient_loses_that_programs_voucher(dinsos, issued):  # noqa: F811
    row = db.session.scalar(
        select(Recipient).where(
            Recipient.household_id == issued[0], Recipient.program_code == "SEMBAKO"
        )
    )
    remove_recipient(dinsos, row, "Pindah ke luar kabupaten")
    assert voucher_states(issued[0]) == [
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
    assert voucher_states(issued[0]) == [("LPG", "voided", reason), ("SEMBAKO", "voided", reason)]
    household = db.session.get(Household, issued[0])
    assert (household.status, household.status_reason) == ("blocked", reason)
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "registry.status_changed")
    )
    details = json.loads(event.details)
    assert (details["old"], details["new"], details["vouchers_voided"]) == ("active", "blocked", 2)
    # Unblocking brings no voided voucher back.
    change_status(dinsos, household, "active", "Sanggah diterima")
    assert [s for _, s, _ in voucher_states(issued[0])] == ["voided", "voided"]
