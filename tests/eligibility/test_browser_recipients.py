"""Penetapan in Debian's Chromium: Dinsos previews (htmx) and fixes a quota list; a village
operator reads it on a phone. Screenshots go to tests/screenshots/penetapan-*.png.
"""

import re
import time

from tests.browser import needs_chromium, screenshot
from tests.eligibility.test_recipient_pages import URL, _form, _quotas, eligible_by_village


@needs_chromium
def test_browser_preview_then_fix_and_a_village_reads_on_a_phone(app, browser, live_server, demo):
    answers = eligible_by_village(app)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "Tetapkan daftar penerima ini?"
    page.goto(f"{live_server}/staf/masuk")
    page.fill("#username", "dinsos")
    page.fill("#password", "demo-dinsos-admin")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server}/staf/")
    page.goto(f"{live_server}{URL}?program=SEMBAKO")
    for name, value in _form(page=None).items():
        if name not in ("csrf_token", "program", "mode"):
            page.fill(f"#{name}", value)
    page.check("input[name=mode][value=quota]")
    for key, value in _quotas(answers).items():
        page.fill(f'input[name="{key}"]', value)
    page.click("text=Pratinjau")
    _poll(page, "document.querySelector('#preview h3') !== null")
    screenshot(page, "penetapan-preview")
    page.click("button.btn-primary")
    page.wait_for_url(re.compile(r".*/staf/penetapan/\d+$"))
    screenshot(page, "penetapan-list")
    context.close()

    phone = browser.new_context(viewport={"width": 360, "height": 740})
    page = phone.new_page()
    page.goto(f"{live_server}/staf/masuk")
    page.fill("#username", "operator")
    page.fill("#password", "demo-operator")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server}/staf/")
    page.goto(f"{live_server}{URL}")
    page.click("table.recipient-lists a >> nth=0")
    screenshot(page, "penetapan-operator-phone")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    phone.close()


def _poll(page, expression: str, timeout: float = 10.0) -> None:
    """Poll through DevTools: Playwright's wait_for_function needs eval, which the CSP forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)
