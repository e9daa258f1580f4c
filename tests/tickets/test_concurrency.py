"""On PostgreSQL, ten approvals of one ticket at once make exactly one transition."""

import pytest
from sqlalchemy import func, select

from bansos_app.audit.models import AuditEvent
from bansos_app.eligibility.recipient_models import Recipient
from bansos_app.extensions import db
from bansos_app.tickets.submit import TicketError
from bansos_app.tickets.workflow import decide_ticket, verify_ticket
from tests.conftest import run_at_once
from tests.tickets.support import RINA_KK, household, sri_draft, to_stage, user, verification


@pytest.fixture
def postgres(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("concurrency needs PostgreSQL's row locks (SQLite has one writer)")


def _try(app, step, ticket_id: int) -> str:
    with app.test_request_context():
        try:
            step(ticket_id)
            return "done"
        except TicketError as error:
            db.session.rollback()
            return str(error.message)


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def test_ten_approvals_at_once_approve_once(app, postgres, demo):
    with app.test_request_context():
        rina = household(RINA_KK)
        draft = sri_draft(
            kind="usul", program_code="SEMBAKO", subject_household_id=rina.id, reason_code=""
        )
        ticket_id, rina_id = to_stage(draft, "verified").id, rina.id

    def approve(ticket_id):
        decide_ticket(user("dinsos"), ticket_id, True, "Sesuai musdes.")

    results = run_at_once(app, 10, lambda i: _try(app, approve, ticket_id))
    assert results.count("done") == 1 and len(results) == 10
    with app.app_context():
        rows = select(Recipient).where(
            Recipient.household_id == rina_id, Recipient.program_code == "SEMBAKO"
        )
        assert _count(rows) == 1
        approved = select(AuditEvent).where(AuditEvent.action == "tickets.approved")
        assert _count(approved) == 1
        added = select(AuditEvent).where(AuditEvent.action == "recipients.added")
        assert _count(added) == 1


def test_ten_verifications_at_once_verify_once(app, postgres, demo):
    with app.test_request_context():
        ticket_id = to_stage(sri_draft(), "screened").id

    def verify(ticket_id):
        verify_ticket(user("operator"), ticket_id, verification())

    results = run_at_once(app, 10, lambda i: _try(app, verify, ticket_id))
    assert results.count("done") == 1
    with app.app_context():
        verified = select(AuditEvent).where(AuditEvent.action == "tickets.verified")
        assert _count(verified) == 1


def _submit(app, draft_changes: dict) -> str:
    from bansos_app.tickets.submit import submit_ticket

    with app.test_request_context():
        try:
            return str(submit_ticket(None, sri_draft(**draft_changes)).id)
        except TicketError as error:
            db.session.rollback()
            return str(error.message)


def test_a_double_tap_at_once_makes_one_ticket(app, postgres, demo):
    from bansos_app.tickets.models import Ticket

    results = run_at_once(app, 6, lambda i: _submit(app, {}))
    assert len(set(results)) == 1, results  # every request got the same ticket back
    with app.app_context():
        assert _count(select(Ticket)) == 1


def test_the_open_ticket_limit_holds_at_once(app, postgres, demo):
    from datetime import date

    from bansos_app.registry.identity import kk_for, nik_for
    from bansos_app.tickets.models import Ticket

    # Five proposals of five different new families by Sri at the same moment: at most three.
    changes = [
        dict(
            kind="usul",
            program_code="SEMBAKO",
            subject_household_id=None,
            reason_code="",
            proposed={
                "nik": nik_for("170312", date(1990, 1, 1 + n), "L", 7000 + n),
                "kk": kk_for("170312", date(2020, 1, 1), 7000 + n),
                "name": f"Keluarga Baru {n}",
                "village_code": "17.03.12.2003",
            },
        )
        for n in range(5)
    ]
    results = run_at_once(app, 5, lambda i: _submit(app, changes[i]))
    with app.app_context():
        open_ = select(Ticket).where(Ticket.stage.in_(("submitted", "screened", "verified")))
        assert _count(open_) == 3, results
