"""Staff ticket entry in Debian's Chromium: a pendamping's assisted ticket, a village search."""

import time
from pathlib import Path

import pytest

from bansos_app.extensions import limiter
from tests.browser import needs_chromium
from tests.tickets.support import DEDI_KK, DEDI_NIK, user

SHOTS = Path("/work/shots/entry")
pytestmark = needs_chromium


@pytest.fixture
def entry_app(app, demo):
    """Demo data and fresh login rate limits."""
    limiter.reset()
    yield app
    limiter.reset()


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _login(browser, base, username, password, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(f"{base}/staf/masuk")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/staf/")
    return context, page


def test_assisted_reaktivasi_and_search(entry_app, browser, live_server):
    context, page = _login(browser, live_server, "pendamping", "demo-pendamping", 360)
    try:
        page.goto(f"{live_server}/staf/tiket/baru/")
        # Grouped as printed on the card: the spaces are not part of the number.
        page.fill("#nik", " ".join(DEDI_NIK[i : i + 4] for i in range(0, 16, 4)))
        page.fill("#kk", DEDI_KK)
        page.check("input[name=kind][value=reaktivasi]")
        page.select_option("#program", "SEMBAKO")
        page.fill("#text", "Sudah berhenti judi, minta kembali lewat Musdesus")
        _shot(page, "entry-form-phone")
        page.click("#dibantu button[type=submit]")
        page.wait_for_url("**/staf/tiket/baru/hasil/*")
        assert "Tiket tersimpan" in page.inner_text("h1")
        with entry_app.app_context():
            name = user("pendamping").full_name
        assert page.inner_text(".entered-by") == name
        _shot(page, "entry-result-phone")
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 360, width
    finally:
        context.close()
    context, page = _login(browser, live_server, "operator", "demo-operator", 1280)
    try:
        page.goto(f"{live_server}/staf/tiket/baru/")
        page.fill("#q", "Rina")
        page.click("#usul-desa form[role=search] button[type=submit]")
        deadline = time.monotonic() + 10
        while "Rina Marlina" not in page.inner_text("#results"):
            assert time.monotonic() < deadline, "no search results"
            time.sleep(0.05)
        assert page.url.endswith("/staf/tiket/baru/")  # htmx swapped the results only
        _shot(page, "entry-search-desk")
    finally:
        context.close()
