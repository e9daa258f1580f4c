"""A ticket about another family tells the resident nothing the registry knows of that family."""

from datetime import timedelta

import pytest

from bansos_app.extensions import db
from bansos_app.tickets.models import Ticket
from bansos_app.tickets.submit import Draft, submit_ticket
from bansos_app.tickets.workflow import mark_overdue
from tests.tickets.support import SRI_KK, SRI_NIK, household, receiving, sri_draft
from tests.tickets.test_public_check import lookup
from tests.tickets.test_public_flow import (
    _fresh_limits,  # noqa: F401  (autouse fixture)
    answer,
    check_status,
    hidden,
    send,
    text_of,
    tickets,
    walk,
)

GENERIC = "Tiket ini tidak dapat diproses menurut data desa."
RECEIVING = "Keluarga ini sudah menerima program ini."
SEMBAKO = "Sembako / BPNT"


def test_usul_of_a_neighbour_offers_every_program_and_hides_why_it_fails(app, kiosk_client):
    """Mulyadi receives Sembako: the screen must not tell Sri so, nor the refusal."""
    check_status(kiosk_client)
    neighbour = receiving()
    page = walk(kiosk_client, {"pilih": "usul"}, {"pilih": "registry"})
    page = answer(kiosk_client, page, pilih=str(neighbour.id))
    assert hidden(page, "langkah") == "program"
    assert SEMBAKO in text_of(page)
    page = answer(kiosk_client, page, pilih="SEMBAKO")
    page = answer(kiosk_client, page, keterangan="")
    result = send(kiosk_client, page)
    [ticket] = tickets()
    assert (ticket.outcome, ticket.decision_reason) == ("auto_rejected", "already_receiving")
    shown = text_of(result)
    assert "Tiket tidak dapat diproses" in shown and GENERIC in shown
    assert RECEIVING not in shown and "menerima" not in shown
    # Cek Tiket says the same, no more.
    checked = text_of(lookup(kiosk_client, ticket.number, SRI_NIK))
    assert GENERIC in checked and RECEIVING not in checked


def test_usul_of_my_own_family_still_leaves_out_what_it_receives(app, kiosk_client):
    check_status(kiosk_client)  # Sri receives Sembako
    page = walk(kiosk_client, {"pilih": "usul"}, {"pilih": "mine"})
    assert hidden(page, "langkah") == "program"
    assert SEMBAKO not in text_of(page)
    assert answer(kiosk_client, page, pilih="SEMBAKO").status_code == 422


@pytest.mark.parametrize(
    "changes",
    [
        # Sanggah of a family on no list: "not a recipient" would tell it.
        dict(kind="sanggah_lain", reason_code="mampu", subject="not_receiving"),
        # A new family whose numbers are registered: "registered" would confirm a NIK exists.
        dict(
            kind="usul",
            program_code="SEMBAKO",
            proposed={
                "nik": "1703124203920004",
                "kk": "1703120506250004",
                "name": "RINA MARLINA",
                "village_code": "17.03.12.2003",
            },
        ),
    ],
    ids=["sanggah_lain", "new_family"],
)
def test_cek_tiket_hides_the_private_reasons_of_another_family(app, kiosk_client, changes):
    changes = dict(changes)
    subject = changes.pop("subject", None)
    values = dict(kind="usul", channel="kiosk", submitter_nik=SRI_NIK, reason_code="")
    values.update(changes)
    if subject:
        values["subject_household_id"] = household("1703120506250004").id  # Rina: on no list
    ticket = submit_ticket(None, Draft(**values))
    assert ticket.outcome == "auto_rejected"
    shown = text_of(lookup(kiosk_client, ticket.number, SRI_NIK))
    assert "Ditolak oleh pemeriksaan sistem" in shown and GENERIC in shown
    assert "bukan penerima" not in shown and "sudah terdaftar" not in shown
    assert shown.count(GENERIC) == 1


def test_own_family_keeps_the_full_reasons(app, kiosk_client):
    ticket = submit_ticket(
        None,
        sri_draft(
            kind="usul",
            reason_code="",
            program_code="SEMBAKO",
            subject_household_id=household(SRI_KK).id,
        ),
    )
    shown = text_of(lookup(kiosk_client, ticket.number, SRI_NIK))
    assert RECEIVING in shown and GENERIC not in shown


def test_the_days_each_stage_has_follow_the_setting(app, kiosk_client):
    """TICKET_DUE_DAYS, not a hard-coded 14, in the result page and the lapsed answer."""
    before = app.config["TICKET_DUE_DAYS"]
    app.config["TICKET_DUE_DAYS"] = 7
    try:
        check_status(kiosk_client)
        page = walk(
            kiosk_client,
            {"pilih": "sanggah_lain"},
            {"pilih": str(receiving().id)},
            {"pilih": "mampu"},
            {"keterangan": ""},
        )
        shown = text_of(send(kiosk_client, page))
        assert "(7 hari)" in shown and "14 hari" not in shown
        [ticket] = tickets()
        mark_overdue(ticket.due_on + timedelta(days=1))
        db.session.expire_all()
        assert db.session.get(Ticket, ticket.id).outcome == "lapsed"
        checked = text_of(lookup(kiosk_client, ticket.number, SRI_NIK))
        assert "dalam 7 hari" in checked and "14 hari" not in checked
    finally:
        app.config["TICKET_DUE_DAYS"] = before
