"""Registry pages in Debian's Chromium: live search without a page load, the household page, an
inline death record that updates the programs at once; screenshots in tests/screenshots/.
"""

import time
from datetime import timedelta

import pytest

from bansos_app.eligibility.evaluation import local_today
from bansos_app.extensions import limiter
from tests.browser import needs_chromium, screenshot

PHONE = {"width": 360, "height": 740}
DESK = {"width": 1280, "height": 800}

pytestmark = needs_chromium


@pytest.fixture
def registry_app(app, demo, evaluate):
    """Demo data with stored answers for every household, and fresh login rate limits."""
    limiter.reset()
    evaluate()
    yield app
    limiter.reset()


def _wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll through DevTools: Playwright's wait_for_function needs eval, which the CSP refuses."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


def _login(browser, base, viewport=DESK):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{base}/staf/masuk")
    page.fill("#username", "operator")
    page.fill("#password", "demo-operator")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/staf/")
    return context, page


def _both_sizes(page, name):
    """Screenshots at 1280 and 360 px; at 360 nothing scrolls sideways."""
    page.set_viewport_size(DESK)
    screenshot(page, f"registry-{name}-1280")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360, name
    screenshot(page, f"registry-{name}-360")
    page.set_viewport_size(DESK)


def test_search_as_you_type_then_open_and_edit_a_household(browser, registry_app, live_server):
    context, page = _login(browser, live_server)
    page.goto(f"{live_server}/staf/keluarga/")
    _both_sizes(page, "list")
    # A mark on the document survives only if the list is swapped in, not loaded afresh.
    page.evaluate("document.body.dataset.sameDocument = 'yes'")
    page.locator("#q").press_sequentially("wahyuni", delay=40)
    page.wait_for_url("**/staf/keluarga/?*q=wahyuni*")
    _wait_until(page, "document.querySelectorAll('#results tbody tr').length === 1")
    assert "Sri Wahyuni" in page.inner_text("#results")
    assert page.evaluate("document.body.dataset.sameDocument") == "yes"
    assert page.input_value("#q") == "wahyuni"
    _both_sizes(page, "search")

    page.click("#results a:has-text('Sri Wahyuni')")
    page.wait_for_selector("h1:has-text('Sri Wahyuni')")
    assert "1703********0001" in page.inner_text("#alamat")
    assert "1703124107850001" not in page.content()
    _both_sizes(page, "household")

    # Record the four-year-old's death inline: the members and the programs change in place.
    before = page.inner_text("#program")
    page.evaluate("document.body.dataset.sameDocument = 'yes'")
    row = page.locator("#anggota li", has_text="Rizky Ramadhan")
    row.locator("summary:has-text('Catat meninggal')").click()
    form = row.locator("form[action$=meninggal]")
    form.locator("input[type=date]").fill((local_today() - timedelta(days=2)).isoformat())
    form.locator("select").select_option("Laporan keluarga")
    form.locator("input[name$=reason]").fill("Laporan ibu di balai desa")
    _both_sizes(page, "death-form")
    form.locator("button").click()
    page.wait_for_selector("#anggota .ok")
    assert page.evaluate("document.body.dataset.sameDocument") == "yes"
    assert "Meninggal" in page.inner_text("#anggota li:has-text('Rizky Ramadhan')")
    assert page.inner_text("#program") != before
    assert "Kematian dicatat" in page.inner_text("#jejak")
    _both_sizes(page, "death-recorded")
    context.close()


def test_the_list_works_without_javascript(browser, registry_app, live_server):
    context, page = _login(browser, live_server, viewport=PHONE)
    plain = browser.new_context(viewport=PHONE, java_script_enabled=False)
    plain.add_cookies(context.cookies())
    nojs = plain.new_page()
    nojs.goto(f"{live_server}/staf/keluarga/")
    nojs.fill("#q", "wahyuni")
    nojs.click("form.filter button[type=submit]")
    nojs.wait_for_url("**/staf/keluarga/?*q=wahyuni*")
    assert "Sri Wahyuni" in nojs.inner_text("#results")
    screenshot(nojs, "registry-nojs-search-360")
    plain.close()
    context.close()
