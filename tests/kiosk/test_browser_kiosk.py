"""The whole kiosk flow in Debian's Chromium: enrol, keypad, status, PIN, idle reset, back button.

Screenshots of every screen go to tests/screenshots/ (1280x800, 1080x1920 portrait, 360 phone).
"""

import json
import time
from pathlib import Path

import pytest

from bansos_app.extensions import db, limiter
from tests.browser import SIZES, needs_chromium, screenshot

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SRI = ("1703124107850001", "1703122003180001")

pytestmark = needs_chromium


@pytest.fixture
def kiosk_app(app, demo):
    """Demo data, fresh rate limits, and a short idle time so the test need not wait a minute."""
    limiter.reset()
    old = app.config["KIOSK_COUNTDOWN_SECONDS"]
    app.config["KIOSK_COUNTDOWN_SECONDS"] = 2
    yield app
    app.config["KIOSK_COUNTDOWN_SECONDS"] = old
    limiter.reset()


def _enrolment_url(app, base, idle_seconds=4, paper=80):
    from sqlalchemy import select

    from bansos_app.auth.models import User
    from bansos_app.kiosk.devices import register_device

    with app.app_context():
        operator = db.session.scalar(select(User).where(User.username == "operator"))
        _, code = register_device(operator, "Kios Balai Desa", "17.03.12.2003", paper, idle_seconds)
    return f"{base}/perangkat/daftar/{code}"


def _shot(page, name):
    """The whole page, and what is on screen at once (what a resident sees first)."""
    screenshot(page, name, screen_too=True)


def _axe(page):
    """Run axe-core on the page; return serious and critical violations."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _enrolled_page(
    browser, app, base, size="landscape", idle_seconds=4, bypass_csp=False, touch=False
):
    """A browser context enrolled as a kiosk; CSP stays enforced unless axe must be injected."""
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height}, bypass_csp=bypass_csp, has_touch=touch
    )
    page = context.new_page()
    page.goto(_enrolment_url(app, base, idle_seconds))
    if touch:
        page.tap("button[type=submit]")
    else:
        page.click("button[type=submit]")
    page.wait_for_selector(".start-link")
    return context, page


@pytest.fixture
def printable(kiosk_app, sri_vouchers):
    """Something to print, so that the status page asks for the PIN: the demo's vouchers."""
    return sri_vouchers


def test_whole_kiosk_flow_on_an_enrolled_device(browser, kiosk_app, live_server, printable):
    """Enrol, type NIK and KK on the keypad, read the programs, idle reset, back shows nothing."""
    context, page = _enrolled_page(browser, kiosk_app, live_server)
    _shot(page, "kiosk-enrolled-landscape")
    page.click("text=Ke beranda kios")
    assert page.get_attribute("body", "data-kiosk") == "1"
    _shot(page, "kiosk-home-landscape")

    page.click(".choice-status")
    page.wait_for_selector("#kp:not([hidden])")  # opens itself on the NIK field
    assert page.evaluate("document.activeElement.id") == "nik"
    for d in SRI[0]:
        page.click(f'.kp-key[data-key="{d}"]')
    page.click('.kp-key[data-key="ok"]')  # moves on to the KK field
    for d in SRI[1]:
        page.click(f'.kp-key[data-key="{d}"]')
    assert page.input_value("#nik") == "1703 1241 0785 0001"
    assert page.input_value("#kk") == "1703 1220 0318 0001"
    _shot(page, "kiosk-keypad-landscape")
    page.click('.kp-key[data-key="ok"]')  # last field: submits the form
    page.wait_for_selector("#status-title")
    _shot(page, "kiosk-status-landscape")
    text = page.inner_text("main")
    assert "Sri Wahyuni" in text
    assert "Program Keluarga Harapan (PKH)" in text
    assert "Rp200.000" in text
    assert "Berikutnya: tahap" in text
    assert SRI[0] not in page.content()  # the NIK itself is never on the page

    # Wrong PIN, then the right one, typed on the keypad.
    page.click("#pin")
    for d in "111111":
        page.click(f'.kp-key[data-key="{d}"]')
    page.click('.kp-key[data-key="ok"]')
    page.wait_for_selector("#vouchers .alert")
    assert "PIN salah" in page.inner_text("#vouchers")
    page.click("#pin")
    for d in "246810":
        page.click(f'.kp-key[data-key="{d}"]')
    page.click('.kp-key[data-key="ok"]')
    page.wait_for_selector("#vouchers .ok")

    # Leave it alone: the overlay counts down, then everything is forgotten.
    page.wait_for_selector(".idle:not([hidden])", timeout=15_000)
    _shot(page, "kiosk-idle-landscape")
    page.wait_for_url(f"{live_server}/", timeout=15_000)
    assert "Sri Wahyuni" not in page.content()
    page.go_back()
    page.wait_for_load_state()
    assert "Sri Wahyuni" not in page.content()
    assert "Wahyuni" not in page.inner_text("body")
    context.close()


@pytest.mark.parametrize(
    ("nik", "kk", "expected"),
    [
        ("170312410785000", SRI[1], "16 digit"),
        ("17031241078500AB", SRI[1], "angka"),
        ("", SRI[1], "NIK"),
        (SRI[0], "1703121505190002", "Data tidak ditemukan"),
        ("1703121203700003", SRI[1], "Data tidak ditemukan"),
    ],
)
def test_bad_input_gets_a_clear_message(browser, kiosk_app, live_server, nik, kk, expected):
    """Typed with a physical keyboard or scanner: a message, never a result or a crash."""
    context, page = _enrolled_page(browser, kiosk_app, live_server, idle_seconds=600)
    page.goto(f"{live_server}/cek-status")
    page.fill("#nik", nik)
    page.fill("#kk", kk)
    page.press("#kk", "Enter")  # what a USB scanner or keyboard sends
    page.wait_for_selector(".alert, .field-error")
    assert expected in page.inner_text("main")
    assert page.query_selector("#status-title") is None
    context.close()


def test_tampered_device_cookie_is_just_a_browser(browser, kiosk_app, live_server):
    """A forged device cookie gets the phone layout: no keypad, no kiosk behaviour."""
    context, page = _enrolled_page(browser, kiosk_app, live_server)
    cookie = next(c for c in context.cookies() if c["name"] == "bansos_kiosk")
    context.add_cookies([dict(cookie, value=cookie["value"][:-2] + "xx")])
    page.goto(f"{live_server}/")
    assert page.get_attribute("body", "data-kiosk") is None
    assert not any(c["name"] == "bansos_kiosk" for c in context.cookies())
    context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_screens_look_right_and_pass_axe(browser, kiosk_app, live_server, size):
    """Screenshot every kiosk screen at each size; axe finds nothing serious or critical."""
    if size == "phone":
        viewport = dict(zip(("width", "height"), SIZES[size], strict=True))
        context = browser.new_context(viewport=viewport, bypass_csp=True)
        page = context.new_page()
    else:
        context, page = _enrolled_page(
            browser, kiosk_app, live_server, size, idle_seconds=600, bypass_csp=True
        )
    problems = {}
    screens = {
        "home": lambda: page.goto(f"{live_server}/"),
        "status-form": lambda: page.goto(f"{live_server}/cek-status"),
        "status-error": lambda: _submit(page, live_server, "123", SRI[1], ".field-error"),
        "status-sri": lambda: _submit(page, live_server, *SRI, "#status-title"),
        "status-bambang": lambda: _submit(
            page, live_server, "1703121203700003", "1703121505190002", "#status-title"
        ),
        "status-dedi": lambda: _submit(
            page, live_server, "1703142208880002", "1703141010200003", "#status-title"
        ),
        "status-dedi-reason": lambda: page.click(".reason summary"),
        "usul-sanggah": lambda: page.goto(f"{live_server}/usul-sanggah"),
        "cek-tiket": lambda: page.goto(f"{live_server}/cek-tiket"),
        "not-found": lambda: page.goto(f"{live_server}/tidak-ada"),
    }
    for name, show in screens.items():
        show()
        page.wait_for_load_state()
        _shot(page, f"{name}-{size}")
        if name.startswith("status-") and name != "status-error" and name != "status-form":
            # "Selesai" is on screen without scrolling, and there is only one.
            assert _in_view(page, ".done-bar button"), f"{name}: Selesai off screen"
            assert page.locator("text=Selesai").count() == 1
            assert page.locator(".answer-text").count() == 1
        if name == "status-dedi":
            # The reason stays private until a deliberate tap.
            assert not page.is_visible("text=judi online")
            assert page.is_visible("text=Lihat alasan")
        if name == "status-dedi-reason":
            assert page.is_visible("text=judi online")
        found = _axe(page)
        if found:
            problems[name] = found
        # Touch targets: every button and link in main is at least 48 px high.
        small = page.evaluate(
            """() => [...document.querySelectorAll('main a, main button, header a')]
                .filter(e => e.getClientRects().length)
                .map(e => [e.textContent.trim(), e.getBoundingClientRect().height])
                .filter(([, h]) => h < 48)"""
        )
        assert not small, f"{name}: touch targets under 48 px: {small}"
    assert not problems, json.dumps(problems, indent=1)
    if size != "phone":
        font = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
        assert font >= 20
    context.close()


def _submit(page, base, nik, kk, wait_for):
    page.goto(f"{base}/cek-status")
    page.fill("#nik", nik)
    page.fill("#kk", kk)
    page.press("#kk", "Enter")
    page.wait_for_selector(wait_for)


def test_start_link_enrols_a_fresh_profile(browser, kiosk_app, live_server):
    """The launcher's start link (key in the fragment) gives a new tmpfs profile the cookie."""
    context, page = _enrolled_page(browser, kiosk_app, live_server, idle_seconds=600)
    start_link = page.inner_text(".start-link code")
    assert "#" in start_link
    context.close()
    fresh = browser.new_context(viewport={"width": 1280, "height": 800})
    page = fresh.new_page()
    page.goto(start_link)
    page.wait_for_url(f"{live_server}/")
    assert page.get_attribute("body", "data-kiosk") == "1"
    assert "#" not in page.url
    fresh.close()


# --- touch: the kiosk as a finger uses it -------------------------------------------------


def _tap_digits(page, digits):
    for d in digits:
        if d != " ":
            page.tap(f'.kp-key[data-key="{d}"]')


def _in_view(page, selector) -> bool:
    """Whether the element is wholly inside the window as it is now (no scrolling)."""
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["x"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] + box["width"] <= size["width"]
    )


@pytest.mark.parametrize("size", ["portrait", "landscape"])
def test_touch_walk_taps_page_buttons_with_the_keypad_open(
    browser, kiosk_app, live_server, printable, size
):
    """Only tap(): every page button works on the first tap while the keypad is open."""
    context, page = _enrolled_page(
        browser, kiosk_app, live_server, size, idle_seconds=600, touch=True
    )
    page.tap("text=Ke beranda kios")
    page.wait_for_selector(".choice-status")
    page.tap(".choice-status")

    # The form opens with the NIK field focused, the keypad up and one line saying what to do.
    page.wait_for_selector("#kp:not([hidden])")
    assert page.evaluate("document.activeElement.id") == "nik"
    assert "Sentuh kotak, lalu ketik NIK dari kartu keluarga" in page.inner_text("main")
    # Portrait: the keypad is right under the fields, not a bar far below.
    field = page.locator("#kk").bounding_box()
    keypad = page.locator("#kp").bounding_box()
    if size == "portrait":
        assert 0 <= keypad["y"] - (field["y"] + field["height"]) < 150
    assert page.inner_text('.kp-key[data-key="ok"]') == "Lanjut"
    _tap_digits(page, SRI[0])
    assert page.input_value("#nik") == "1703 1241 0785 0001"
    page.tap('.kp-key[data-key="ok"]')
    assert page.evaluate("document.activeElement.id") == "kk"
    # On the last field the enter key says what it does: the form's own button label.
    assert page.inner_text('.kp-key[data-key="ok"]') == "Cek Status"
    _tap_digits(page, SRI[1])
    assert page.input_value("#kk") == "1703 1220 0318 0001"
    _shot(page, f"touch-form-{size}")

    # The page's own button, tapped while the keypad is open, sends on the first tap.
    assert page.is_visible("#kp")
    assert _in_view(page, "#status-form button[type=submit]")
    page.tap("#status-form button[type=submit]")
    page.wait_for_selector("#status-title", timeout=5_000)
    assert "Keluarga Anda menerima" in page.inner_text(".answer")
    assert _in_view(page, ".done-bar button")

    # Something to print: the PIN, typed on the keypad, then the page's "Cetak" button.
    page.tap("#pin")
    page.wait_for_selector("#kp:not([hidden])")
    assert page.inner_text('.kp-key[data-key="ok"]') == "Cetak"
    _tap_digits(page, "246810")
    _shot(page, f"touch-pin-{size}")
    page.tap(".pin-form button[type=submit]")
    page.wait_for_selector("#vouchers .ok", timeout=5_000)
    # Exactly one "Selesai" on screen: the keypad's enter key is never labelled so.
    assert page.locator("text=Selesai").count() == 1

    # "Sanggah desil" keeps the visit and leads back to the status.
    page.tap("text=Sanggah desil")
    page.wait_for_selector("#tk-question")
    page.tap("text=Kembali ke status")
    page.wait_for_selector("#status-title")
    assert "Sri Wahyuni" in page.inner_text("main")

    page.tap(".done-bar button")
    page.wait_for_url(f"{live_server}/")
    page.wait_for_selector(".choice-status")
    assert "Sri Wahyuni" not in page.content()
    context.close()


def test_a_second_tap_while_waiting_sends_nothing_more(
    browser, kiosk_app, live_server, monkeypatch
):
    """The button shows at once that the tap was taken; a second tap sends nothing twice."""
    from bansos_app.kiosk import views

    slow = views.start_resident_visit

    def slow_start(*args, **kwargs):
        time.sleep(1.0)  # a 2G round trip, so that the second tap lands while waiting
        return slow(*args, **kwargs)

    monkeypatch.setattr(views, "start_resident_visit", slow_start)
    context, page = _enrolled_page(
        browser, kiosk_app, live_server, "landscape", idle_seconds=600, touch=True
    )
    posts = []
    page.on("request", lambda r: r.method == "POST" and "/cek-status" in r.url and posts.append(r))
    page.goto(f"{live_server}/cek-status")
    page.fill("#nik", SRI[0])
    page.fill("#kk", SRI[1])
    button = "#status-form button[type=submit]"
    page.tap(button)
    assert page.is_disabled(button)
    assert page.is_visible(f"{button} .busy")
    page.tap(button, force=True)
    page.wait_for_selector("#status-title")
    assert len(posts) == 1
    context.close()


@pytest.mark.parametrize("start", ["/cek-status", "/"])
def test_idle_reset_brings_back_bahasa_indonesia(browser, kiosk_app, live_server, start):
    """The next person gets the kiosk in Bahasa Indonesia, whatever the last one chose, even
    when the last one only switched the language on the home page and walked away."""
    context, page = _enrolled_page(browser, kiosk_app, live_server, idle_seconds=2, touch=True)
    page.goto(f"{live_server}{start}")
    page.tap("text=English")
    page.wait_for_selector("html[lang=en]")
    assert "Check" in page.inner_text("main")
    page.wait_for_selector(".idle:not([hidden])", timeout=15_000)
    page.wait_for_selector("html[lang=id]", timeout=15_000)
    page.wait_for_url(f"{live_server}/")
    page.wait_for_selector(".choice-status")
    assert "Cek Status" in page.inner_text("main")
    context.close()
