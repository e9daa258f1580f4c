"""Ticket fixtures: the demo's tickets for the queues, and the kiosk's from tests/kiosk."""

import pytest

from tests.kiosk.conftest import kiosk_client, sri_vouchers  # noqa: F401


@pytest.fixture
def demo_tickets(app, demo):
    """The demo's tickets, plus Rina's usul and Dedi's Reaktivasi waiting for their village."""
    from bansos_app.tickets.demo import add_demo_tickets
    from tests.tickets.support import DEDI_KK, RINA_KK
    from tests.tickets.test_queue_list import ticket_of

    ticket_of(app, RINA_KK)  # first: the queue tests expect it at the top of its village
    ticket_of(app, DEDI_KK)
    with app.app_context():
        add_demo_tickets()
