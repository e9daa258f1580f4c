"""The whole kiosk flow in Debian's Chromium: enrol, keypad, status, PIN, idle reset, back button.

Screenshots of every screen go to tests/screenshots/ (1280x800, 1080x1920 portrait, 360 phone).
"""

import json
from pathlib import Path

import pytest

from bansos_app.extensions import db, limiter

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parents[1] / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SIZES = {"landscape": (1280, 800), "portrait": (1080, 1920), "phone": (360, 740)}
SRI = ("1703124107850001", "1703122003180001")

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium missing")


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module."""
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


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
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _axe(page):
    """Run axe-core on the page; return serious and critical violations."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _enrolled_page(browser, app, base, size="landscape", idle_seconds=4, bypass_csp=False):
    """A browser context enrolled as a kiosk; CSP stays enforced unless axe must be injected."""
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height}, bypass_csp=bypass_csp
    )
    page = context.new_page()
    page.goto(_enrolment_url(app, base, idle_seconds))
    page.click("button[type=submit]")
    page.wait_for_selector(".start-link")
    return context, page


def test_whole_kiosk_flow_on_an_enrolled_device(browser, kiosk_app, live_server):
    """Enrol, type NIK and KK on the keypad, read the programs, idle reset, back shows nothing."""
    context, page = _enrolled_page(browser, kiosk_app, live_server)
    _shot(page, "kiosk-enrolled-landscape")
    page.click("text=Ke beranda kios")
    assert page.get_attribute("body", "data-kiosk") == "1"
    _shot(page, "kiosk-home-landscape")

    page.click(".choice-status")
    page.click("#nik")
    assert page.is_visible("#kp")
    for d in SRI[0]:
        page.click(f'.kp-key[data-key="{d}"]')
    page.click('.kp-key[data-key="ok"]')  # moves on to the KK field
    for d in SRI[1]:
        page.click(f'.kp-key[data-key="{d}"]')
    assert page.input_value("#nik") == SRI[0]
    assert page.input_value("#kk") == SRI[1]
    _shot(page, "kiosk-keypad-landscape")
    page.click('.kp-key[data-key="ok"]')  # last field: submits the form
    page.wait_for_selector("#status-title")
    _shot(page, "kiosk-status-landscape")
    text = page.inner_text("main")
    assert "Sri Wahyuni" in text
    assert "Program Keluarga Harapan (PKH)" in text
    assert "Rp200.000" in text
    assert "pencairan PKH berikutnya" in text
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
        "pending": lambda: page.goto(f"{live_server}/layanan/usul-sanggah"),
        "not-found": lambda: page.goto(f"{live_server}/tidak-ada"),
    }
    for name, show in screens.items():
        show()
        page.wait_for_load_state()
        _shot(page, f"{name}-{size}")
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
