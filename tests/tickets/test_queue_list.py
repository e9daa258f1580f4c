"""The staff queue list: per role and scope, filters, search, pages, htmx fragments."""

import re

from bansos_app.extensions import db
from bansos_app.tickets.models import Ticket
from bansos_app.tickets.numbers import grouped
from tests.conftest import page_text
from tests.tickets.support import RINA_KK, household

QUEUE = "/staf/tiket/"
HX = {"HX-Request": "true"}


def _numbers(html: str) -> list[str]:
    return re.findall(r'class="tno"[^>]*>([0-9 ]+)</a>', html)


def _rina_ticket(app) -> Ticket:
    with app.app_context():
        hh = household(RINA_KK)
        ticket = db.session.query(Ticket).filter_by(subject_household_id=hh.id).one()
        db.session.expunge(ticket)
        return ticket


def test_operator_sees_waiting_for_the_village(app, client, auth, demo):
    auth.login("operator", "demo-operator")
    response = client.get(QUEUE)
    assert response.status_code == 200
    html = page_text(response)
    rina = _rina_ticket(app)
    assert grouped(rina.number) in _numbers(html)
    assert "Rina Marlina" in html
    assert "Dedi" not in html  # Air Petai: not this operator's village
    assert 'id="count-village">' in html

