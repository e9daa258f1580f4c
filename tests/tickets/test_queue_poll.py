"""The 30-second poll, the staff-only photo route and who sees the submitter."""

import re

import pytest

from bansos_app.extensions import db
from bansos_app.tickets.models import Ticket, TicketPhoto
from bansos_app.tickets.privacy import may_see_photo, may_see_submitter
from bansos_app.tickets.submit import submit_ticket
from tests.conftest import page_text
from tests.tickets.support import RINA_KK, receiving, sri_draft, user
from tests.tickets.test_queue_list import HX, QUEUE, ticket_of

# The queues are read with the demo's tickets in them.
pytestmark = pytest.mark.usefixtures("demo_tickets")

POLL = "/staf/tiket/baru-masuk"


def _poll_url(html: str) -> str:
    match = re.search(r'id="poll" hx-get="([^"]+)" hx-trigger="every 30s"', html)
    assert match, "no poll on the page"
    return match.group(1).replace("&amp;", "&")


def test_idle_poll_moves_almost_nothing_until_a_ticket_arrives(app, client, auth, demo):
    auth.login("operator", "demo-operator")
    url = _poll_url(page_text(client.get(QUEUE)))
    idle = client.get(url, headers=HX)
    assert idle.status_code == 204 and idle.get_data() == b""
    assert "HX-Request" in idle.headers["Vary"]
    # A new objection in Giri Kencana: the poll now says so, with an ETag...
    with app.app_context():
        submit_ticket(
            None,
            sri_draft(
                kind="sanggah_lain", subject_household_id=receiving().id, reason_code="mampu"
            ),
        )
    changed = client.get(url, headers=HX)
    assert changed.status_code == 200
    assert "1 tiket baru atau berubah — muat ulang" in page_text(changed)
    assert "<html" not in page_text(changed)
    etag = changed.headers["ETag"]
    # ...and asked again with it, 304 while nothing else moved.
    again = client.get(url, headers={**HX, "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    # The page drawn now carries the new state: idle again.
    assert client.get(_poll_url(page_text(client.get(QUEUE))), headers=HX).status_code == 204


def test_poll_sees_only_the_users_villages(app, client, auth, demo):
    auth.login("operator-ap", "demo-operator")
    url = _poll_url(page_text(client.get(QUEUE)))
    with app.app_context():  # Giri Kencana: not Air Petai's business
        submit_ticket(
            None,
            sri_draft(
                kind="sanggah_lain", subject_household_id=receiving().id, reason_code="mampu"
            ),
        )
    assert client.get(url, headers=HX).status_code == 204
    assert client.get(POLL + "?sejak=rubbish", headers=HX).status_code == 200


def test_poll_opened_as_a_page_leads_to_the_queue(client, auth, demo):
    auth.login("operator", "demo-operator")
    response = client.get(POLL + "?sejak=0-0")
    assert response.status_code == 303 and response.location.endswith(QUEUE)
    assert "HX-Request" in response.headers["Vary"]


def _with_photo(app) -> int:
    rina = ticket_of(app, RINA_KK)
    with app.app_context():
        db.session.add(TicketPhoto(ticket_id=rina.id, data=b"\xff\xd8jpeg", width=4, height=3))
        db.session.commit()
    return rina.id


@pytest.mark.parametrize(
    ("username", "password", "status"),
    [
        ("operator", "demo-operator", 200),
        ("dinsos", "demo-dinsos-admin", 200),
        ("operator-ap", "demo-operator", 404),  # another village: as if it did not exist
        ("pendamping", "demo-pendamping", 404),  # Air Petai's pendamping: not this village
        ("auditor", "demo-auditor", 403),
    ],
)
def test_photo_only_for_the_deciding_chain(app, client, auth, demo, username, password, status):
    ticket_id = _with_photo(app)
    auth.login(username, password)
    response = client.get(f"{QUEUE}{ticket_id}/foto")
    assert response.status_code == status
    if status == 200:
        assert response.data == b"\xff\xd8jpeg"
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.mimetype == "image/jpeg"
        assert "Lihat foto rumah" in page_text(client.get(f"{QUEUE}{ticket_id}"))


def test_photo_never_public_and_missing_is_404(app, client, auth, demo):
    ticket_id = _with_photo(app)
    assert client.get(f"{QUEUE}{ticket_id}/foto").status_code in (302, 401)
    auth.login("operator", "demo-operator")
    other = ticket_of(app, RINA_KK).id + 1000
    assert client.get(f"{QUEUE}{other}/foto").status_code == 404


def test_submitter_of_an_objection_only_for_the_deciding_chain(app, demo):
    with app.app_context():
        pendamping = user("pendamping")
        ticket = db.session.query(Ticket).filter_by(kind="sanggah_lain").first()
        chain = [user("operator"), user("dinsos"), user("admin")]
        assert all(may_see_submitter(u, ticket) for u in chain)
        assert all(may_see_photo(u, ticket) for u in chain)
        for outsider in (user("operator-ap"), pendamping, user("auditor")):
            assert not may_see_submitter(outsider, ticket)
            assert not may_see_photo(outsider, ticket)
        # Even when the pendamping entered it: an objection's submitter stays with the chain.
        ticket.entered_by_id = pendamping.id
        assert not may_see_submitter(pendamping, ticket)
        ticket.kind = "usul"
        assert may_see_submitter(pendamping, ticket) and not may_see_photo(pendamping, ticket)
        db.session.rollback()


def test_submitter_shown_masked_to_the_chain_and_hidden_from_others(app, client, auth, demo):
    with app.app_context():
        ticket = db.session.query(Ticket).filter_by(kind="sanggah_lain").first()
        ticket_id, name = ticket.id, ticket.submitter_person.name
        nik = ticket.submitter_person.nik
    auth.login("dinsos", "demo-dinsos-admin")
    html = page_text(client.get(f"{QUEUE}{ticket_id}", headers=HX))
    assert f"{name} ({nik[:4]}********{nik[12:]})" in html and nik not in html
    auth.logout()
    auth.login("auditor", "demo-auditor")
    html = page_text(client.get(f"{QUEUE}{ticket_id}", headers=HX))
    assert "Pengaju" not in html and name not in html.split("Data keluarga")[0]
