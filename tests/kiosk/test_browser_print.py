"""A resident prints voucher slips at an enrolled kiosk by touch; a phone shows them instead.

Screenshots go to tests/screenshots/: the status page's voucher section, the kiosk slip (58
and 80 mm, on screen and as Chromium prints it, rasterised at 203 dpi) and the phone slip.
"""

import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from bansos_app.extensions import db, limiter
from bansos_app.vouchers.tokens import verify_token
from tests.browser import SHOTS, SIZES, needs_chromium, screenshot
from tests.vouchers.slip_helpers import read_qr

SRI = ("1703124107850001", "1703122003180001")
PIN = "246810"
# Counts print calls: headless Chromium has no printer; a kiosk prints silently.
COUNT_PRINTS = "window.__prints = 0; window.print = function () { window.__prints += 1; };"

pytestmark = needs_chromium


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


def _kiosk_page(browser, app, base, size, paper):
    """A touch browser context enrolled as a kiosk with this paper width."""
    from bansos_app.auth.models import User
    from bansos_app.kiosk.devices import register_device

    with app.app_context():
        operator = db.session.scalar(select(User).where(User.username == "operator"))
        _, code = register_device(operator, "Kios Balai Desa", "17.03.12.2003", paper, 600)
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True)
    context.add_init_script(COUNT_PRINTS)
    page = context.new_page()
    page.goto(f"{base}/perangkat/daftar/{code}")
    page.tap("button[type=submit]")
    page.wait_for_selector(".start-link")
    page.tap("text=Ke beranda kios")
    page.wait_for_selector(".choice-voucher")
    return context, page


def _tap_digits(page, digits):
    for d in digits:
        page.tap(f'.kp-key[data-key="{d}"]')


def _check_status_and_pin(page):
    """NIK and KK on the keypad, then the PIN: the voucher section offers printing."""
    page.wait_for_selector("#kp:not([hidden])")
    _tap_digits(page, SRI[0])
    page.tap('.kp-key[data-key="ok"]')
    _tap_digits(page, SRI[1])
    page.tap('.kp-key[data-key="ok"]')
    page.wait_for_selector("#vouchers")
    page.tap("#pin")
    _tap_digits(page, PIN)
    page.tap(".pin-form button[type=submit]")
    page.wait_for_selector("#vouchers .ok")


def _wait_for_prints(page, count: int) -> None:
    """Poll the print counter (wait_for_function would need eval, which the CSP forbids)."""
    for _ in range(100):
        if page.evaluate("window.__prints") == count:
            return
        page.wait_for_timeout(50)
    assert page.evaluate("window.__prints") == count


def _tokens_in(app, image_path) -> list[int]:
    with app.app_context():
        return [verify_token(text).voucher_id for text in read_qr(image_path)]


def _printed_pdf(page, name) -> list[Path]:
    """What Chromium prints (print CSS, @page size), rasterised at the printer's 203 dpi."""
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    for old in SHOTS.glob(f"{name}-printed-*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "printed.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "203", "-png", source, SHOTS / f"{name}-printed"])
    return sorted(SHOTS.glob(f"{name}-printed-*.png"))


@pytest.mark.parametrize(("size", "paper"), [("portrait", 80), ("landscape", 58)])
def test_resident_prints_at_an_enrolled_kiosk(browser, app, live_server, sri_vouchers, size, paper):
    sembako = sri_vouchers["SEMBAKO"]
    context, page = _kiosk_page(browser, app, live_server, size, paper)
    page.tap(".choice-voucher")  # "Cetak Voucher" leads to the status check
    _check_status_and_pin(page)
    section = page.locator("#vouchers")
    section.scroll_into_view_if_needed()
    screenshot(page, f"print-status-{size}", screen_too=True)
    section.screenshot(path=str(SHOTS / f"print-vouchers-{size}.png"))
    assert section.locator(".voucher-print button").count() == len(sri_vouchers)
    assert "Cetak semua" in section.inner_text()

    # One voucher: the slip page prints itself once, then goes back to the status.
    section.locator(".voucher-line", has_text="Sembako").locator("button").tap()
    page.wait_for_selector(".vslip")
    _wait_for_prints(page, 1)  # once the page (and its QR) has loaded
    assert page.locator(".vslip").count() == 1
    screenshot(page, f"kiosk-slip-{paper}mm-{size}", screen_too=True)
    # The slip as shown on screen decodes, and so does the slip as Chromium prints it.
    qr_shot = SHOTS / f"kiosk-slip-{paper}mm-qr.png"
    page.locator(".vslip-qr").screenshot(path=str(qr_shot))
    assert _tokens_in(app, qr_shot) == [sembako]
    [printed] = _printed_pdf(page, f"kiosk-slip-{paper}mm")  # one page
    image = Image.open(printed)
    assert abs(image.width - round(paper / 25.4 * 203)) <= 2  # the roll's width
    assert image.height < 160 / 25.4 * 203  # one slip long, not a sheet
    assert _tokens_in(app, printed) == [sembako]
    page.wait_for_url(f"{live_server}/status", timeout=15_000)
    page.wait_for_selector("#vouchers")
    assert "sudah dicetak 1 kali" in page.inner_text("#vouchers")

    # Every voucher at once: the Sembako slip is now a reprint.
    page.locator(".voucher-print-all button").tap()
    page.wait_for_selector(".vslip")
    assert page.locator(".vslip").count() == len(sri_vouchers)
    assert "CETAK ULANG ke-1" in page.locator(".vslip", has_text="Sembako").inner_text()
    assert "CETAK ULANG" not in page.locator(".vslip", has_text="LPG").inner_text()
    _wait_for_prints(page, 1)  # a new page: counted afresh
    screenshot(page, f"kiosk-slips-all-{paper}mm-{size}")
    printed = _printed_pdf(page, f"kiosk-slips-all-{paper}mm")
    assert len(printed) == len(sri_vouchers)  # a slip a page: the printer cuts between them
    read = sorted(sum((_tokens_in(app, p) for p in printed), []))
    assert read == sorted(sri_vouchers.values())
    context.close()


def test_phone_shows_the_slip_large_enough_to_scan(browser, app, live_server, sri_vouchers):
    width, height = SIZES["phone"]
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True)
    context.add_init_script(COUNT_PRINTS)
    page = context.new_page()
    page.goto(f"{live_server}/cek-status")
    page.fill("#nik", SRI[0])
    page.fill("#kk", SRI[1])
    page.tap("#status-form button[type=submit]")
    page.wait_for_selector("#vouchers")
    page.fill("#pin", PIN)
    page.tap(".pin-form button[type=submit]")
    page.wait_for_selector("#vouchers .ok")
    button = page.locator(".voucher-line", has_text="Sembako").locator("button")
    assert button.inner_text() == "Tampilkan"
    button.tap()
    page.wait_for_selector(".vslip")
    page.wait_for_load_state("load")
    assert page.evaluate("window.__prints") == 0
    qr = page.locator(".vslip-qr")
    assert qr.bounding_box()["width"] >= 280  # most of a phone's width
    screenshot(page, "phone-slip", screen_too=True)
    shot = SHOTS / "phone-slip-qr.png"
    qr.screenshot(path=str(shot))
    assert _tokens_in(app, shot) == [sri_vouchers["SEMBAKO"]]
    page.wait_for_timeout(300)
    assert page.url.endswith("/status/cetak")  # stays: nothing sends it back
    context.close()
