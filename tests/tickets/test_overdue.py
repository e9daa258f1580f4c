"""Due dates: the scheduled job lapses unverified objections and flags other late tickets."""

from datetime import date, datetime, timedelta

from sqlalchemy import update

from bansos_app.extensions import db
from bansos_app.jobs.queue import huey
from bansos_app.tickets.models import Ticket
from bansos_app.tickets.tasks import mark_overdue_task
from bansos_app.tickets.workflow import mark_overdue
from tests.tickets.support import (
    RINA_KK,
    RINA_NIK,
    audit_actions,
    audit_count,
    household,
    receiving,
    sri_draft,
    ticket_row,
    to_stage,
)


def _four_tickets() -> dict[str, int]:
    """A screened objection of each kind, a screened usul and a verified usul."""
    rina = household(RINA_KK).id
    return {
        "own": to_stage(sri_draft(), "screened").id,
        "other": to_stage(
            sri_draft(
                kind="sanggah_lain", subject_household_id=receiving().id, reason_code="mampu"
            ),
            "screened",
        ).id,
        "usul": to_stage(
            sri_draft(
                kind="usul", program_code="SEMBAKO", subject_household_id=rina, reason_code=""
            ),
            "screened",
        ).id,
        "verified": to_stage(
            sri_draft(
                kind="usul",
                program_code="PKH",
                subject_household_id=rina,
                reason_code="",
                submitter_nik=RINA_NIK,
            ),
            "verified",
        ).id,
    }


def test_nothing_is_late_on_the_due_date(app, demo):
    with app.test_request_context():
        ids = _four_tickets()
        due = ticket_row(ids["own"])["due_on"]
        assert due == date.today() + timedelta(days=14)
        events = audit_count()
        assert mark_overdue(due) == {"lapsed": 0, "overdue": 0}
        assert audit_count() == events


def test_late_objections_lapse_and_other_tickets_are_flagged_once(app, demo):
    with app.test_request_context():
        ids = _four_tickets()
        events = audit_count()
        late = date.today() + timedelta(days=15)
        assert mark_overdue(late) == {"lapsed": 2, "overdue": 2}
        rows = {name: ticket_row(i) for name, i in ids.items()}
        for name in ("own", "other"):
            row = rows[name]
            assert (row["stage"], row["outcome"], row["decision_reason"]) == (
                "closed",
                "lapsed",
                "lapsed",
            )
            assert row["closed_at"] is not None
        for name in ("usul", "verified"):
            assert rows[name]["overdue"] is True and rows[name]["outcome"] is None
        assert rows["usul"]["stage"] == "screened" and rows["verified"]["stage"] == "verified"
        assert sorted(audit_actions(events)) == sorted(
            ["tickets.lapsed"] * 2 + ["tickets.overdue"] * 2
        )
        # A second run (the hourly job) changes nothing and audits nothing.
        events = audit_count()
        assert mark_overdue(late) == {"lapsed": 0, "overdue": 0}
        assert mark_overdue(late + timedelta(days=30)) == {"lapsed": 0, "overdue": 0}
        assert audit_count() == events
        assert {name: ticket_row(i) for name, i in ids.items()} == rows


def test_verifying_clears_the_flag_and_gives_a_new_due_date(app, demo):
    with app.test_request_context():
        ticket = to_stage(
            sri_draft(
                kind="usul",
                program_code="SEMBAKO",
                subject_household_id=household(RINA_KK).id,
                reason_code="",
            ),
            "screened",
        )
        db.session.execute(
            update(Ticket)
            .where(Ticket.id == ticket.id)
            .values(due_on=date.today() - timedelta(days=1))
        )
        db.session.commit()
        assert mark_overdue() == {"lapsed": 0, "overdue": 1}
        from bansos_app.tickets.workflow import verify_ticket
        from tests.tickets.support import user, verification

        verify_ticket(user("operator"), ticket.id, verification())
        row = ticket_row(ticket.id)
        assert row["overdue"] is False and row["due_on"] == date.today() + timedelta(days=14)


def test_the_task_runs_in_the_queue(app, demo):
    with app.test_request_context():
        ticket_id = to_stage(sri_draft(), "screened").id
        db.session.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id)
            .values(due_on=date.today() - timedelta(days=1))
        )
        db.session.commit()
    with app.app_context():
        events = audit_count()
        # The task's own body, as a worker runs it (whatever mode another test left huey in).
        mark_overdue_task.call_local()
        # huey keeps no result for periodic tasks: look at what it did.
        assert ticket_row(ticket_id)["outcome"] == "lapsed"
        assert audit_actions(events) == ["tickets.lapsed"]
        mark_overdue_task.call_local()
        assert audit_count() == events + 1


def test_the_task_is_periodic_every_hour():
    names = {task.name for task in huey._registry.periodic_tasks}
    assert "mark_overdue_tickets" in names
    due = [
        [t.name for t in huey.read_periodic(datetime(2026, 12, 2, h, m))]
        for h, m in [(17, 20), (3, 20), (3, 21), (17, 0)]
    ]
    assert ["mark_overdue_tickets" in d for d in due] == [True, True, False, False]
    assert mark_overdue_task.name == "mark_overdue_tickets"
