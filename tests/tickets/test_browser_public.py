"""Sri at an enrolled kiosk, by touch only: Sanggah desil and a sanggah of another recipient,
typed on the letter keyboard, the numbers shown, then Cek Tiket on the keypad.

Screenshots of every screen, portrait and landscape, go to /work/shots/public/.
"""

import time
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select

from bansos_app.extensions import db, limiter
from tests.browser import SIZES, needs_chromium

pytestmark = needs_chromium

SRI = ("1703124107850001", "1703122003180001")
SHOTS = Path("/work/shots/public")
COUNT_PRINTS = "window.__prints = 0; window.print = function () { window.__prints += 1; };"


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


def _kiosk(browser, app, base, size):
    from bansos_app.auth.models import User
    from bansos_app.kiosk.devices import register_device

    with app.app_context():
        operator = db.session.scalar(select(User).where(User.username == "operator"))
        _, code = register_device(operator, "Kios Balai Desa", "17.03.12.2003", 80, 600)
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True)
    context.add_init_script(COUNT_PRINTS)
    page = context.new_page()
    page.goto(f"{base}/perangkat/daftar/{code}")
    page.tap("button[type=submit]")
    page.wait_for_selector(".start-link")
    page.tap("text=Ke beranda kios")
    page.wait_for_selector(".choice-ticket")
    return context, page


def _shot(page, name, size):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{size}.png"))
    # Nothing wider than the window: no sideways scrolling, nothing cut off at the right.
    wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not wide, f"{name}-{size}: wider than the screen"


def _digits(page, digits):
    for d in digits:
        page.tap(f'.kp-key[data-key="{d}"]')


def _letters(page, text):
    for ch in text:
        page.tap(f'.lk-key[data-key="{ch}"]')


def _question(page, text):
    """Wait until the screen asks this question (htmx swapped #main)."""
    for _ in range(100):
        try:
            asked = page.query_selector("#tk-question")
            if asked and text in asked.inner_text():
                return
        except PlaywrightError:  # a full page load is under way
            pass
        time.sleep(0.05)
    raise AssertionError(f"never asked {text!r}: {page.inner_text('main')[:300]}")


def _small_targets(page):
    return page.evaluate(
        """() => [...document.querySelectorAll('main a, main button')]
            .filter(e => e.getClientRects().length)
            .map(e => [e.textContent.trim(), e.getBoundingClientRect().height])
            .filter(([, h]) => h < 48)"""
    )


@pytest.mark.parametrize("size", ["portrait", "landscape"])
def test_sri_objects_by_touch_and_checks_her_ticket(browser, app, demo, live_server, size):
    context, page = _kiosk(browser, app, live_server, size)
    _shot(page, "01-home", size)

    # Status first: NIK and KK on the keypad.
    page.tap(".choice-status")
    page.wait_for_selector("#kp:not([hidden])")
    _digits(page, SRI[0])
    page.tap('.kp-key[data-key="ok"]')
    _digits(page, SRI[1])
    page.tap("#status-form button[type=submit]")
    page.wait_for_selector("#status-title")
    page.locator("#tickets").scroll_into_view_if_needed()
    _shot(page, "02-status-tickets-empty", size)

    # Sanggah desil: straight to the short text, typed on the letter keyboard.
    page.tap("text=Sanggah desil")
    _question(page, "Keterangan singkat")
    page.wait_for_selector("#lk:not([hidden])")  # autofocus opened it
    _letters(page, "DESIL SALAH")
    assert page.input_value("#keterangan") == "DESIL SALAH"
    assert page.is_visible(".tk-next")
    _shot(page, "03-text-letters", size)
    page.tap(".tk-next")
    _question(page, "Periksa, lalu kirim")
    assert "DESIL SALAH" in page.inner_text("main")
    assert not _small_targets(page)
    _shot(page, "04-confirm", size)
    page.tap(".tk-next")
    page.wait_for_selector("#tk-number")
    first = page.inner_text("#tk-number").strip()
    assert len(first.replace(" ", "")) == 10
    _shot(page, "05-result", size)

    # A second ticket: object to Mulyadi Handayani (Sembako recipient) for another reason.
    page.tap("text=Kembali ke status")
    page.wait_for_selector("#status-title")
    assert first in page.inner_text("#tickets")
    page.tap("#tickets .btn-primary")
    _question(page, "Apa yang ingin Anda ajukan?")
    assert not _small_targets(page)
    _shot(page, "06-kind", size)
    page.tap("text=Usulkan penerima")
    _question(page, "Keluarga siapa yang diusulkan?")
    _shot(page, "07-whom", size)
    page.tap("text=Keluarga yang belum terdaftar")
    _question(page, "Keluarga yang belum terdaftar")
    page.wait_for_selector("#kp:not([hidden])")
    _digits(page, "1703125001900007")
    _shot(page, "08-new-family-keypad", size)
    page.tap("#nama")
    page.wait_for_selector("#lk:not([hidden])")
    assert page.is_hidden("#kp")  # one keyboard at a time
    _letters(page, "BUDI")
    _shot(page, "09-new-family-letters", size)
    page.tap(".tk-back")
    _question(page, "Keluarga siapa yang diusulkan?")
    page.tap(".tk-back")
    _question(page, "Apa yang ingin Anda ajukan?")
    page.tap("text=Sanggah penerima lain")
    _question(page, "Penerima mana yang Anda sanggah?")
    _shot(page, "10-pick", size)
    page.tap('.tk-letter[value="M"]')
    page.wait_for_selector('.tk-letter.tk-on[value="M"]')
    assert "Mulyadi Handayani" in page.inner_text(".tk-families")
    _shot(page, "11-pick-letter-m", size)
    page.tap("text=Mulyadi Handayani")
    _question(page, "Mengapa keluarga ini tidak layak menerima?")
    _shot(page, "12-reason", size)
    page.tap("text=Alasan lain")
    _question(page, "Keterangan singkat")
    page.tap(".tk-next")  # nothing typed: "lainnya" needs a text
    page.wait_for_selector(".alert")
    assert "Tulis alasannya secara singkat." in page.inner_text(".alert")
    _shot(page, "13-text-required", size)
    page.tap("#keterangan")
    _letters(page, "PUNYA MOBIL")
    page.tap('.lk-key[data-key="ok"]')  # the keyboard's enter key moves on too
    _question(page, "Periksa, lalu kirim")
    page.tap(".tk-next")
    page.wait_for_selector("#tk-number")
    second = page.inner_text("#tk-number")
    assert second != first
    page.tap("text=Cetak bukti")
    page.wait_for_selector(".tk-slip")
    for _ in range(50):
        if page.evaluate("window.__prints"):
            break
        time.sleep(0.05)
    assert page.evaluate("window.__prints") == 1
    _shot(page, "14-receipt", size)
    page.tap(".vslip-actions .btn")

    # Cek Tiket: the number and the NIK on the keypad.
    page.wait_for_selector("#status-title")
    page.tap("#tickets >> text=Cek Tiket")
    page.wait_for_selector("#kp:not([hidden])")
    _digits(page, first.replace(" ", ""))
    page.tap('.kp-key[data-key="ok"]')
    _digits(page, SRI[0])
    _shot(page, "15-check-form", size)
    page.tap("#check-form button[type=submit]")
    page.wait_for_selector("#tk-stage")
    assert "Menunggu verifikasi desa" in page.inner_text("#tk-stage")
    assert "Sri Wahyuni" not in page.inner_text("main")
    _shot(page, "16-check-result", size)
    context.close()


def test_phone_sends_a_house_photo_and_sees_the_receipt(browser, app, demo, live_server, tmp_path):
    """A phone (no kiosk cookie): no keyboards of ours, a photo through htmx, the slip on screen."""
    from io import BytesIO

    from PIL import Image

    photo = tmp_path / "rumah.jpg"
    buffer = BytesIO()
    Image.new("RGB", (1600, 1200), (90, 140, 60)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    width, height = SIZES["phone"]
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/cek-status")
    page.fill("#nik", SRI[0])
    page.fill("#kk", SRI[1])
    page.tap("#status-form button[type=submit]")
    page.wait_for_selector("#status-title")
    page.tap("text=Sanggah desil")
    _question(page, "Keterangan singkat")
    assert page.query_selector("#lk") is None  # a phone has its own keyboard
    page.fill("#keterangan", "Rumah kami masih papan")
    page.tap(".tk-next")
    _question(page, "Periksa, lalu kirim")
    page.set_input_files("#foto", str(photo))
    _shot(page, "17-phone-confirm-photo", "phone")
    page.tap(".tk-next")
    page.wait_for_selector("#tk-number")
    page.wait_for_selector(".tk-slip img")
    assert "Cetak bukti" not in page.inner_text("main")
    _shot(page, "18-phone-result-receipt", "phone")
    page.screenshot(path=str(SHOTS / "18-phone-result-receipt-full.png"), full_page=True)
    context.close()
    from bansos_app.tickets.models import Ticket, TicketPhoto

    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert ticket.channel == "phone"
        assert db.session.get(TicketPhoto, ticket.id).width == 1280
