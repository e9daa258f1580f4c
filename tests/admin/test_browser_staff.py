"""Staff pages in Debian's Chromium: no sideways scrolling at 360 px for any role, the new kiosk
code on screen after confirming, live village search. Screenshots go to tests/screenshots/.
"""

import time

import pytest

from bansos_app.extensions import db, limiter
from tests.browser import needs_chromium, screenshot

PHONE = {"width": 360, "height": 740}
DESK = {"width": 1280, "height": 800}
ACCOUNTS = {
    "operator": "demo-operator",
    "pendamping": "demo-pendamping",
    "dinsos": "demo-dinsos-admin",
    "toko": "demo-merchant",
    "auditor": "demo-auditor",
    "admin": "demo-superadmin",
}
SRI_KK = "1703122003180001"

pytestmark = needs_chromium


@pytest.fixture
def staff_app(app, demo):
    """Demo data with a kiosk in each of two villages, and fresh login rate limits."""
    from sqlalchemy import select

    from bansos_app.auth.models import User
    from bansos_app.kiosk.devices import register_device

    limiter.reset()
    with app.app_context():
        dinsos = db.session.scalar(select(User).where(User.username == "dinsos"))
        register_device(dinsos, "Kios Balai Desa Giri Kencana", "17.03.12.2003", 80, 60)
        register_device(dinsos, "Kios Kantor Desa Air Petai (lantai dua)", "17.03.14.2017", 58, 90)
    yield app
    limiter.reset()


def _wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll a JavaScript expression through DevTools (Playwright's wait_for_function uses eval,
    which the app's CSP forbids, so it fails whenever the answer is not already true)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


def _login(browser, base, username, viewport=PHONE):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{base}/staf/masuk")
    page.fill("#username", username)
    page.fill("#password", ACCOUNTS[username])
    page.click("main button[type=submit]")
    # A shop account lands on its scan page, every other role on the staff home.
    page.wait_for_url(f"{base}/toko/" if username == "toko" else f"{base}/staf/")
    return context, page


def _shot(page, name):
    screenshot(page, name)


def _scroll_width(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def _check_and_shoot(page, name, wide_too=True):
    """At 360 px nothing scrolls sideways; screenshots at 360x740 and, if asked, 1280x800."""
    page.set_viewport_size(PHONE)
    assert _scroll_width(page) <= 360, name
    _shot(page, f"staff-{name}-360")
    if wide_too:
        page.set_viewport_size(DESK)
        _shot(page, f"staff-{name}-1280")
        page.set_viewport_size(PHONE)


@pytest.mark.parametrize("username", ACCOUNTS)
def test_no_staff_page_scrolls_sideways_at_360(browser, staff_app, live_server, username):
    context, page = _login(browser, live_server, username)
    _check_and_shoot(page, f"{username}-home")
    links = page.eval_on_selector_all(".staff-nav a", "els => els.map(a => a.href)")
    assert links, "no menu"
    for href in links:
        page.goto(href)
        slug = href.rstrip("/").rsplit("/", 1)[-1] or "home"
        _check_and_shoot(page, f"{username}-{slug}", wide_too=username in ("operator", "dinsos"))
    if "/staf/pin/" in "".join(links):
        page.goto(f"{live_server}/staf/pin/")
        page.fill("#kk", "sri")
        page.click("form.lookup button[type=submit]")
        page.wait_for_selector("#pin-result .household, #pin-result .alert")
        _check_and_shoot(page, f"{username}-pin-found", wide_too=username == "operator")
        page.fill("#kk", "x" * 70)
        page.click("form.lookup button[type=submit]")
        page.wait_for_selector("#pin-result .alert")
        _check_and_shoot(page, f"{username}-pin-error", wide_too=username == "operator")
    else:
        page.goto(f"{live_server}/staf/pin/")
        assert "Akses ditolak" in page.inner_text("main")
        _check_and_shoot(page, f"{username}-403")
    page.goto(f"{live_server}/staf/tidak-ada")
    _check_and_shoot(page, f"{username}-404", wide_too=False)
    context.close()


def test_new_code_is_confirmed_in_the_card_and_shown_where_the_operator_looks(
    browser, staff_app, live_server
):
    context, page = _login(browser, live_server, "operator")
    page.goto(f"{live_server}/staf/kiosk/")
    card = page.locator(".device", has_text="Kios Balai Desa Giri Kencana")
    card.locator("text=Kode baru").click()
    card.locator(".confirm").wait_for()
    assert "berhenti bekerja" in card.inner_text()
    assert page.evaluate("document.activeElement.tagName") == "H2"
    _check_and_shoot(page, "operator-devices-confirm")
    card.locator("text=Ya, buat kode baru").click()
    issued = page.locator(".issued")
    issued.wait_for()
    _wait_until(page, "document.activeElement.classList.contains('issued')")
    box = issued.bounding_box()
    assert 0 <= box["y"] < PHONE["height"] / 2  # on screen, near the top, not below the fold
    assert issued.locator(".code-big").is_visible()
    assert _scroll_width(page) <= 360
    _shot(page, "staff-operator-devices-issued-view-360")
    _check_and_shoot(page, "operator-devices-issued")
    context.close()


def test_the_district_home_searches_as_you_type(browser, staff_app, live_server):
    context, page = _login(browser, live_server, "dinsos", viewport=DESK)
    page.fill("#desa", "giri")
    page.wait_for_url("**/staf/?*desa=giri*")
    _wait_until(page, "!document.querySelector('#villages').innerText.includes('Halaman 1 dari')")
    assert "Giri Kencana" in page.inner_text("#villages")
    assert page.url.count("desa=") == 1
    _check_and_shoot(page, "dinsos-home-search")
    page.fill("#desa", "")
    page.select_option("#kecamatan", label="Ketahun")
    page.wait_for_url("**/staf/?*kecamatan=17.03.12*")
    rows = page.eval_on_selector_all(
        "#villages tbody tr td.col-code", "tds => tds.map(td => td.textContent)"
    )
    assert rows and all(code.startswith("17.03.12.") for code in rows)
    page.go_back()
    page.wait_for_url("**/staf/?*desa=*")
    # Without JavaScript the same filter is a plain GET form.
    plain = browser.new_context(viewport=PHONE, java_script_enabled=False)
    cookies = context.cookies()
    plain.add_cookies(cookies)
    nojs = plain.new_page()
    nojs.goto(f"{live_server}/staf/")
    nojs.fill("#desa", "kencana")
    nojs.click("form.filter button[type=submit]")
    nojs.wait_for_url("**/staf/?*desa=kencana*")
    assert "Giri Kencana" in nojs.inner_text("#villages")
    plain.close()
    context.close()
