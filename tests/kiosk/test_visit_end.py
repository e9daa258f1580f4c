"""The end of a resident's visit: Selesai, the idle reset, going home, expiry, the language."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from bansos_app.extensions import db
from bansos_app.kiosk.models import ResidentVisit
from bansos_app.models_base import utcnow
from tests.conftest import csrf_from
from tests.conftest import page_text as _text
from tests.kiosk.test_status_check import COOKIE, DEDI, SRI, _audit, _check


def test_status_without_a_visit_goes_home(client):
    response = client.get("/status")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    client.set_cookie(COOKIE, "made-up-token")
    assert client.get("/status").status_code == 303


# --- forgetting the resident ----------------------------------------------------------------


def test_reset_from_the_selesai_button_ends_the_visit(app, client, demo):
    _check(client, SRI["nik"], SRI["kk"])
    page = client.get("/status")
    token = client.get_cookie(COOKIE).value
    response = client.post(
        "/kiosk/reset", data={"csrf_token": csrf_from(page.data)}, headers={"Accept": "text/html"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get_cookie(COOKIE) is None
    with app.app_context():
        visit = db.session.scalar(select(ResidentVisit))
        assert visit.ended_at is not None
    assert len(_audit(app, "kiosk.visit_ended")) == 1
    # The back button: even a browser that kept the token sees nothing of the resident.
    client.set_cookie(COOKIE, token)
    back = client.get("/status")
    assert back.status_code == 303
    assert back.headers["Location"] == "/"
    assert "Sri Wahyuni" not in _text(back)


def test_idle_reset_fetch_gets_204_and_ends_the_visit(app, client, demo):
    _check(client, DEDI["nik"], DEDI["kk"])
    page = client.get("/status")
    token = client.get_cookie(COOKIE).value
    response = client.post("/kiosk/reset", headers={"X-CSRFToken": csrf_from(page.data)})
    assert response.status_code == 204
    assert response.get_data() == b""
    client.set_cookie(COOKIE, token)
    assert client.get("/status").status_code == 303


def test_going_home_ends_the_visit(app, client, demo):
    _check(client, SRI["nik"], SRI["kk"])
    token = client.get_cookie(COOKIE).value
    home = client.get("/")
    assert home.status_code == 200
    assert client.get_cookie(COOKIE) is None
    client.set_cookie(COOKIE, token)
    assert client.get("/status").status_code == 303
    assert len(_audit(app, "kiosk.visit_ended")) == 1


def test_expired_visit_goes_home(app, client, demo):
    _check(client, SRI["nik"], SRI["kk"])
    assert client.get("/status").status_code == 200
    with app.app_context():
        visit = db.session.scalar(select(ResidentVisit))
        visit.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = client.get("/status")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


# --- English --------------------------------------------------------------------------------


def test_reset_on_a_phone_keeps_the_chosen_language(client, demo):
    """A phone belongs to one person: Selesai ends the visit, not their choice of English."""
    client.get("/bahasa/en")
    _check(client, SRI["nik"], SRI["kk"])
    page = client.get("/status")
    client.post("/kiosk/reset", data={"csrf_token": csrf_from(page.data)})
    assert client.get_cookie("lang").value == "en"


@pytest.mark.parametrize("accept", ["text/html", None])
def test_reset_gives_the_next_person_bahasa_indonesia(app, kiosk_client, accept):
    client = kiosk_client
    client.get("/bahasa/en")
    _check(client, SRI["nik"], SRI["kk"])
    page = client.get("/status")
    assert '<html lang="en">' in _text(page)
    headers = {"Accept": accept} if accept else {"X-CSRFToken": csrf_from(page.data)}
    data = {"csrf_token": csrf_from(page.data)} if accept else {}
    response = client.post("/kiosk/reset", data=data, headers=headers)
    assert response.status_code in (204, 303)
    assert client.get_cookie("lang") is None
    assert '<html lang="id">' in _text(client.get("/"))


def test_boosted_selesai_goes_home(app, client, demo):
    _check(client, SRI["nik"], SRI["kk"])
    page = client.get("/status")
    response = client.post(
        "/kiosk/reset",
        data={"csrf_token": csrf_from(page.data)},
        headers={"HX-Request": "true", "HX-Boosted": "true"},
    )
    # One round trip on 2G: the home page comes back at once, with the address set to /.
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"] == "/"
    assert "choice-status" in _text(response)
    assert "Sri Wahyuni" not in _text(response)
    assert client.get_cookie(COOKIE) is None
    assert client.get("/status").status_code == 303  # the visit is over


def test_boosted_selesai_after_english_reloads_the_whole_page_in_indonesian(app, kiosk_client):
    """<html lang> and the keypad labels come with a full load, not with a body swap."""
    client = kiosk_client
    client.get("/bahasa/en")
    _check(client, SRI["nik"], SRI["kk"])
    page = client.get("/status")
    response = client.post(
        "/kiosk/reset",
        data={"csrf_token": csrf_from(page.data)},
        headers={"HX-Request": "true", "HX-Boosted": "true"},
    )
    assert response.headers["HX-Redirect"] == "/"
    assert client.get_cookie("lang") is None
    assert '<html lang="id">' in _text(client.get("/"))


def test_usul_sanggah_leads_back_to_the_status_while_a_visit_is_live(app, client, demo):
    home_only = _text(client.get("/usul-sanggah"))
    assert 'href="/status"' not in home_only
    assert "Masukkan NIK dan KK dahulu" in home_only
    _check(client, SRI["nik"], SRI["kk"])
    flow = client.get("/usul-sanggah")
    assert flow.headers["Cache-Control"] == "no-store"
    html = _text(flow)
    assert 'href="/status"' in html
    assert "Kembali ke status" in html
    # Opening the flow did not end the visit.
    assert client.get("/status").status_code == 200
