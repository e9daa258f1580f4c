"""Every (stage, step, role) outside the state machine is refused and changes nothing."""

from datetime import date, timedelta
from itertools import product

import pytest

from bansos_app.extensions import db
from bansos_app.tickets.models import STAGES, Ticket
from bansos_app.tickets.submit import TicketError, submit_ticket
from bansos_app.tickets.workflow import (
    STEPS,
    close_ticket,
    decide_ticket,
    mark_overdue,
    verify_ticket,
)
from tests.tickets.support import (
    URAI,
    audit_actions,
    audit_count,
    own_draft,
    residents,
    sri_draft,
    ticket_row,
    to_stage,
    user,
    verification,
)

# Each stage a ticket can be in; "closed" four ways (after approval, rejection, screening, lapse).
STATES = (
    "submitted",
    "screened",
    "verified",
    "applied",
    "closed_approved",
    "closed_rejected",
    "closed_auto_rejected",
    "closed_lapsed",
)
ACTIONS = ("verify", "approve", "reject", "close")
# operator: Giri Kencana + Urai (the ticket's village); toko is a shop (merchant) account.
ROLES = ("operator", "pendamping", "auditor", "toko", "dinsos", "admin")
DONE = {"verify": "verified", "approve": "approved", "reject": "rejected", "close": "closed"}
LEGAL = {
    ("screened", "verify", "operator"),
    ("verified", "approve", "dinsos"),
    ("verified", "approve", "admin"),
    ("verified", "reject", "dinsos"),
    ("verified", "reject", "admin"),
    ("applied", "close", "dinsos"),
    ("applied", "close", "admin"),
}


def test_the_tables_cover_the_state_machine():
    assert set(ACTIONS) | {"lapse"} == set(STEPS)
    assert {s.split("_")[0] for s in STATES} == set(STAGES)


def _take(action: str, username: str, ticket_id: int) -> Ticket:
    actor = user(username)
    if action == "verify":
        return verify_ticket(actor, ticket_id, verification())
    if action == "close":
        return close_ticket(actor, ticket_id)
    return decide_ticket(actor, ticket_id, action == "approve", "Sesuai hasil verifikasi.")


def _ticket_in(state: str) -> Ticket:
    """Sri's objection to her own desil, driven to the state."""
    if state == "submitted":
        # Mid-screening (screening runs in the same transaction): nobody may act on it yet.
        ticket = to_stage(sri_draft(), "screened")
        ticket.stage = "submitted"
        db.session.commit()
        return ticket
    if state == "closed_auto_rejected":
        ticket = submit_ticket(None, sri_draft(submitter_nik="1703124107850099"))
        assert ticket.outcome == "auto_rejected"
        return ticket
    if state == "closed_lapsed":
        ticket = to_stage(sri_draft(), "screened")
        assert mark_overdue(date.today() + timedelta(days=15))["lapsed"] == 1
        return ticket
    if state == "closed_approved":
        return close_ticket(user("dinsos"), to_stage(sri_draft(), "applied").id)
    if state == "closed_rejected":
        return to_stage(sri_draft(), "closed")
    return to_stage(sri_draft(), state)


@pytest.mark.parametrize("state", STATES)
def test_every_illegal_step_is_refused_and_changes_nothing(app, demo, state):
    """For this state, try every step with every role; only the legal ones may pass."""
    with app.test_request_context():
        ticket_id = _ticket_in(state).id
        wrong = []
        for action, role in product(ACTIONS, ROLES):
            if (state, action, role) in LEGAL:
                continue  # taken below, once the refusals have been tried on this ticket
            before, events = ticket_row(ticket_id), audit_count()
            try:
                _take(action, role, ticket_id)
                wrong.append(f"{action} by {role}: allowed")
            except TicketError as error:
                assert str(error.message)
            if ticket_row(ticket_id) != before or audit_count() != events:
                wrong.append(f"{action} by {role}: changed the ticket or the audit log")
        assert not wrong, f"in {state}: {wrong}"
        legal = sorted((a, r) for s, a, r in LEGAL if s == state)
        if legal:  # the first legal step passes on this very ticket (the rest: below)
            action, role = legal[0]
            events = audit_count()
            assert _take(action, role, ticket_id).stage == STEPS[action][1]
            assert f"tickets.{DONE[action]}" in audit_actions(events)


@pytest.mark.parametrize(("state", "action", "role"), sorted(LEGAL))
def test_each_legal_step_passes(app, demo, state, action, role):
    with app.test_request_context():
        nik, hh = residents(URAI)[0]
        ticket = to_stage(own_draft(nik, hh), state)
        events = audit_count()
        after = _take(action, role, ticket.id)
        assert after.stage == STEPS[action][1]
        assert f"tickets.{DONE[action]}" in audit_actions(events)
        with pytest.raises(TicketError):  # and never twice
            _take(action, role, ticket.id)
