"""Rate limits on status checks and PIN attempts: the friendly 429 page, and nothing changes."""

import json

import pytest
from sqlalchemy import func, select

from bansos_app.audit.models import AuditEvent
from bansos_app.auth.models import User
from bansos_app.extensions import db, limiter
from bansos_app.kiosk.devices import device_token, enrol_device, register_device
from bansos_app.kiosk.models import ResidentVisit
from bansos_app.registry.models import Household
from tests.conftest import csrf_from

SRI = {"nik": "1703124107850001", "kk": "1703122003180001"}


def _token(client) -> str:
    return csrf_from(client.get("/cek-status").data)


def _state(app) -> dict:
    """What a status check or PIN attempt could change."""
    with app.app_context():
        sri = db.session.scalar(select(Household).where(Household.kk_number == SRI["kk"]))
        return {
            "visits": db.session.scalar(select(func.count(ResidentVisit.id))),
            "audit": db.session.scalar(select(func.count(AuditEvent.id))),
            "pin_failures": sri.pin_failures if sri else None,
            "pin_locked_until": sri.pin_locked_until if sri else None,
        }


def _assert_friendly_429(response):
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Terlalu banyak percobaan" in html
    assert "Tunggu sebentar lalu coba lagi." in html
    assert "Traceback" not in html
    return html


def test_fifty_rapid_status_checks_hit_the_limit(app, client, demo):
    limiter.reset()
    token = _token(client)
    before = _state(app)
    codes = []
    for _ in range(50):
        response = client.post("/cek-status", data={**SRI, "csrf_token": token})
        codes.append(response.status_code)
        if response.status_code == 429:
            last_429 = response
    assert set(codes) <= {303, 429}
    allowed = codes.count(303)
    assert 0 < allowed < 50
    # Once limited, a client stays limited: no success after the first 429.
    assert codes == [303] * allowed + [429] * (50 - allowed)
    html = _assert_friendly_429(last_429)
    assert '<html lang="id">' in html
    assert "Kembali ke beranda" in html
    assert not any(c.startswith("bansos_warga=") for c in last_429.headers.getlist("Set-Cookie"))

    # Only the allowed checks left a trace: one visit and one audit event each.
    after = _state(app)
    assert after["visits"] - before["visits"] == allowed
    with app.app_context():
        checked = db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "kiosk.status_checked")
        )
    assert checked == allowed
    assert after["audit"] - before["audit"] == allowed
    limiter.reset()


@pytest.mark.parametrize(
    ("path", "setting", "data"),
    [
        ("/cek-status", "RATELIMIT_STATUS_DEVICE", SRI),
        ("/status/pin", "RATELIMIT_PIN", {"pin": "246810"}),
    ],
)
def test_rate_limited_htmx_request_gets_the_error_block_aimed_at_main(
    app, client, demo, monkeypatch, path, setting, data
):
    limiter.reset()
    monkeypatch.setitem(app.config, setting, "1 per minute")
    token = _token(client)
    assert client.post(path, data={**data, "csrf_token": token}).status_code == 303
    before = _state(app)
    response = client.post(path, data={**data, "csrf_token": token}, headers={"HX-Request": "true"})
    html = _assert_friendly_429(response)
    assert response.headers["HX-Retarget"] == "#main"
    assert "<html" not in html and "<body" not in html
    assert 'class="card error-card"' in html
    assert _state(app) == before
    limiter.reset()


def test_bad_input_counts_towards_the_limit_and_the_limit_blocks_good_input(app, client, demo):
    limiter.reset()
    token = _token(client)
    codes = [
        client.post("/cek-status", data={"nik": "123", "kk": "", "csrf_token": token}).status_code
        for _ in range(50)
    ]
    assert set(codes) == {422, 429}
    before = _state(app)
    response = client.post("/cek-status", data={**SRI, "csrf_token": token})
    _assert_friendly_429(response)
    assert _state(app) == before
    limiter.reset()


def _kiosk_client(app, name):
    """A test client holding the cookie of a freshly enrolled kiosk in Giri Kencana."""
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "dinsos"))
        device, code = register_device(admin, name, "17.03.12.2003", 80, 60)
        device, _ = enrol_device(code)
        token = device_token(device)
    kiosk = app.test_client()
    kiosk.set_cookie("bansos_kiosk", token)
    return kiosk


def test_status_limit_is_per_kiosk(app, demo, monkeypatch):
    limiter.reset()
    monkeypatch.setitem(app.config, "RATELIMIT_STATUS_DEVICE", "2 per minute")
    kiosks = [_kiosk_client(app, f"Kios {i}") for i in range(2)]
    assert 'data-kiosk="1"' in kiosks[0].get("/").get_data(as_text=True)
    tokens = [_token(k) for k in kiosks]

    def post(i):
        return kiosks[i].post("/cek-status", data={**SRI, "csrf_token": tokens[i]}).status_code

    assert [post(0), post(0), post(0)] == [303, 303, 429]
    # Another kiosk behind the same address has its own allowance.
    assert [post(1), post(1), post(1)] == [303, 303, 429]
    with app.app_context():
        assert db.session.scalar(select(func.count(ResidentVisit.id))) == 4
    limiter.reset()


def test_status_limit_is_also_per_address(app, demo, monkeypatch):
    limiter.reset()
    monkeypatch.setitem(app.config, "RATELIMIT_STATUS_ADDRESS", "3 per minute")
    kiosks = [_kiosk_client(app, f"Kios {i}") for i in range(4)]
    tokens = [_token(k) for k in kiosks]
    codes = [
        k.post("/cek-status", data={**SRI, "csrf_token": t}).status_code
        for k, t in zip(kiosks, tokens, strict=True)
    ]
    # Each kiosk posted once, but the address as a whole has used its allowance.
    assert codes == [303, 303, 303, 429]
    with app.app_context():
        assert db.session.scalar(select(func.count(ResidentVisit.id))) == 3
    limiter.reset()


def _pin_post(client, page, pin, **kwargs):
    return client.post(
        "/status/pin", data={"pin": pin, "csrf_token": csrf_from(page.data)}, **kwargs
    )


def test_pin_attempts_are_limited_and_rejected_ones_change_nothing(app, client, demo, monkeypatch):
    limiter.reset()
    monkeypatch.setitem(app.config, "RATELIMIT_PIN", "3 per minute")
    client.post("/cek-status", data={**SRI, "csrf_token": _token(client)})
    page = client.get("/status")
    assert page.status_code == 200
    codes = [_pin_post(client, page, "111111").status_code for _ in range(3)]
    assert codes == [422, 422, 422]
    before = _state(app)
    assert before["pin_failures"] == 3
    # The right PIN is refused as well: the limit is checked before the PIN.
    _assert_friendly_429(_pin_post(client, page, "246810"))
    _assert_friendly_429(_pin_post(client, page, "111111"))
    assert _state(app) == before
    with app.app_context():
        failed = db.session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "kiosk.pin_failed")
        ).all()
    assert len(failed) == 3
    assert all(json.loads(d) == {"locked": False} for d in failed)
    limiter.reset()
