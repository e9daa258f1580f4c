"""Static files: fingerprinted URLs cached for a year; every HTML answer compressed; headers."""

import re

import pytest

from tests.conftest import csrf_from, page_text

GZIP = {"Accept-Encoding": "gzip"}


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


@pytest.mark.parametrize("path", ["/", "/cek-status", "/staf/masuk"])
def test_pages_link_static_files_by_fingerprint(client, path):
    urls = _static_urls(page_text(client.get(path)))
    assert urls
    assert all(re.search(r"\?v=[0-9a-f]{12}$", u) for u in urls), urls


def test_fingerprinted_static_file_is_cached_for_a_year(client):
    url = _static_urls(page_text(client.get("/")))[0]
    response = client.get(url, headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # The session is never touched for a static file, so caches need not key on cookies.
    assert "Cookie" not in response.headers.get("Vary", "")
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("query", ["", "?v=000000000000", "?v=../../x"])
def test_static_file_without_the_current_fingerprint_is_rechecked(client, query):
    response = client.get("/static/css/app.css" + query)
    assert response.status_code == 200
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_missing_static_file_has_no_fingerprint(app):
    with app.test_request_context():
        from flask import url_for

        assert url_for("static", filename="nope.css") == "/static/nope.css"
        assert url_for("static", filename="../config.py") == "/static/../config.py"


def test_form_error_is_compressed(client, demo):
    page = client.get("/cek-status")
    response = client.post(
        "/cek-status",
        data={"nik": "1", "kk": "2", "csrf_token": csrf_from(page.data)},
        headers=GZIP,
    )
    assert response.status_code == 422
    assert response.headers["Content-Encoding"] == "gzip"


def test_error_page_is_compressed(client):
    response = client.get("/tidak-ada", headers=GZIP)
    assert response.status_code == 404
    assert response.headers["Content-Encoding"] == "gzip"


def test_hsts_only_when_cookies_are_secure(app, client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        response = client.get("/", base_url="https://bansos.example")
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False


def test_language_cookie_is_secure_over_https(client):
    response = client.get("/bahasa/en", base_url="https://bansos.example")
    assert "Secure" in response.headers["Set-Cookie"]
    plain = client.get("/bahasa/en")
    assert "Secure" not in plain.headers["Set-Cookie"]


def test_referrer_stays_on_this_site(client):
    """same-origin: our own posts carry Origin and Referer; other sites get nothing."""
    assert client.get("/").headers["Referrer-Policy"] == "same-origin"
