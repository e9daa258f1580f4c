"""Enrolled kiosk devices: register, enrol once, recognise by a signed cookie, renew, revoke."""

import html as htmllib
import re

import pytest
from sqlalchemy import func, select

from bansos_app.audit.models import AuditEvent
from bansos_app.extensions import db
from bansos_app.kiosk.models import KioskDevice
from tests.conftest import csrf_from
from tests.conftest import page_text as _text

GIRI_KENCANA = "17.03.12.2003"
AIR_PETAI = "17.03.14.2017"  # not one of the operator's villages
COOKIE = "bansos_kiosk"


@pytest.fixture
def staff(client, auth, demo):
    """The test client, logged in as the demo operator (Giri Kencana and Urai)."""
    assert auth.login("operator", "demo-operator").status_code == 303
    return client


def _register(staff, name="Kios Balai Desa", village=GIRI_KENCANA, paper="80", idle="45"):
    page = staff.get("/staf/kiosk/")
    data = {
        "name": name,
        "village": village,
        "paper_width": paper,
        "idle_seconds": idle,
        "csrf_token": csrf_from(page.data),
    }
    return staff.post("/staf/kiosk/", data=data)


def _issued_code(response) -> str:
    match = re.search(r'<p class="code-big">\s*([A-Z0-9]+)\s*</p>', _text(response))
    assert match, "no enrolment code on the page"
    return match.group(1)


def _device(app, **where) -> KioskDevice | None:
    with app.app_context():
        device = db.session.scalar(select(KioskDevice).filter_by(**where))
        if device is not None:
            db.session.expunge(device)
        return device


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def _audit_text(app) -> str:
    with app.app_context():
        return "\n".join(db.session.scalars(select(AuditEvent.details)))


def _enrol(app, code):
    """Open the enrolment URL in a fresh browser and confirm; return (browser, response)."""
    kiosk = app.test_client()
    confirm = kiosk.get(f"/perangkat/daftar/{code}")
    assert confirm.status_code == 200
    response = kiosk.post(f"/perangkat/daftar/{code}", data={"csrf_token": csrf_from(confirm.data)})
    return kiosk, response


def _start_key(enrol_response) -> str:
    """The start key from the start link shown after enrolment (it sits in the fragment)."""
    link = re.search(r"<code>(http://[^<]+)</code>", _text(enrol_response)).group(1)
    return link.partition("#")[2]


def _start(app, key):
    """A fresh browser presents a start key, as start.js does; return (browser, response)."""
    browser = app.test_client()
    page = browser.get("/perangkat/mulai")
    assert page.status_code == 200
    response = browser.post(
        "/perangkat/mulai", data={"kunci": key, "csrf_token": csrf_from(page.data)}
    )
    return browser, response


def _is_kiosk(html: str) -> bool:
    return 'data-kiosk="1"' in html


def _deletes_cookie(response) -> bool:
    return any(
        c.startswith(f"{COOKIE}=;") and ("Max-Age=0" in c or "1970" in c)
        for c in response.headers.getlist("Set-Cookie")
    )


def _staff_post(staff, path, **fields):
    token = csrf_from(staff.get("/staf/kiosk/").data)
    return staff.post(path, data={"csrf_token": token, **fields})


# --- register and enrol ---------------------------------------------------------------------


def test_register_enrol_and_recognise_a_kiosk(app, staff):
    page = staff.get("/staf/kiosk/")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Giri Kencana" in _text(page) and "Urai" in _text(page)

    response = _register(staff)
    assert response.status_code == 200
    code = _issued_code(response)
    assert len(code) == 10
    assert f"/perangkat/daftar/{code}" in _text(response)
    assert response.headers["Cache-Control"] == "no-store"
    device = _device(app, name="Kios Balai Desa")
    assert device.village_code == GIRI_KENCANA
    assert (device.paper_width, device.idle_seconds) == (80, 45)
    assert device.state == "waiting"
    # Only a hash of the code is kept, and the code is shown this once.
    assert device.enrol_code_hash and code not in device.enrol_code_hash
    assert code not in _audit_text(app)
    assert code not in _text(staff.get("/staf/kiosk/"))
    assert "Menunggu pendaftaran" in _text(staff.get("/staf/kiosk/"))

    kiosk = app.test_client()
    confirm = kiosk.get(f"/perangkat/daftar/{code}")
    assert confirm.status_code == 200
    assert "Kios Balai Desa" in _text(confirm)
    assert "Daftarkan kios ini" in _text(confirm)
    assert not _is_kiosk(_text(confirm))
    assert _device(app, id=device.id).enrolled_at is None  # looking does not use the code
    response = kiosk.post(f"/perangkat/daftar/{code}", data={"csrf_token": csrf_from(confirm.data)})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{COOKIE}="))
    assert "HttpOnly" in cookie
    html = _text(response)
    assert "Kios berhasil didaftarkan." in html
    token = kiosk.get_cookie(COOKIE).value
    start = re.search(r"<code>(http://[^<]+)</code>", html)
    # The start key rides in the fragment, so it never reaches a server's access log.
    assert start and start.group(1).startswith("http://localhost/perangkat/mulai#")
    assert token not in html
    assert 'href="/"' in html
    assert _device(app, id=device.id).state == "enrolled"

    # The enrolled browser now gets the kiosk layout, and the device is seen.
    assert _device(app, id=device.id).last_seen_at is None
    home = kiosk.get("/")
    html = _text(home)
    assert _is_kiosk(html)
    assert 'data-idle-seconds="45"' in html
    assert "/static/js/kiosk.js" in html
    assert "Giri Kencana" in html
    assert _device(app, id=device.id).last_seen_at is not None
    assert not _is_kiosk(_text(app.test_client().get("/")))

    # The code is used up; a used code and an unknown one look the same.
    form_token = csrf_from(kiosk.get("/cek-status").data)
    for path in (
        f"/perangkat/daftar/{code}",
        "/perangkat/daftar/ABCDEFGHJK",
        "/perangkat/daftar/x",
    ):
        assert kiosk.get(path).status_code == 404
        assert kiosk.post(path, data={"csrf_token": form_token}).status_code == 404
    assert kiosk.get_cookie(COOKIE).value == token
    other = app.test_client()
    other_page = other.get("/cek-status")
    reuse = other.post(f"/perangkat/daftar/{code}", data={"csrf_token": csrf_from(other_page.data)})
    assert reuse.status_code == 404
    assert other.get_cookie(COOKIE) is None

    listing = _text(staff.get("/staf/kiosk/"))
    assert "Kios Balai Desa" in listing
    assert "Terdaftar" in listing
    assert "belum pernah" not in listing
    assert _actions(app)[-2:] == ["kiosk.device_registered", "kiosk.device_enrolled"]


def test_last_seen_is_set_by_a_kiosk_request(app, staff):
    kiosk, _ = _enrol(app, _issued_code(_register(staff)))
    with app.app_context():
        device = db.session.scalar(select(KioskDevice))
        device.last_seen_at = None
        db.session.commit()
    kiosk.get("/cek-status")
    assert _device(app).last_seen_at is not None


def test_register_outside_scope_creates_nothing(app, staff):
    before = _actions(app)
    response = _register(staff, village=AIR_PETAI)
    assert response.status_code == 422
    assert 'class="code-big"' not in _text(response)
    assert 'class="field-error"' in _text(response)
    assert _device(app) is None
    assert _actions(app) == before


def test_register_with_bad_fields_creates_nothing(app, staff):
    cases = [{"name": ""}, {"name": "x" * 81}, {"paper": "70"}, {"idle": "5"}, {"idle": "abc"}]
    for fields in cases:
        response = _register(staff, **{"name": "Kios", "paper": "80", "idle": "60", **fields})
        assert response.status_code == 422, fields
        assert 'class="field-error"' in _text(response), fields
        assert 'class="code-big"' not in _text(response), fields
    assert _device(app) is None
    assert "kiosk.device_registered" not in _actions(app)


def _field_errors(response) -> list[str]:
    found = re.findall(r'<p class="field-error">(.*?)</p>', _text(response), re.S)
    return [htmllib.unescape(e).strip() for e in found]


def test_register_field_errors_are_in_bahasa_indonesia(staff):
    errors = _field_errors(_register(staff, name="", idle="5"))
    assert errors == ["Isi nama kios.", "Isi antara 15 dan 600 detik."]


def test_choice_and_number_errors_are_in_bahasa_indonesia(staff):
    english = []
    for fields in ({"village": AIR_PETAI}, {"paper": "70"}, {"idle": "abc"}):
        errors = _field_errors(_register(staff, **fields))
        assert errors, fields
        # WTForms ships no Indonesian catalog: its built-in English must not reach the page.
        english += [e for e in errors if e.startswith("Not a valid")]
    assert english == []


# --- a cookie that is not (or no longer) good -----------------------------------------------


def _flip(token: str) -> str:
    # The first character is payload: changing it always breaks the signature.
    return ("f" if token[0] != "f" else "g") + token[1:]


def test_tampered_cookie_gives_the_phone_layout_and_is_deleted(app, staff):
    kiosk, _ = _enrol(app, _issued_code(_register(staff)))
    token = kiosk.get_cookie(COOKIE).value
    assert _is_kiosk(_text(kiosk.get("/")))
    kiosk.set_cookie(COOKIE, _flip(token))
    response = kiosk.get("/")
    assert response.status_code == 200
    assert not _is_kiosk(_text(response))
    assert "kiosk.js" not in _text(response)
    assert _deletes_cookie(response)
    assert kiosk.get_cookie(COOKIE) is None
    # Rubbish of any shape is simply not a kiosk.
    for junk in ("x", "a" * 500, token + "x", token.split(".")[0]):
        kiosk.set_cookie(COOKIE, junk)
        assert not _is_kiosk(_text(kiosk.get("/")))


def test_revoked_kiosk_is_an_ordinary_browser_on_its_next_request(app, staff):
    kiosk, enrolled = _enrol(app, _issued_code(_register(staff)))
    key = _start_key(enrolled)
    device = _device(app)
    response = _staff_post(staff, f"/staf/kiosk/{device.id}/cabut")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staf/kiosk/"
    assert _device(app).state == "revoked"
    assert "Dicabut" in _text(staff.get("/staf/kiosk/"))

    response = kiosk.get("/")
    assert not _is_kiosk(_text(response))
    assert _deletes_cookie(response)
    # Neither the start link nor renewing brings it back.
    assert _start(app, key)[1].status_code == 403
    assert _staff_post(staff, f"/staf/kiosk/{device.id}/kode").status_code == 409
    assert _actions(app)[-1] == "kiosk.device_revoked"
    assert _actions(app).count("kiosk.device_revoked") == 1


def test_new_code_invalidates_the_old_cookie_and_start_link(app, staff):
    kiosk, enrolled = _enrol(app, _issued_code(_register(staff)))
    old_token = kiosk.get_cookie(COOKIE).value
    old_key = _start_key(enrolled)
    device = _device(app)
    response = _staff_post(staff, f"/staf/kiosk/{device.id}/kode", konfirmasi="ya")
    assert response.status_code == 200
    new_code = _issued_code(response)
    assert _actions(app)[-1] == "kiosk.device_code_renewed"
    assert _device(app).state == "waiting"

    response = kiosk.get("/")
    assert not _is_kiosk(_text(response))
    assert _deletes_cookie(response)
    assert _start(app, old_key)[1].status_code == 403

    again, response = _enrol(app, new_code)
    assert _start_key(response) != old_key
    assert response.status_code == 200
    new_token = again.get_cookie(COOKIE).value
    assert new_token != old_token
    assert _is_kiosk(_text(again.get("/")))
    assert _actions(app)[-1] == "kiosk.device_enrolled"


def test_new_code_asks_first_and_an_unconfirmed_post_changes_nothing(app, staff):
    kiosk, _ = _enrol(app, _issued_code(_register(staff)))
    device = _device(app)
    listing = _text(staff.get("/staf/kiosk/"))
    # "Kode baru" is a link to a question, not a button that acts at once.
    assert f'href="/staf/kiosk/{device.id}/kode"' in listing
    assert f'action="/staf/kiosk/{device.id}/kode"' not in listing

    question = staff.get(f"/staf/kiosk/{device.id}/kode")
    assert question.status_code == 200
    html = _text(question)
    assert "Buat kode baru untuk Kios Balai Desa?" in html
    assert "Kios ini langsung berhenti bekerja" in html
    assert 'name="konfirmasi" value="ya"' in html
    assert 'class="code-big"' not in html

    before = _actions(app)
    for fields in ({}, {"konfirmasi": ""}, {"konfirmasi": "tidak"}):
        response = _staff_post(staff, f"/staf/kiosk/{device.id}/kode", **fields)
        assert response.status_code == 200, fields
        assert "Buat kode baru untuk Kios Balai Desa?" in _text(response), fields
        assert 'class="code-big"' not in _text(response), fields
    assert _actions(app) == before
    assert _device(app).state == "enrolled"
    assert _is_kiosk(_text(kiosk.get("/")))


def test_htmx_puts_the_question_in_the_device_card_and_the_code_on_screen(app, staff):
    _enrol(app, _issued_code(_register(staff)))
    device = _device(app)
    htmx = {"HX-Request": "true"}
    question = _text(staff.get(f"/staf/kiosk/{device.id}/kode", headers=htmx))
    # Only the question, swapped into the card the operator tapped, focused.
    assert question.lstrip().startswith('<div class="confirm"')
    assert "<html" not in question and "Daftar kios" not in question
    assert "autofocus" in question
    listing = _text(staff.get("/staf/kiosk/"))
    assert f'hx-get="/staf/kiosk/{device.id}/kode" hx-target="closest li"' in listing

    token = csrf_from(staff.get("/staf/kiosk/").data)
    response = staff.post(
        f"/staf/kiosk/{device.id}/kode",
        data={"csrf_token": token, "konfirmasi": "ya"},
        headers=htmx,
    )
    html = _text(response)
    code = _issued_code(response)
    # The new code opens the swapped fragment and takes the focus, so it is scrolled into view.
    first = html.index("<section")
    assert html.index(code) < html.index("Daftar kios")
    assert 'class="card issued" role="status" tabindex="-1" autofocus' in html[first : first + 80]
    assert _device(app).state == "waiting"


def test_start_link_restores_the_cookie_in_a_fresh_browser(app, staff):
    _, enrolled = _enrol(app, _issued_code(_register(staff)))
    key = _start_key(enrolled)
    fresh, response = _start(app, key)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert response.headers["Cache-Control"] == "no-store"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{COOKIE}="))
    assert "HttpOnly" in cookie
    assert _is_kiosk(_text(fresh.get("/")))

    device_id, _, secret = key.partition(".")
    forged = [
        f"{device_id}.{_flip(secret)}",
        "not-a-key",
        key + "x",
        "",
        f"{int(device_id) + 1}.{secret}",
    ]
    for bad in forged:
        browser, response = _start(app, bad)
        assert response.status_code == 403
        assert browser.get_cookie(COOKIE) is None


# --- who may manage devices -----------------------------------------------------------------


def test_roles_without_device_permission_get_403(app, client, auth, demo):
    accounts = [
        ("auditor", "demo-auditor"),
        ("toko", "demo-merchant"),
        ("pendamping", "demo-pendamping"),
    ]
    data = {"name": "X", "village": GIRI_KENCANA, "paper_width": "80", "idle_seconds": "60"}
    for username, password in accounts:
        assert auth.login(username, password).status_code == 303, username
        token = csrf_from(client.get("/cek-status").data)
        assert client.get("/staf/kiosk/").status_code == 403, username
        response = client.post("/staf/kiosk/", data={**data, "csrf_token": token})
        assert response.status_code == 403, username
        auth.logout()
    with app.app_context():
        assert db.session.scalar(select(func.count(KioskDevice.id))) == 0


def test_device_pages_need_login(client):
    response = client.get("/staf/kiosk/")
    assert response.status_code in (302, 303)
    assert "/staf/masuk" in response.headers["Location"]


def test_operator_cannot_touch_a_kiosk_of_another_village(app, client, auth, demo):
    auth.login("dinsos", "demo-dinsos-admin")
    _register(client, name="Kios Air Petai", village=AIR_PETAI)
    device = _device(app, name="Kios Air Petai")
    auth.logout()
    auth.login("operator", "demo-operator")
    assert "Kios Air Petai" not in _text(client.get("/staf/kiosk/"))
    assert _staff_post(client, f"/staf/kiosk/{device.id}/cabut").status_code == 404
    assert _staff_post(client, f"/staf/kiosk/{device.id}/kode").status_code == 404
    assert _device(app, id=device.id).state == "waiting"
