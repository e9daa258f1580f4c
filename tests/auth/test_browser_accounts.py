"""The account pages in Debian's Chromium: the htmx row actions, and no sideways scroll at 360 px.

Screenshots go to tests/screenshots/accounts-*.png at 1280x800, 1080x1920 and 360x740.
"""

import pytest

from bansos_app.extensions import limiter
from tests.browser import SHOTS, SIZES, needs_chromium

pytestmark = needs_chromium


def _page(browser, base, size, username="admin", password="demo-superadmin"):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{base}/staf/masuk")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/staf/")
    return context, page


def _look(page, name, size):
    """Screenshot the page and check that it does not scroll sideways."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"accounts-{name}-{size}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[size][0], f"{name} is {width} px wide at {size}"


@pytest.mark.parametrize("size", sorted(SIZES))
def test_account_pages_fit_and_row_actions_swap_the_row(browser, app, demo, live_server, size):
    limiter.reset()
    context, page = _page(browser, live_server, size)
    page.goto(f"{live_server}/staf/akun/")
    _look(page, "list", size)

    # Create an operator for two villages; the generated password is shown once.
    page.goto(f"{live_server}/staf/akun/baru")
    page.fill("#username", "sari")
    page.fill("#full_name", "Sari Operator Giri Kencana")
    page.select_option("#role", "operator_desa")
    page.select_option("#villages", ["17.03.12.2003", "17.03.12.2001"])
    _look(page, "new", size)
    page.click("button.btn-primary")
    page.wait_for_selector("#sandi")
    _look(page, "created", size)
    assert len(page.input_value("#sandi")) >= 12

    # Deactivate from the list: the row turns into the reason form, then into the new row.
    page.goto(f"{live_server}/staf/akun/?q=sari")
    row = page.locator("li.program", has_text="Sari Operator")
    row.get_by_text("Nonaktifkan").click()
    page.wait_for_selector("li.program input#reason")
    assert page.url.endswith("/staf/akun/?q=sari")  # htmx swapped the row, no page change
    _look(page, "deactivate-row", size)
    page.fill("#reason", "Pindah tugas")
    page.click("li.program button.btn-danger")
    page.wait_for_selector("li.program.state-inactive")
    assert "Nonaktif" in page.inner_text("li.program.state-inactive")

    # A new password, confirmed in a dialog, appears in the row.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("li.program", has_text="Sari Operator").get_by_text("Sandi baru").click()
    page.wait_for_selector("li.program .num-input")
    _look(page, "reset-row", size)

    page.goto(f"{live_server}/staf/akun/?role=operator_desa")
    page.locator("li.program", has_text="Operator Desa Giri Kencana").get_by_text("Ubah").click()
    page.wait_for_selector("#villages")
    _look(page, "edit", size)

    page.goto(f"{live_server}/staf/kata-sandi")
    page.fill("#current", "salah-salah-salah")
    page.fill("#new", "pendek")
    page.fill("#confirm", "pendek")
    page.click("button.btn-primary")
    page.wait_for_selector(".field-error")
    _look(page, "password", size)
    context.close()
