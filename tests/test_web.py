"""Request-wide behaviour: security headers, language, error pages, health, htmx and CSRF."""

import re

import pytest
from flask import abort

from bansos_app import create_app
from tests.conftest import csrf_from

PAGES = ["/", "/staf/masuk"]


def _logged_in(client, auth, make_user):
    make_user("sari")
    assert auth.login("sari", "sari-pass-123").status_code == 303
    return client


# --- security headers -----------------------------------------------------------------------


@pytest.mark.parametrize("path", [*PAGES, "/tidak-ada", "/healthz"])
def test_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["default-src"] == "'self'"
    # Scripts and styles fall back to default-src: only our own files, nothing inline.
    assert directives.get("script-src", "'self'") == "'self'"
    assert directives.get("style-src", "'self'") == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("no-referrer", "same-origin")


# --- error pages and the language switch ----------------------------------------------------


def test_404_page_in_bahasa_indonesia(client):
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<html lang="id">' in html
    assert "Halaman tidak ditemukan" in html
    assert "Halaman yang Anda cari tidak ada." in html
    assert "Traceback" not in html


def test_405_page_in_bahasa_indonesia(client):
    response = client.get("/staf/keluar")
    assert response.status_code == 405
    html = response.get_data(as_text=True)
    assert "Cara akses tidak diizinkan" in html
    assert "Halaman ini tidak bisa dibuka dengan cara tersebut." in html


@pytest.mark.parametrize(("path", "code"), [("/x", 404), ("/staf/keluar", 405)])
def test_error_pages_switch_to_english(client, path, code):
    response = client.get("/bahasa/en?next=/")
    assert response.status_code == 303
    assert "lang=en" in response.headers["Set-Cookie"]
    response = client.get(path)
    assert response.status_code == code
    assert '<html lang="en">' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "indonesian", "english"),
    [
        ("/x", "Halaman tidak ditemukan", "Page not found"),
        ("/staf/keluar", "Cara akses tidak diizinkan", "Access method not allowed"),
    ],
)
def test_error_page_text_is_english_after_choosing_english(client, path, indonesian, english):
    client.get("/bahasa/en")
    html = client.get(path).get_data(as_text=True)
    assert indonesian not in html
    assert english in html


# --- health ---------------------------------------------------------------------------------


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.fixture(scope="module")
def down_app():
    """A second app whose database does not answer (nothing listens on port 1)."""
    app = create_app(
        {
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/none",
            "TESTING": False,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )

    # Routes that fail on purpose, to see each error page a real view could produce.
    @app.get("/_test/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    @app.get("/_test/<int:code>")
    def fail(code):
        abort(code)

    return app


def test_healthz_reports_a_database_that_is_down(down_app):
    response = down_app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.is_json
    assert response.get_json()["status"] == "error"
    assert response.get_json()["database"] != "ok"


def _assert_clean_error_page(response, code: int) -> str:
    assert response.status_code == code
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert f'<p class="error-code">{code}</p>' in html
    for leak in ("Traceback", "psycopg", "OperationalError", "127.0.0.1:1", "secret internal"):
        assert leak not in html
    return html


def test_login_with_the_database_down_gets_the_503_page(down_app):
    client = down_app.test_client()
    page = client.get("/staf/masuk")  # no database needed for the empty form
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/staf/masuk", data={"username": "sari", "password": "x" * 12, "csrf_token": token}
    )
    html = _assert_clean_error_page(response, 503)
    assert "Basis data tidak dapat dihubungi" in html


def test_staff_home_with_the_database_down_gets_the_503_page(down_app):
    client = down_app.test_client()
    with client.session_transaction() as session:
        # A logged-in session ("<user id>:<session version>"): loading the user needs the database.
        session["_user_id"] = "1:0"
        session["_fresh"] = True
    response = client.get("/staf/")
    _assert_clean_error_page(response, 503)


def test_unhandled_error_gets_the_500_page(down_app):
    response = down_app.test_client().get("/_test/boom")
    html = _assert_clean_error_page(response, 500)
    assert "Terjadi kesalahan pada server" in html


@pytest.mark.parametrize(
    ("code", "title"),
    [(400, "Permintaan tidak dapat diproses"), (403, "Akses ditolak"), (429, "Terlalu banyak")],
)
def test_other_error_pages(down_app, code, title):
    response = down_app.test_client().get(f"/_test/{code}")
    html = _assert_clean_error_page(response, code)
    assert title in html


# --- htmx, CSRF for htmx, and no external resources -----------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_pages_vary_on_hx_request(client, path):
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(path, headers=headers)
        assert response.status_code == 200
        assert "HX-Request" in response.headers.get("Vary", "")


BODY_CSRF = re.compile(r"<body[^>]*\shx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'")


@pytest.mark.parametrize("path", [*PAGES, "/tidak-ada"])
def test_csrf_token_in_hx_headers_on_body(client, path):
    html = client.get(path).get_data(as_text=True)
    assert BODY_CSRF.search(html), "no X-CSRFToken in hx-headers on <body>"


def test_hx_headers_token_is_accepted_for_htmx_posts(client, auth, make_user):
    page = _logged_in(client, auth, make_user).get("/staf/")
    token = BODY_CSRF.search(page.get_data(as_text=True)).group(1)
    response = client.post("/staf/keluar", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 303
    assert client.get("/staf/").status_code == 302


RESOURCE = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=[\"']([^\"']+)[\"']", re.I)


def _resources(html: str) -> list[str]:
    return RESOURCE.findall(html)


@pytest.mark.parametrize("path", [*PAGES, "/tidak-ada"])
def test_no_external_scripts_or_styles(client, path):
    html = client.get(path).get_data(as_text=True)
    resources = _resources(html)
    assert any(r.split("?")[0].endswith(".js") for r in resources)
    assert any(r.split("?")[0].endswith(".css") for r in resources)
    for url in resources:
        if url.startswith("data:"):
            continue  # inline (the empty favicon): nothing is fetched
        assert not re.match(r"^(https?:)?//", url, re.I), url
        # Vendored and served by the app itself.
        assert client.get(url).status_code == 200, url
    assert "<script>" not in html  # no inline script (CSP would block it anyway)
    assert " style=" not in html


def test_staff_home_headers_and_resources(client, auth, make_user):
    response = _logged_in(client, auth, make_user).get("/staf/")
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert BODY_CSRF.search(html)
    for url in _resources(html):
        assert not re.match(r"^(https?:)?//", url, re.I), url


def test_boosted_requests_get_the_whole_page(client):
    """hx-boost swaps the body: a block alone would leave the page without its header."""
    page = client.get("/cek-status")
    data = {"nik": "1", "kk": "2", "csrf_token": csrf_from(page.data)}
    fragment = client.post("/cek-status", data=data, headers={"HX-Request": "true"})
    assert "<header" not in fragment.get_data(as_text=True)
    boosted = client.post(
        "/cek-status", data=data, headers={"HX-Request": "true", "HX-Boosted": "true"}
    )
    assert "<header" in boosted.get_data(as_text=True)
