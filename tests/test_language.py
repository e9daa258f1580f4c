"""The language choice: remembered in a cookie, and the switch never leaves the site."""

import pytest


def test_language_choice_is_remembered_across_pages(client):
    client.get("/bahasa/en")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/staf/masuk").get_data(as_text=True)
    client.get("/bahasa/id")
    assert '<html lang="id">' in client.get("/").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    response = client.get("/bahasa/xx")
    assert response.status_code == 303
    assert "Set-Cookie" not in response.headers or "lang=" not in response.headers["Set-Cookie"]
    assert '<html lang="id">' in client.get("/").get_data(as_text=True)
    # A choice already made survives an unknown code.
    client.get("/bahasa/en")
    client.get("/bahasa/xx")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_forged_language_cookie_is_ignored(client):
    client.set_cookie("lang", "xx")
    assert '<html lang="id">' in client.get("/").get_data(as_text=True)


def test_language_switch_refuses_a_control_character_in_next(client):
    """DEL (like NUL) is refused at the edge for every query value, so nothing redirects."""
    response = client.get("/bahasa/en", query_string={"next": "/\x7f/evil.example"})
    assert response.status_code == 422
    assert "Location" not in response.headers


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example/",
        "http:evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "",
        "/\t/example.com",  # browsers drop the tab: "//example.com"
        "/\r\n/x",  # would split the Location header
        "/\n/evil.example",
        " //evil.example",
        "///evil.example",  # urlsplit sees no host here, browsers do
        "/evil.example\\",
        "https://evil",
        "//evil",
        "evil.example/path",
    ],
)
def test_language_switch_refuses_open_redirects(client, target):
    response = client.get("/bahasa/en", query_string={"next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "raw",
    ["/%09/example.com", "/%0d%0a/x", "/%5C/evil", "%2F%2Fevil", "/%2F%2Fevil", "/%5c%5cevil"],
)
def test_language_switch_refuses_percent_encoded_open_redirects(client, raw):
    """The query string as a browser sends it: each decodes to a target that leaves the site."""
    response = client.get(f"/bahasa/en?next={raw}")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_language_switch_keeps_an_encoded_slash_in_a_path(client):
    """A literal "%2F" stays part of this site's path: browsers do not decode it into a host."""
    response = client.get("/bahasa/en", query_string={"next": "/%2F%2Fevil"})
    assert response.headers["Location"] == "/%2F%2Fevil"


def test_language_switch_returns_to_the_same_site_page(client):
    response = client.get("/bahasa/en", query_string={"next": "/staf/masuk"})
    assert response.headers["Location"] == "/staf/masuk"


def test_language_switch_links_back_to_the_current_page(client):
    html = client.get("/staf/masuk").get_data(as_text=True)
    assert 'href="/bahasa/en?next=/staf/masuk"' in html


def test_language_switch_returns_to_the_page_in_the_address_bar(client):
    """After an htmx swap moved the address on, the Referer names the page the visitor sees."""
    response = client.get(
        "/bahasa/en?next=/cek-status", headers={"Referer": "http://localhost/status"}
    )
    assert response.headers["Location"] == "/status"
    foreign = client.get(
        "/bahasa/en?next=/cek-status", headers={"Referer": "http://evil.example/status"}
    )
    assert foreign.headers["Location"] == "/cek-status"
