"""Edge checks found in the security review: body size, control characters, HTTPS origin, Host.

These run on SQLite and on PostgreSQL (CI runs the suite on both): PostgreSQL refuses NUL in
text, so a NUL that reached the database would be a 500 there and a silent 422 on SQLite.
"""

import io

import pytest
from sqlalchemy import func, select

from bansos_app.audit.models import AuditEvent
from bansos_app.extensions import db
from bansos_app.kiosk.models import KioskDevice
from tests.conftest import csrf_from, page_text

SRI = {"nik": "1703124107850001", "kk": "1703122003180001"}


def _audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)))


def test_oversize_post_is_refused_before_it_is_read(client, app):
    """An unauthenticated 600 MB post gets 413 at once; the body is never read."""
    body = io.BytesIO(b"nik=1")  # the server must decide from Content-Length alone
    response = client.post(
        "/cek-status",
        input_stream=body,
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"CONTENT_LENGTH": str(600 * 1024 * 1024)},
    )
    assert response.status_code == 413
    assert "terlalu besar" in page_text(response)
    assert body.tell() == 0


def test_oversize_page_in_english(client):
    client.get("/bahasa/en")
    response = client.post("/staf/masuk", data={"x": "a" * (300 * 1024)})
    assert response.status_code == 413
    assert "too large" in page_text(response)


def test_many_form_fields_are_refused(client):
    page = client.get("/staf/masuk")
    data = {f"f{i}": "x" for i in range(500)} | {"csrf_token": csrf_from(page.data)}
    response = client.post("/staf/masuk", data=data, content_type="multipart/form-data")
    assert response.status_code == 413


def test_upload_limit_raises_the_limit_for_one_view(app):
    """Views that take files name their own larger limit; the others keep the small one."""
    from bansos_app.guards import upload_limit

    @upload_limit(2 * 1024 * 1024)
    def view():
        return "ok"

    from bansos_app import create_app

    fresh = create_app(dict(app.config))
    fresh.add_url_rule("/_test/upload", "_test_upload", view, methods=["POST"])
    client = fresh.test_client()
    page = client.get("/staf/masuk")
    data = {"csrf_token": csrf_from(page.data), "f": "a" * (1024 * 1024)}
    assert client.post("/_test/upload", data=data).status_code == 200
    assert client.post("/staf/masuk", data=data).status_code == 413


@pytest.mark.parametrize("bad", ["a\x00b", "\x00", "ab\x1bc", "x\x7f", "\u0085name", "\x08"])
def test_control_characters_in_the_login_are_refused(client, app, demo, bad):
    before = _audit_count(app)
    page = client.get("/staf/masuk")
    response = client.post(
        "/staf/masuk",
        data={"username": bad, "password": "x", "csrf_token": csrf_from(page.data)},
    )
    assert response.status_code == 422
    assert "karakter yang tidak diizinkan" in page_text(response)
    assert _audit_count(app) == before  # nothing recorded, nothing changed


def test_nul_in_the_kiosk_status_form_is_refused(client, demo):
    page = client.get("/cek-status")
    data = {"nik": SRI["nik"] + "\x00", "kk": SRI["kk"], "csrf_token": csrf_from(page.data)}
    response = client.post("/cek-status", data=data)
    assert response.status_code == 422
    assert "karakter yang tidak diizinkan" in page_text(response)  # the guard, not the NIK rule
    assert "Sri Wahyuni" not in page_text(response)


def test_nul_in_a_kiosk_name_changes_nothing(client, auth, app, demo):
    assert auth.login("operator", "demo-operator").status_code == 303
    page = client.get("/staf/kiosk/")
    data = {
        "name": "Kios\x00Balai",
        "village": "17.03.12.2003",
        "paper_width": "80",
        "idle_seconds": "60",
        "csrf_token": csrf_from(page.data),
    }
    response = client.post("/staf/kiosk/", data=data)
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(KioskDevice.id))) == 0


def test_nul_in_a_query_string_is_refused(client):
    client.get("/bahasa/en")
    response = client.get("/staf/masuk?next=%2F%00x")
    assert response.status_code == 422
    assert "characters that are not allowed" in page_text(response)


def test_tabs_and_newlines_are_ordinary_text(client, demo):
    page = client.get("/cek-status")
    data = {"nik": "\t" + SRI["nik"], "kk": SRI["kk"] + "\r\n", "csrf_token": csrf_from(page.data)}
    response = client.post("/cek-status", data=data)
    assert response.status_code == 303  # whitespace around the numbers is simply dropped


# --- HTTPS: the form token plus a same-origin check that does not need a Referer ---------


@pytest.fixture
def https(app):
    """A client that talks HTTPS to https://bansos.example."""
    client = app.test_client()

    class Https:
        def get(self, path, **kw):
            return client.get(path, base_url="https://bansos.example", **kw)

        def post(self, path, **kw):
            return client.post(path, base_url="https://bansos.example", **kw)

    return Https()


def _status_post(client, **headers):
    page = client.get("/cek-status")
    data = SRI | {"csrf_token": csrf_from(page.data)}
    return client.post("/cek-status", data=data, headers=headers)


def test_https_post_with_only_an_origin_header_works(https, demo):
    """Browsers under Referrer-Policy send no Referer on some posts; Origin is enough."""
    response = _status_post(https, Origin="https://bansos.example")
    assert response.status_code == 303


def test_https_post_with_a_same_origin_referer_works(https, demo):
    response = _status_post(https, Referer="https://bansos.example/cek-status")
    assert response.status_code == 303


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "https://evil.example"},
        {"Origin": "http://bansos.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/x"},
        {"Origin": "https://bansos.example", "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_https_post_from_elsewhere_is_refused(https, demo, headers):
    response = _status_post(https, **headers)
    assert response.status_code == 400
    assert "Sri Wahyuni" not in page_text(response)


def test_https_post_without_the_token_is_still_refused(https, demo):
    response = https.post("/cek-status", data=SRI, headers={"Origin": "https://bansos.example"})
    assert response.status_code == 400


def test_forwarded_https_behind_a_proxy(app, demo):
    """curl -H 'X-Forwarded-Proto: https' through ProxyFix: the same rules as real TLS."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from bansos_app import create_app

    proxied = create_app(dict(app.config) | {"TRUST_PROXY_HOPS": 1})
    assert isinstance(proxied.wsgi_app, ProxyFix)
    client = proxied.test_client()
    fwd = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "bansos.example"}
    page = client.get("/cek-status", headers=fwd)
    data = SRI | {"csrf_token": csrf_from(page.data)}
    ok = client.post("/cek-status", data=data, headers=fwd | {"Origin": "https://bansos.example"})
    assert ok.status_code == 303
    assert "Secure" in ok.headers["Set-Cookie"]


# --- Host header and links that leave the app --------------------------------------------


@pytest.fixture
def trusted(app):
    """TRUSTED_HOSTS and PUBLIC_BASE_URL set as in production."""
    old = app.config["TRUSTED_HOSTS"], app.config["PUBLIC_BASE_URL"]
    app.config["TRUSTED_HOSTS"] = ["bansos.example", "localhost"]
    app.config["PUBLIC_BASE_URL"] = "https://bansos.example"
    yield app
    app.config["TRUSTED_HOSTS"], app.config["PUBLIC_BASE_URL"] = old


def test_foreign_host_is_refused(trusted, client):
    response = client.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert client.get("/", headers={"Host": "bansos.example"}).status_code == 200


def test_enrolment_url_uses_the_public_base_url(trusted, client, auth, demo):
    """Even when asked through another trusted name, the link shown is the public one."""
    assert auth.login("operator", "demo-operator").status_code == 303
    page = client.get("/staf/kiosk/")
    data = {
        "name": "Kios Balai",
        "village": "17.03.12.2003",
        "paper_width": "80",
        "idle_seconds": "60",
        "csrf_token": csrf_from(page.data),
    }
    text = page_text(client.post("/staf/kiosk/", data=data))
    assert "https://bansos.example/perangkat/daftar/" in text
    assert "http://localhost/perangkat" not in text


def test_host_settings_come_from_the_environment(monkeypatch, tmp_path):
    from bansos_app.config import load_config

    monkeypatch.setenv("TRUSTED_HOSTS", "bansos.example, 10.0.0.5 ,")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://bansos.example")
    monkeypatch.setenv("SECRET_KEY", "x")
    config = load_config(tmp_path)
    assert config["TRUSTED_HOSTS"] == ["bansos.example", "10.0.0.5"]
    assert config["PUBLIC_BASE_URL"] == "https://bansos.example"
    monkeypatch.delenv("TRUSTED_HOSTS")
    assert load_config(tmp_path)["TRUSTED_HOSTS"] is None
