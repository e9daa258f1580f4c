"""Village scoping, one's own tickets, the village's input and bulk steps."""

from datetime import date, datetime, timedelta

import pytest

from bansos_app.extensions import db
from bansos_app.tickets.models import Ticket
from bansos_app.tickets.submit import Draft, TicketError, submit_ticket
from bansos_app.tickets.workflow import decide_ticket, run_bulk, verify_ticket
from tests.tickets.support import (
    DEDI_KK,
    DEDI_NIK,
    RINA_KK,
    audit_count,
    household,
    sri_draft,
    ticket_row,
    to_stage,
    user,
    verification,
)


def _dedi_draft() -> Draft:
    return Draft(
        kind="reaktivasi",
        channel="kiosk",
        submitter_nik=DEDI_NIK,
        program_code="SEMBAKO",
        subject_household_id=household(DEDI_KK).id,
    )


def _refused(call, ticket_id: int, words: str) -> None:
    """The call is refused with these words and leaves the ticket and the audit log as they were."""
    before, events = ticket_row(ticket_id), audit_count()
    with pytest.raises(TicketError) as refused:
        call()
    assert words in str(refused.value.message)
    assert ticket_row(ticket_id) == before and audit_count() == events


def test_an_operator_of_other_villages_cannot_verify_air_petai(app, demo):
    with app.test_request_context():
        ticket = to_stage(_dedi_draft(), "screened")
        musdesus = verification(forum="musdesus")
        # operator: Giri Kencana and Urai; pendamping covers Air Petai but does not verify.
        _refused(lambda: verify_ticket(user("operator"), ticket.id, musdesus), ticket.id, "desa")
        _refused(lambda: verify_ticket(user("pendamping"), ticket.id, musdesus), ticket.id, "")
        assert verify_ticket(user("operator-ap"), ticket.id, musdesus).stage == "verified"


def test_staff_record_the_village_step_but_never_decide_what_they_entered(app, demo):
    with app.test_request_context():
        operator = user("operator")
        ticket = submit_ticket(operator, sri_draft(channel="staff"))
        assert ticket.entered_by_id == operator.id and ticket.stage == "screened"
        # A village with one operator: the one who entered it records the musdes minutes.
        assert verify_ticket(operator, ticket.id, verification()).stage == "verified"
        # The one who entered it now works at Dinsos: still not the one to decide it.
        db.session.get(Ticket, ticket.id).entered_by_id = user("dinsos").id
        db.session.commit()
        approve = lambda: decide_ticket(user("dinsos"), ticket.id, True, "Sesuai.")  # noqa: E731
        _refused(approve, ticket.id, "sendiri")
        assert decide_ticket(user("admin"), ticket.id, True, "Sesuai.").stage == "applied"


def test_only_village_staff_enter_tickets_and_only_in_their_villages(app, demo):
    with app.test_request_context():
        tickets = db.session.query(Ticket).count()
        for username, words in [("dinsos", "berwenang"), ("auditor", "berwenang")]:
            with pytest.raises(TicketError) as refused:
                submit_ticket(user(username), sri_draft(channel="staff"))
            assert words in str(refused.value.message)
        # The pendamping works in Air Petai and Air Muring, not Giri Kencana (Sri's village).
        with pytest.raises(TicketError) as refused:
            submit_ticket(user("pendamping"), sri_draft(channel="staff"))
        assert "desa Anda" in str(refused.value.message)
        assert db.session.query(Ticket).count() == tickets
        assert submit_ticket(user("pendamping"), _dedi_draft()).stage == "screened"


BAD_INPUT = [
    ({"field_notes": "  "}, "field_notes"),
    ({"minutes_number": ""}, "minutes_number"),
    ({"field_notes": "x" * 501}, "field_notes"),
    ({"forum": "rapat"}, "forum"),
    ({"forum_date": None}, "forum_date"),
    ({"forum_date": date.today() + timedelta(days=1)}, "forum_date"),
    ({"forum_date": date.today() - timedelta(days=400)}, "forum_date"),
    ({"attendance": 0}, "attendance"),
    ({"attendance": None}, "attendance"),
    ({"attendance": 100_000}, "attendance"),
    ({"attendance": "24"}, "attendance"),  # text from a form that skipped its conversion
    ({"forum_date": "2026-01-01"}, "forum_date"),
    ({"forum_date": datetime(2026, 1, 1, 9, 0)}, "forum_date"),
    ({"village_decision": "mungkin"}, "village_decision"),
    ({"desil": None}, "desil"),  # Sri's objection to her desil, agreed: the new desil is needed
    ({"desil": 11}, "desil"),
    ({"desil": "4"}, "desil"),
]


def test_bad_village_input_is_refused_and_changes_nothing(app, demo):
    """Each bad verification (one ticket, tried in turn) is refused for its field."""
    with app.test_request_context():
        ticket = to_stage(sri_draft(), "screened")
        for changes, field in BAD_INPUT:
            before, events = ticket_row(ticket.id), audit_count()
            with pytest.raises(TicketError) as refused:
                verify_ticket(user("operator"), ticket.id, verification(**changes))
            assert (refused.value.field, changes) == (field, changes)
            assert str(refused.value.message)
            assert ticket_row(ticket.id) == before and audit_count() == events, changes
        # The lock is released each time: the same operator can verify right after.
        assert verify_ticket(user("operator"), ticket.id, verification()).stage == "verified"


def test_reaktivasi_needs_a_musdesus_and_a_tolak_needs_no_desil(app, demo):
    with app.test_request_context():
        dedi = to_stage(_dedi_draft(), "screened")
        musdes = lambda: verify_ticket(user("operator-ap"), dedi.id, verification())  # noqa: E731
        _refused(musdes, dedi.id, "Musdesus")
        sri = to_stage(sri_draft(), "screened")
        verified = verify_ticket(user("operator"), sri.id, verification(village_decision="tolak"))
        assert "desil" not in verified.proposed


def test_dinsos_cannot_approve_what_the_village_refused(app, demo):
    with app.test_request_context():
        ticket = to_stage(sri_draft(), "screened")
        verify_ticket(user("operator"), ticket.id, verification(village_decision="tolak"))
        desil = household(ticket.subject_household.kk_number).desil
        approve = lambda: decide_ticket(user("dinsos"), ticket.id, True, "Setuju.")  # noqa: E731
        _refused(approve, ticket.id, "menolak")
        assert household(ticket.subject_household.kk_number).desil == desil
        assert decide_ticket(user("dinsos"), ticket.id, False, "Sesuai musdes.").outcome == (
            "rejected"
        )


def test_a_decision_needs_a_reason(app, demo):
    with app.test_request_context():
        ticket = to_stage(sri_draft(), "verified")
        reject = lambda: decide_ticket(user("dinsos"), ticket.id, False, "   ")  # noqa: E731
        _refused(reject, ticket.id, "wajib")


def test_bulk_takes_each_ticket_on_its_own(app, demo):
    with app.test_request_context():
        verified = to_stage(sri_draft(), "verified")
        screened = to_stage(
            sri_draft(
                kind="usul",
                program_code="SEMBAKO",
                subject_household_id=household(RINA_KK).id,
                reason_code="",
            ),
            "screened",
        )
        done, refused = run_bulk(
            user("dinsos"), [verified.id, screened.id, 999_999], "approve", "Sesuai musdes."
        )
        assert done == 1
        assert [ticket_id for ticket_id, _ in refused] == [screened.id, 999_999]
        assert all(str(message) for _, message in refused)
        assert ticket_row(verified.id)["stage"] == "applied"
        assert ticket_row(screened.id)["stage"] == "screened"
        events = audit_count()
        with pytest.raises(TicketError):
            run_bulk(user("dinsos"), [screened.id], "verify")
        assert audit_count() == events and ticket_row(screened.id)["stage"] == "screened"


def test_ids_from_forms_never_crash(app, demo):
    """Text, negative or out-of-range ids are 'not found'; a number as text works in bulk."""
    with app.test_request_context():
        ticket = to_stage(sri_draft(), "verified")
        for bad in ("abc", str(ticket.id), 10**12, -1, 0, None, True):
            with pytest.raises(TicketError) as refused:
                decide_ticket(user("dinsos"), bad, True, "Sesuai.")
            assert "ditemukan" in str(refused.value.message), bad
        done, refused = run_bulk(
            user("dinsos"), ["x", "99999999999", str(ticket.id)], "approve", "Sesuai musdes."
        )
        assert done == 1 and [i for i, _ in refused] == ["x", 99999999999]
        assert ticket_row(ticket.id)["stage"] == "applied"
