"""A resident's visit lasts while they answer, and a kiosk serves many families an hour."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from bansos_app.extensions import db
from bansos_app.kiosk.models import ResidentVisit
from bansos_app.models_base import utcnow
from bansos_app.registry.models import Household
from tests.tickets.test_public_flow import (
    _fresh_limits,  # noqa: F401  (autouse fixture)
    answer,
    check_status,
    send,
    text_of,
    walk,
)

DESIL = "/usul-sanggah?jenis=sanggah_sendiri&alasan=desil"


def _visit() -> ResidentVisit:
    db.session.expire_all()  # the pages committed in their own sessions
    return db.session.scalars(select(ResidentVisit).order_by(ResidentVisit.id.desc())).first()


def _nearly_over(seconds: int = 20) -> None:
    visit = _visit()
    visit.expires_at = utcnow() + timedelta(seconds=seconds)
    db.session.commit()


def test_each_answer_keeps_the_visit_open(app, kiosk_client):
    """Slow typing on the letter keyboard: the visit slides on with each screen and the submit."""
    check_status(kiosk_client)
    page = walk(kiosk_client, {"pilih": "sanggah_lain"})
    _nearly_over()
    page = answer(kiosk_client, page, kembali="1")
    assert page.status_code == 200
    assert _visit().expires_at > utcnow() + timedelta(minutes=9)
    page = walk(kiosk_client, start=DESIL)
    _nearly_over()
    page = answer(kiosk_client, page, keterangan="DESIL KAMI SALAH")
    assert _visit().expires_at > utcnow() + timedelta(minutes=9)
    _nearly_over()
    result = send(kiosk_client, page)
    assert "Tiket terkirim" in text_of(result)
    assert _visit().expires_at > utcnow() + timedelta(minutes=9)


def test_a_visit_that_is_over_stays_over(app, kiosk_client):
    check_status(kiosk_client)
    page = walk(kiosk_client, start=DESIL)
    _nearly_over(-5)
    ended = _visit().expires_at
    refused = answer(kiosk_client, page, keterangan="")
    assert "Masukkan NIK dan KK dahulu" in text_of(refused)
    assert _visit().expires_at == ended


def _send_own_desil(client, family) -> int:
    """One resident's visit at the kiosk: status, a sanggah of the family's desil, Kirim."""
    check_status(client, family.head.nik, family.kk_number)
    page = walk(client, {"keterangan": ""}, start=DESIL)
    return send(client, page).status_code


@pytest.fixture
def families(app, make_household):
    """Twelve one-person families of Giri Kencana, and status checks enough for all of them."""
    before = {k: app.config[k] for k in ("RATELIMIT_STATUS_DEVICE", "RATELIMIT_TICKET_ADDRESS")}
    # More status checks a minute than one kiosk sees: the test runs a morning in a second.
    app.config["RATELIMIT_STATUS_DEVICE"] = "100 per minute"
    yield [db.session.get(Household, make_household()) for _ in range(12)]
    app.config.update(before)


def test_a_kiosk_takes_the_tickets_of_many_families_an_hour(app, kiosk_client, families):
    """Everyone at a kiosk shares its device: ten an hour refused the eleventh family."""
    codes = [_send_own_desil(kiosk_client, family) for family in families]
    assert codes == [200] * 12


def test_at_a_kiosk_each_family_is_limited_not_the_kiosk(app, kiosk_client, families):
    """The address limit counts the visit's family at a kiosk: one family's many tickets do
    not stop the next family, who share the kiosk's address."""
    app.config["RATELIMIT_TICKET_ADDRESS"] = "2 per hour"
    first, second = families[:2]
    check_status(kiosk_client, first.head.nik, first.kk_number)
    page = walk(kiosk_client, {"keterangan": ""}, start=DESIL)
    assert [send(kiosk_client, page).status_code for _ in range(3)] == [200, 200, 429]
    assert _send_own_desil(kiosk_client, second) == 200
