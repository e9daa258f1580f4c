"""Staff layout: the menu marks the current page, every role's home lists what it can do, 403."""

import re

import pytest

from tests.conftest import page_text as _text

ROLES = {
    "operator": "demo-operator",
    "pendamping": "demo-pendamping",
    "dinsos": "demo-dinsos-admin",
    "toko": "demo-merchant",
    "auditor": "demo-auditor",
    "admin": "demo-superadmin",
}
PIN, DEVICES, STATUS = "/staf/pin/", "/staf/kiosk/", "/cek-status"
USERS, PASSWORD = "/staf/akun/", "/staf/kata-sandi"
PROGRAMS, RECIPIENTS, REGISTRY = "/staf/program/", "/staf/penetapan/", "/staf/keluarga/"
PERIODS, SLIPS = "/staf/periode/", "/staf/slip/"
SETTLEMENTS, SHOPS, SHOP_SETTLEMENT = "/staf/rekap-toko/", "/staf/toko-mitra/", "/toko/rekap/"
SHOP, REVERSAL = "/toko/", "/staf/penukaran/"
TICKETS = "/staf/tiket/"
DISTRICT = [REGISTRY, PIN, DEVICES, RECIPIENTS, PERIODS, SLIPS, USERS, PROGRAMS]
DISTRICT += [TICKETS, SETTLEMENTS, SHOPS]  # Dinsos and the superadmin
# What each demo account may do from its home, and what it may not.
PLACES = {
    "operator": [REGISTRY, PIN, DEVICES, RECIPIENTS, PERIODS, SLIPS, TICKETS, PASSWORD, STATUS],
    "pendamping": [REGISTRY, RECIPIENTS, PERIODS, TICKETS, PASSWORD, STATUS],
    "dinsos": [*DISTRICT, REVERSAL, PASSWORD, STATUS],
    "toko": [SHOP, SHOP_SETTLEMENT, PASSWORD, STATUS],
    "auditor": [REGISTRY, RECIPIENTS, PERIODS, PROGRAMS, TICKETS, SETTLEMENTS, PASSWORD, STATUS],
    "admin": [*DISTRICT, REVERSAL, PASSWORD, STATUS],
}


def _nav(html: str) -> str:
    match = re.search(r'<nav class="staff-nav"[^>]*>(.*?)</nav>', html, re.S)
    assert match, "no staff menu"
    return match.group(1)


def _menu_list(html: str) -> list[str]:
    match = re.search(r'<ul class="menu-list">(.*?)</ul>', html, re.S)
    assert match, "the home lists nothing to do"
    return re.findall(r'<li><a href="([^"]+)">', match.group(1))


@pytest.mark.parametrize("username", ROLES)
def test_every_role_home_lists_what_it_can_do(client, auth, demo, username):
    assert auth.login(username, ROLES[username]).status_code == 303
    if username == "toko":
        # A shop's home is its scan page; its menu is the nav bar there.
        assert client.get("/staf/").headers["Location"] == SHOP
        listed = re.findall(r'<a href="([^"]+)"', _nav(_text(client.get(SHOP))))[1:]
        assert listed == PLACES[username]  # after "Beranda", which leads here too
        for path in listed:
            assert client.get(path).status_code == 200, path
        return
    html = _text(client.get("/staf/"))
    listed = _menu_list(html)
    assert listed == PLACES[username]
    # Each listed place has a one-line description, and each one opens for this role.
    assert len(re.findall(r"<li><a [^>]+>[^<]+</a><span>[^<]{20,}</span></li>", html)) == len(
        listed
    )
    for path in listed:
        assert client.get(path).status_code == 200, path
    every = {*DISTRICT, REVERSAL}
    for path in every - set(listed):
        assert client.get(path).status_code == 403, path


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/staf/", "/staf/"),
        ("/staf/pin/", PIN),
        ("/staf/kiosk/", DEVICES),
        ("/staf/?desa=giri&hal=1", "/staf/"),
    ],
)
def test_navigation_marks_the_current_page(client, auth, demo, path, current):
    auth.login("operator", "demo-operator")
    nav = _nav(_text(client.get(path)))
    marked = re.findall(r'<a href="([^"]+)" aria-current="page">', nav)
    assert marked == [current]
    assert nav.count('aria-current="page"') == 1


def test_navigation_marks_a_page_below_a_menu_entry(app, client, auth, demo):
    from bansos_app.auth.models import User
    from bansos_app.extensions import db
    from bansos_app.kiosk.devices import register_device

    with app.app_context():
        operator = db.session.query(User).filter_by(username="operator").one()
        device, _ = register_device(operator, "Kios", "17.03.12.2003", 80, 60)
        device_id = device.id
    auth.login("operator", "demo-operator")
    nav = _nav(_text(client.get(f"/staf/kiosk/{device_id}/kode")))
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', nav) == [DEVICES]


def test_staff_403_uses_the_staff_layout_and_leads_to_the_staff_home(client, auth, demo):
    auth.login("toko", "demo-merchant")
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(PIN, headers=headers)
        assert response.status_code == 403
        html = _text(response)
        assert "Akses ditolak" in html
        assert 'href="/staf/">Kembali ke beranda staf</a>' in html
        assert 'href="/">Kembali ke beranda</a>' not in html
    html = _text(client.get(PIN))
    assert 'class="topbar staff-bar"' in html
    assert "/static/css/staff.css" in html
    assert 'aria-label="Menu staf"' in html


def test_public_errors_keep_the_kiosk_layout(client):
    html = _text(client.get("/tidak-ada"))
    assert 'href="/">Kembali ke beranda</a>' in html
    assert "staff-bar" not in html and "staff.css" not in html


def test_staff_404_for_a_visitor_who_is_not_logged_in(client):
    response = client.get("/staf/tidak-ada")
    assert response.status_code == 404
    html = _text(response)
    assert 'href="/staf/">Kembali ke beranda staf</a>' in html
    assert 'class="staff-nav"' not in html  # nobody logged in, so no menu


def test_a_refused_page_marks_no_menu_entry(client, auth, demo):
    auth.login("toko", "demo-merchant")
    nav = _nav(_text(client.get(PIN)))
    assert "aria-current" not in nav  # not "Beranda": the shop is not on its home
