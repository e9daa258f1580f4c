"""Usul-sanggah's whole way, as deployed: gunicorn -w 2 over HTTPS (and PostgreSQL in CI).

Sri Wahyuni proposes Rina Marlina's family for Sembako at the Giri Kencana kiosk and Dedi
Kurniawan asks for Reaktivasi at the Air Petai kiosk, both by touch. Each village operator
records the deliberation (Dedi's is a Musdesus), Dinsos approves both inline, and the changes
are applied: Rina's family joins Sembako, Dedi's household is unblocked and back on Sembako,
and both get a voucher when issuance runs again. Sri then sees the decision at Cek Tiket.
"""

import time
from datetime import date

from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select

from bansos_app.auth.models import User
from bansos_app.eligibility.evaluation import local_today
from bansos_app.eligibility.recipients import recipients_for
from bansos_app.extensions import db
from bansos_app.kiosk.devices import register_device
from bansos_app.registry.models import Household
from bansos_app.tickets.models import Ticket
from bansos_app.vouchers.models import DistributionPeriod, Voucher
from bansos_app.vouchers.services import issue_vouchers
from tests.browser import SIZES, needs_chromium, screenshot
from tests.test_deployed import https_server  # noqa: F401  (the gunicorn fixture)

SRI = ("1703124107850001", "1703122003180001")
DEDI = ("1703142208880002", "1703141010200003")
RINA_KK = "1703120506250004"
pytestmark = needs_chromium


def _until(page, expression: str, timeout: float = 15.0) -> None:
    """Poll in the page: wait_for_function needs eval, which the CSP forbids."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if page.evaluate(expression):
                return
        except PlaywrightError:  # a full page load is under way: ask the next page
            pass
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


def _question(page, text: str) -> None:
    _until(page, f"(document.querySelector('#tk-question')?.textContent || '').includes({text!r})")


def _digits(page, digits: str) -> None:
    for d in digits:
        page.tap(f'.kp-key[data-key="{d}"]')


def _kiosk(app, browser, base, operator: str, village: str, size: str):
    """Enrol a touch kiosk for the village and open its home page."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == operator))
        _, code = register_device(user, "Kios Balai Desa", village, 80, 600)
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=True, ignore_https_errors=True
    )
    context.add_init_script("window.print = function () {};")
    page = context.new_page()
    page.goto(f"{base}/perangkat/daftar/{code}")
    page.tap("button[type=submit]")
    page.tap("text=Ke beranda kios")
    page.wait_for_selector(".choice-ticket")
    return context, page


def _status(page, nik: str, kk: str) -> None:
    page.tap(".choice-status")
    page.wait_for_selector("#kp:not([hidden])")
    _digits(page, nik)
    page.tap('.kp-key[data-key="ok"]')
    _digits(page, kk)
    page.tap("#status-form button[type=submit]")
    page.wait_for_selector("#status-title")


def _finish(page) -> str:
    """From the short-text screen: skip the text, confirm, send; return the ticket number."""
    _question(page, "Keterangan singkat")
    page.tap(".tk-next")
    _question(page, "Periksa, lalu kirim")
    page.tap(".tk-next")
    page.wait_for_selector("#tk-number")
    return page.inner_text("#tk-number").replace(" ", "")


def _sri_proposes_rina(app, browser, base) -> str:
    context, page = _kiosk(app, browser, base, "operator", "17.03.12.2003", "portrait")
    _status(page, *SRI)
    page.tap("#tickets .btn-primary")
    _question(page, "Apa yang ingin Anda ajukan?")
    page.tap("text=Usulkan penerima")
    _question(page, "Keluarga siapa yang diusulkan?")
    page.tap("text=Keluarga lain di desa")
    _question(page, "Keluarga mana yang diusulkan?")
    page.tap('.tk-letter[value="R"]')
    page.wait_for_selector('.tk-letter.tk-on[value="R"]')
    page.tap("text=Rina Marlina")
    _question(page, "Diusulkan untuk program apa?")
    page.tap(".tk-option >> text=Sembako")
    number = _finish(page)
    screenshot(page, "deployed-ticket-usul-number")
    context.close()
    return number


def _dedi_asks_reaktivasi(app, browser, base) -> str:
    context, page = _kiosk(app, browser, base, "operator-ap", "17.03.14.2017", "landscape")
    _status(page, *DEDI)
    page.tap("#tickets .btn-primary")
    _question(page, "Siapa yang mengajukan?")  # Dedi and Marlina are both adults
    page.tap("text=Dedi Kurniawan")
    _question(page, "Apa yang ingin Anda ajukan?")
    page.tap(".tk-option >> text=Reaktivasi")
    _question(page, "Kembali ke program apa?")
    page.tap(".tk-option >> text=Sembako")
    number = _finish(page)
    context.close()
    return number


def _login(browser, base, username, password):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, ignore_https_errors=True)
    page = context.new_page()
    page.goto(f"{base}/staf/masuk")
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("main form [type=submit]").click()
    page.wait_for_url(f"{base}/staf/")
    return context, page


def _ticket_id(app, number: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Ticket.id).where(Ticket.number == number))


def _village_verifies(app, browser, base, username: str, number: str, forum: str) -> None:
    tid = _ticket_id(app, number)
    context, page = _login(browser, base, username, "demo-operator")
    page.goto(f"{base}/staf/tiket/")
    page.click(f"#t-{tid} >> text=Verifikasi")
    page.wait_for_selector(f"#catatan-{tid}")
    page.fill(f"#catatan-{tid}", "Dicek ke rumah bersama kepala dusun.")
    page.check(f'#t-{tid} input[name=forum][value="{forum}"]')
    page.fill(f"#tanggal-{tid}", date.today().isoformat())
    page.fill(f"#berita_acara-{tid}", "BA-09/2026")
    page.fill(f"#hadir-{tid}", "27")
    page.check(f'#t-{tid} input[name=keputusan][value="setuju"]')
    page.click(f"#t-{tid} >> text=Simpan verifikasi")
    _until(page, f"document.querySelector('#t-{tid}').textContent.includes('Menunggu Dinsos')")
    context.close()


def test_usul_and_reaktivasi_from_kiosk_to_applied(app, demo, browser, https_server):  # noqa: F811
    base, _log = https_server
    rina_number = _sri_proposes_rina(app, browser, base)
    dedi_number = _dedi_asks_reaktivasi(app, browser, base)
    _village_verifies(app, browser, base, "operator", rina_number, "musdes")
    _village_verifies(app, browser, base, "operator-ap", dedi_number, "musdesus")

    context, page = _login(browser, base, "dinsos", "demo-dinsos-admin")
    page.goto(f"{base}/staf/tiket/")
    waiting = int(page.text_content("#count-dinsos").strip())
    page.evaluate("window.__sameDocument = true")
    for number in (rina_number, dedi_number):
        tid = _ticket_id(app, number)
        page.fill(f"#alasan-{tid}", "Sesuai hasil musyawarah desa.")
        page.click(f"#t-{tid} button[value=setujui]")
        _until(page, f"document.querySelector('#t-{tid}').textContent.includes('Diterapkan')")
    _until(page, f"document.querySelector('#count-dinsos').textContent.trim() == '{waiting - 2}'")
    assert page.evaluate("window.__sameDocument === true")  # inline: no page load
    screenshot(page, "deployed-ticket-dinsos-approved")
    context.close()

    with app.app_context():
        today = local_today()
        rina = db.session.scalar(select(Household).where(Household.kk_number == RINA_KK))
        dedi = db.session.scalar(select(Household).where(Household.kk_number == DEDI[1]))
        assert "SEMBAKO" in recipients_for(rina.id, today)
        assert dedi.status == "active" and "SEMBAKO" in recipients_for(dedi.id, today)
        # The next issuance of the open Sembako period gives Rina's family its voucher.
        period = db.session.scalar(
            select(DistributionPeriod).where(DistributionPeriod.program_code == "SEMBAKO")
        )
        issue_vouchers(period, None)
        for family in (rina, dedi):  # Dedi's was blocked before the period was issued
            voucher = db.session.scalar(select(Voucher).where(Voucher.household_id == family.id))
            assert voucher is not None and voucher.state == "active"

    # Sri looks the decision up by number and NIK on the keypad.
    context, page = _kiosk(app, browser, base, "operator", "17.03.12.2003", "portrait")
    page.tap(".choice-check")
    page.wait_for_selector("#kp:not([hidden])")
    _digits(page, rina_number)
    page.tap('.kp-key[data-key="ok"]')
    _digits(page, SRI[0])
    page.tap("#check-form button[type=submit]")
    page.wait_for_selector("#tk-stage")
    assert "Disetujui" in page.inner_text("main")
    assert "Sesuai hasil musyawarah desa." in page.inner_text("main")
    screenshot(page, "deployed-ticket-check-decided")
    context.close()
