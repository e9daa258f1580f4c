"""The core services end to end on the demo data: each kind submitted, verified, decided."""

from datetime import date, timedelta

from bansos_app.eligibility.recipients import recipients_for
from bansos_app.extensions import db
from bansos_app.tickets.submit import Draft, submit_ticket
from bansos_app.tickets.workflow import close_ticket, mark_overdue
from tests.tickets.support import (
    DEDI_KK,
    DEDI_NIK,
    SRI_NIK,
    eligible_not_receiving,
    household,
    receiving,
    sri_draft,
    to_stage,
    user,
)


def test_usul_joins_sembako(app, demo):
    with app.app_context():
        hh = eligible_not_receiving()
        ticket = to_stage(
            sri_draft(
                kind="usul", program_code="SEMBAKO", reason_code="", subject_household_id=hh.id
            ),
            "applied",
        )
        assert ticket.stage == "applied" and ticket.outcome == "approved"
        assert "SEMBAKO" in recipients_for(hh.id, date.today())
        assert close_ticket(user("dinsos"), ticket.id).stage == "closed"


def test_reaktivasi_returns_dedi(app, demo):
    with app.app_context():
        dedi = household(DEDI_KK)
        assert dedi.status == "blocked"
        ticket = to_stage(
            Draft(
                kind="reaktivasi",
                channel="kiosk",
                submitter_nik=DEDI_NIK,
                program_code="SEMBAKO",
                subject_household_id=dedi.id,
            ),
            "applied",
            verifier="operator-ap",
        )
        db.session.refresh(dedi)
        assert dedi.status == "active", ticket.decision_reason
        assert "SEMBAKO" in recipients_for(dedi.id, date.today())


def test_sanggah_lain_removes_and_desil_corrects(app, demo):
    with app.app_context():
        other = receiving()
        to_stage(
            sri_draft(kind="sanggah_lain", subject_household_id=other.id, reason_code="mampu"),
            "applied",
        )
        assert recipients_for(other.id, date.today()) == {}
        sri = to_stage(sri_draft(), "applied")
        assert household(sri.subject_household.kk_number).desil == 4


def test_new_household_and_lapse(app, demo):
    with app.app_context():
        ticket = to_stage(
            Draft(
                kind="usul",
                channel="kiosk",
                submitter_nik=SRI_NIK,
                program_code="SEMBAKO",
                proposed={
                    "nik": "1703124512900007",
                    "kk": "1703120101200009",
                    "name": "Siti Baru",
                    "village_code": "17.03.12.2003",
                },
            ),
            "applied",
        )
        assert ticket.subject_household.desil is None
        lapsing = submit_ticket(
            None,
            sri_draft(
                kind="sanggah_lain", subject_household_id=receiving().id, reason_code="pindah"
            ),
        )
        result = mark_overdue(date.today() + timedelta(days=15))
        assert result["lapsed"] == 1
        db.session.refresh(lapsing)
        assert lapsing.outcome == "lapsed"
