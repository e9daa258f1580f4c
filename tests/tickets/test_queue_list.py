"""The staff queue list: per role and scope, filters, search, pages, htmx fragments."""

import re
from datetime import date, timedelta

import pytest

from bansos_app.extensions import db
from bansos_app.tickets.models import Ticket
from bansos_app.tickets.numbers import grouped, luhn_digit, new_number
from bansos_app.tickets.submit import Draft, submit_ticket
from tests.conftest import page_text
from tests.tickets.support import DEDI_KK, DEDI_NIK, GIRI, RINA_KK, RINA_NIK, household

# The queues are read with the demo's tickets in them.
pytestmark = pytest.mark.usefixtures("demo_tickets")

QUEUE = "/staf/tiket/"
HX = {"HX-Request": "true"}


def numbers(html: str) -> list[str]:
    """The ticket numbers listed, as shown (grouped)."""
    return re.findall(r'class="tno"[^>]*>([0-9 ]+)</a>', html)


def ticket_of(app, kk: str) -> Ticket:
    """The ticket about a household (Rina's usul, Dedi's reaktivasi), detached.

    The demo leaves these two for the walkthrough: the first call submits each, as the family
    would at a kiosk.
    """
    with app.app_context():
        hh = household(kk)
        query = db.session.query(Ticket).filter_by(subject_household_id=hh.id)
        ticket = query.one_or_none()
        if ticket is None:
            nik, kind = (RINA_NIK, "usul") if kk == RINA_KK else (DEDI_NIK, "reaktivasi")
            draft = Draft(kind, "kiosk", nik, "SEMBAKO", subject_household_id=hh.id)
            ticket = submit_ticket(None, draft)
        db.session.expunge(ticket)
        return ticket


def add_tickets(app, n: int, village=GIRI, stage="verified", **changes) -> list[int]:
    """Put n plain tickets straight into the table (listing tests need volume, not screening)."""
    with app.app_context():
        hh = household(RINA_KK if village == GIRI else DEDI_KK)
        tickets = []
        for i in range(n):
            values = dict(
                number=new_number(),
                kind="usul",
                channel="kiosk",
                program_code="SEMBAKO",
                village_code=village,
                submitter_nik_hash="x" * 64,
                subject_household_id=hh.id,
                stage=stage,
                due_on=date.today() + timedelta(days=i),
            )
            values.update(changes)
            tickets.append(Ticket(**values))
        db.session.add_all(tickets)
        db.session.commit()
        return [t.id for t in tickets]


def test_operator_sees_what_waits_for_the_village(app, client, auth, demo):
    auth.login("operator", "demo-operator")
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    html = page_text(response)
    rina = ticket_of(app, RINA_KK)
    # Screened in Giri Kencana and Urai: Rina's usul first (due first), then an objection.
    assert numbers(html)[0] == grouped(rina.number) and len(numbers(html)) == 2
    assert "Rina Marlina" in html and "Sanggah penerima lain" in html
    assert 'id="count-village">2<' in html
    # Every stage: the verified and the auto-rejected demo tickets too, never Air Petai's.
    html = page_text(client.get(QUEUE + "?tahap=semua"))
    assert len(numbers(html)) == 4
    assert grouped(ticket_of(app, DEDI_KK).number) not in html


def test_dinsos_sees_what_waits_for_dinsos_everywhere(app, client, auth, demo):
    auth.login("dinsos", "demo-dinsos-admin")
    html = page_text(client.get(QUEUE))
    assert len(numbers(html)) == 1  # verified: the objection to one's own data, in Urai
    assert grouped(ticket_of(app, RINA_KK).number) not in html
    counts = dict(re.findall(r'id="count-(\w+)">(\d+)<', html))
    assert counts == {"village": "3", "dinsos": "1", "overdue": "0", "applied": "1"}
    assert 'name="tiket"' in html and "Setujui terpilih" in html


def test_operator_of_another_village_sees_nothing_of_giri_kencana(app, client, auth, demo):
    auth.login("operator-ap", "demo-operator")
    html = page_text(client.get(QUEUE + "?tahap=semua"))
    assert "Giri Kencana" not in html
    assert grouped(ticket_of(app, DEDI_KK).number) in numbers(html)
    rina = ticket_of(app, RINA_KK)
    assert grouped(rina.number) not in html
    assert client.get(f"{QUEUE}{rina.id}").status_code == 404
    assert client.get(f"{QUEUE}{rina.id}", headers=HX).status_code == 404
    # A forged village filter is refused, not obeyed.
    response = client.get(QUEUE + f"?tahap=semua&desa={GIRI}")
    assert response.status_code == 422
    assert "Giri Kencana" not in page_text(response).split("</form>")[-1]


@pytest.mark.parametrize(
    ("username", "password"),
    [("pendamping", "demo-pendamping"), ("auditor", "demo-auditor")],
)
def test_followers_read_without_buttons(client, auth, demo, username, password):
    auth.login(username, password)
    html = page_text(client.get(QUEUE + "?tahap=semua"))
    assert numbers(html)
    assert "Setujui" not in html and "Verifikasi</a>" not in html


def test_filters_search_and_pages(app, client, auth, demo):
    ids = add_tickets(app, 30)
    add_tickets(app, 2, overdue=True, due_on=date.today() - timedelta(days=3))
    auth.login("dinsos", "demo-dinsos-admin")
    first = page_text(client.get(QUEUE))
    assert len(numbers(first)) == 25 and "Halaman 1 dari 2" in first
    second = page_text(client.get(QUEUE + "?hal=2"))
    assert len(numbers(second)) == 33 - 25  # 30 + 2 overdue + the demo's one
    assert not set(numbers(first)) & set(numbers(second))
    # Overdue first (oldest due), marked by class and by word, not by colour only.
    late = page_text(client.get(QUEUE + "?terlambat=ya"))
    assert len(numbers(late)) == 2
    assert late.count('class="ticket overdue"') == 2 and "Terlambat</strong>" in late
    assert len(numbers(page_text(client.get(QUEUE + "?terlambat=tidak&hal=2")))) == 6
    # By number (spaces allowed) and by the subject head's name.
    with app.app_context():
        number = db.session.get(Ticket, ids[7]).number
    found = numbers(page_text(client.get(QUEUE, query_string={"q": grouped(number)})))
    assert found == [grouped(number)]
    by_name = page_text(client.get(QUEUE, query_string={"q": "rina marl", "tahap": "semua"}))
    assert len(numbers(by_name)) == 25 and "Halaman 1 dari 2" in by_name
    assert numbers(page_text(client.get(QUEUE, query_string={"q": "tidak ada"}))) == []
    usul = page_text(client.get(QUEUE, query_string={"jenis": "sanggah_lain", "tahap": "semua"}))
    assert len(numbers(usul)) == 1


def test_htmx_gets_only_the_listing(client, auth, demo):
    auth.login("dinsos", "demo-dinsos-admin")
    response = client.get(QUEUE + "?tahap=screened", headers=HX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    html = page_text(response)
    assert html.lstrip().startswith('<section class="card" id="listing">')
    assert "<html" not in html and "staff-nav" not in html
    assert len(numbers(html)) == 3
    assert 'hx-trigger="every 30s"' in html


def test_bad_filters_are_refused_and_a_huge_search_is_not_echoed(client, auth, demo):
    auth.login("dinsos", "demo-dinsos-admin")
    response = client.get(QUEUE, query_string={"tahap": "bogus", "hal": "x", "q": "a" * 5000})
    assert response.status_code == 422
    assert "a" * 200 not in page_text(response)
    assert client.get(QUEUE, query_string={"hal": "99"}).status_code == 200


def test_a_typed_nik_stays_out_of_links_and_the_address_bar(client, auth, demo):
    auth.login("dinsos", "demo-dinsos-admin")
    nik = "1703124203920004"
    response = client.get(QUEUE, query_string={"q": nik, "tahap": "semua"}, headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"] == QUEUE + "?tahap=semua"
    assert nik not in page_text(response)
    number = grouped("123456789" + luhn_digit("123456789"))
    ticket = client.get(QUEUE, query_string={"q": number}, headers=HX)
    assert "HX-Push-Url" not in ticket.headers  # a ticket number may stay
