"""The queues in Chromium: an operator verifies by keyboard, Dinsos approves inline and the
counters change without a page load. Screenshots go to /work/shots/queue/ (look at them)."""

import time
from datetime import date
from pathlib import Path

import pytest

from bansos_app.extensions import limiter
from tests.browser import needs_chromium
from tests.tickets.support import RINA_KK
from tests.tickets.test_queue_list import ticket_of

SHOTS = Path("/work/shots/queue")
DESK = {"width": 1280, "height": 800}
pytestmark = [needs_chromium, pytest.mark.usefixtures("demo_tickets")]


def _wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll through DevTools: wait_for_function needs eval, which the CSP forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _login(browser, base: str, username: str, password: str, viewport=DESK):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{base}/staf/masuk")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/staf/")
    return context, page


@pytest.fixture
def queue_app(app, demo):
    limiter.reset()
    yield app
    limiter.reset()


def test_operator_verifies_then_dinsos_approves_inline(browser, live_server, queue_app):
    rina = ticket_of(queue_app, RINA_KK)
    row = f"#t-{rina.id}"
    context, page = _login(browser, live_server, "operator", "demo-operator")
    page.click("nav.staff-nav >> text=Usul-sanggah")
    page.wait_for_selector(row)
    _shot(page, "1-operator-queue")
    page.click(f"{row} >> text=Verifikasi")  # mouse: the row opens in place
    notes = f"#catatan-{rina.id}"
    page.wait_for_selector(notes)
    _wait_until(
        page, f"document.activeElement && document.activeElement.id === 'catatan-{rina.id}'"
    )
    page.keyboard.type("Dicek ke rumah: belum menerima Sembako.")
    page.keyboard.press("Tab")  # to the forum radios: Space picks the focused one
    page.keyboard.press("Space")
    page.fill(f"#tanggal-{rina.id}", date.today().isoformat())
    page.focus(f"#berita_acara-{rina.id}")
    page.keyboard.type("BA-07/2026")
    page.keyboard.press("Tab")
    page.keyboard.type("31")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # Setuju
    _shot(page, "2-operator-verify-form")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Simpan verifikasi
    _wait_until(page, f"document.querySelector('{row}').textContent.includes('Menunggu Dinsos')")
    assert page.text_content("#count-village").strip() == "1"
    _shot(page, "3-operator-verified")
    context.close()

    context, page = _login(browser, live_server, "dinsos", "demo-dinsos-admin")
    page.goto(f"{live_server}/staf/tiket/")
    assert page.text_content("#count-dinsos").strip() == "2"
    page.evaluate("window.__sameDocument = true")
    page.fill(f"#alasan-{rina.id}", "Sesuai hasil Musdes.")
    _shot(page, "4-dinsos-queue")
    page.click(f"{row} button[value=setujui]")
    _wait_until(page, "document.querySelector('#count-dinsos').textContent.trim() === '1'")
    assert page.evaluate("window.__sameDocument === true")  # no page load
    text = page.text_content(row)
    assert "Diterapkan" in text and "disetujui dan diterapkan" in text
    assert page.text_content("#count-applied").strip() == "2"
    _shot(page, "5-dinsos-approved")
    page.click(f"{row} a.tno")  # the detail opens inline, with the history
    _wait_until(page, f"!!document.querySelector('{row} .ticket-detail')")
    assert "Keputusan Dinsos" in page.text_content(row)
    _shot(page, "6-dinsos-detail")
    page.set_viewport_size({"width": 360, "height": 740})
    # A phone: the table scrolls inside its box, never the whole page.
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    _shot(page, "7-dinsos-phone")
    context.close()
