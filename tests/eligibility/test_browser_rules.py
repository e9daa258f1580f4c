"""A rule change in Debian's Chromium: the Dinsos admin previews the impact, then saves.

Screenshots go to tests/screenshots/ (rules-*.png): look at them.
"""

import pytest
from sqlalchemy import select

from bansos_app.audit.models import AuditEvent
from bansos_app.eligibility.models import RuleVersion
from bansos_app.extensions import db, limiter
from tests.admin.test_browser_staff import DESK, PHONE, _login, _scroll_width, _wait_until
from tests.browser import needs_chromium, screenshot

pytestmark = needs_chromium


@pytest.fixture
def rules_app(app, demo):
    """Demo data and fresh login rate limits."""
    limiter.reset()
    yield app
    limiter.reset()


def _shoot(page, name: str) -> None:
    """Nothing scrolls sideways on a phone; shots at 360 px and 1280 px wide."""
    page.set_viewport_size(PHONE)
    assert _scroll_width(page) <= 360, name
    screenshot(page, f"rules-{name}-360")
    page.set_viewport_size(DESK)
    screenshot(page, f"rules-{name}-1280")


def test_dinsos_previews_sembako_for_desil_1_to_4_then_saves(browser, rules_app, live_server):
    context, page = _login(browser, live_server, "dinsos", viewport=DESK)
    page.click(".staff-nav >> text=Program dan aturan")
    page.wait_for_url("**/staf/program/")
    assert "Sembako / BPNT" in page.inner_text("main")
    _shoot(page, "programs")
    page.click("#program-SEMBAKO h2 a")
    page.wait_for_url("**/staf/program/SEMBAKO")
    page.fill("#desil_max", "4")
    page.fill("#note", "Kepmensos 12/HUK/2027")
    page.click("text=Pratinjau dampak")
    page.locator("#preview").wait_for()
    assert page.url.endswith("/staf/program/SEMBAKO")  # htmx swapped the editor in place
    assert page.inner_text(".lose-total") == "2"
    assert page.inner_text(".gain-total") == "0"
    assert "Urai" in page.inner_text("table.impact")
    assert page.input_value("#desil_max") == "4"  # the form is kept
    _wait_until(page, "document.activeElement.id === 'preview'")
    _shoot(page, "sembako-preview")
    page.click("text=Simpan versi baru")
    page.wait_for_url("**/staf/program/SEMBAKO")
    page.locator("p.ok").wait_for()
    assert "Versi baru disimpan" in page.inner_text("p.ok")
    states = page.eval_on_selector_all(
        ".rule-version .version-state", "els => els.map(e => e.textContent.trim())"
    )
    assert states[0].startswith("Akan berlaku tanggal") and states[1] == "Berlaku"
    _shoot(page, "sembako-saved")
    with rules_app.app_context():
        versions = db.session.scalars(
            select(RuleVersion).where(RuleVersion.program_code == "SEMBAKO")
        ).all()
        assert [(v.desil_min, v.desil_max) for v in versions] == [(1, 5), (1, 4)]
        assert db.session.scalar(
            select(AuditEvent.id).where(AuditEvent.action == "rules.version_added")
        )
    context.close()


def test_bad_input_is_shown_under_its_field(browser, rules_app, live_server):
    context, page = _login(browser, live_server, "dinsos", viewport=PHONE)
    page.goto(f"{live_server}/staf/program/PKH")
    page.fill("#desil_min", "6")
    page.fill("#member_cap", "0")
    page.click("text=Pratinjau dampak")
    page.locator("#editor .alert").wait_for()
    text = page.inner_text("#editor")
    assert "tidak boleh di atas desil tertinggi" in text and "paling sedikit 1" in text
    assert page.locator("#preview").count() == 0
    _shoot(page, "pkh-errors")
    context.close()
