"""The voucher's whole way, as deployed: gunicorn -w 2 over HTTPS (and PostgreSQL in CI).

A resident prints a Sembako slip at an enrolled kiosk by touch after the PIN; the shop scans
the slip's QR (typed like a USB scanner: the code, then Enter), redeems Rp120.000, then
Rp80.000; a third scan is refused; the shop submits its settlement and Dinsos approves it.
"""

from sqlalchemy import select

from bansos_app.auth.models import User
from bansos_app.extensions import db
from bansos_app.kiosk.devices import register_device
from bansos_app.merchant.models import Merchant, Settlement
from bansos_app.vouchers.models import Redemption, Voucher
from bansos_app.vouchers.tokens import verify_token
from tests.browser import SHOTS, SIZES, needs_chromium, screenshot
from tests.test_deployed import https_server  # noqa: F401  (the gunicorn fixture)
from tests.vouchers.slip_helpers import read_qr

SRI = ("1703124107850001", "1703122003180001")
pytestmark = needs_chromium


def _tap_digits(page, digits):
    for d in digits:
        page.tap(f'.kp-key[data-key="{d}"]')


def _kiosk_prints_sembako(app, browser, base) -> str:
    """Enrol a touch kiosk, check status, enter the PIN, print Sembako; return the QR's text."""
    with app.app_context():
        operator = db.session.scalar(select(User).where(User.username == "operator"))
        _, code = register_device(operator, "Kios Balai Desa", "17.03.12.2003", 80, 600)
    width, height = SIZES["portrait"]
    context = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=True, ignore_https_errors=True
    )
    # Count prints instead of opening a print dialog (a real kiosk prints silently).
    context.add_init_script("window.print = function () { window.__printed = true; };")
    page = context.new_page()
    page.goto(f"{base}/perangkat/daftar/{code}")
    page.tap("button[type=submit]")
    page.tap("text=Ke beranda kios")
    page.tap(".choice-voucher")
    page.wait_for_selector("#kp:not([hidden])")
    _tap_digits(page, SRI[0])
    page.tap('.kp-key[data-key="ok"]')
    _tap_digits(page, SRI[1])
    page.tap('.kp-key[data-key="ok"]')
    page.wait_for_selector("#vouchers")
    page.tap("#pin")
    _tap_digits(page, "246810")
    page.tap(".pin-form button[type=submit]")
    page.wait_for_selector("#vouchers .ok")
    page.locator(".voucher-line", has_text="Sembako").locator("button").tap()
    page.wait_for_selector(".vslip")
    screenshot(page, "deployed-kiosk-slip")
    shot = SHOTS / "deployed-kiosk-slip-qr.png"
    page.locator(".vslip-qr").screenshot(path=str(shot))
    [token] = read_qr(shot)
    context.close()
    return token


def _login(browser, base, username, password, size="landscape"):
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height}, ignore_https_errors=True
    )
    page = context.new_page()
    page.goto(f"{base}/staf/masuk")
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("main form [type=submit]").click()
    page.wait_for_url(lambda url: url.endswith(("/staf/", "/toko/")))
    return context, page


def _scan(page, base, token):
    """What a USB scanner does: type the code into the focused field, then Enter."""
    page.goto(f"{base}/toko/")
    assert page.evaluate("document.activeElement.name") == "token"
    page.keyboard.type(token)
    page.keyboard.press("Enter")


def _redeem(page, base, token, amount):
    _scan(page, base, token)
    page.wait_for_selector(".redeem-form")
    page.fill("#amount", str(amount))
    page.locator(".redeem-form button[type=submit]").click()
    page.wait_for_selector(".receipt")


def test_slip_printed_at_kiosk_is_redeemed_in_two_parts_and_settled(
    app,
    browser,
    https_server,  # noqa: F811
):
    base, _log = https_server
    token = _kiosk_prints_sembako(app, browser, base)
    with app.app_context():
        claims = verify_token(token)
        voucher = db.session.get(Voucher, claims.voucher_id)
        assert (voucher.program_code, voucher.value, voucher.print_count) == ("SEMBAKO", 200_000, 1)
        period_id = voucher.period_id

    context, shop = _login(browser, base, "toko", "demo-merchant")
    _redeem(shop, base, token, 120000)
    assert "Rp80.000" in shop.inner_text("main")  # the balance left
    screenshot(shop, "deployed-shop-receipt-1")
    _redeem(shop, base, token, 80000)
    screenshot(shop, "deployed-shop-receipt-2")
    _scan(shop, base, token)
    shop.wait_for_selector("text=Voucher ini sudah habis dipakai.")
    screenshot(shop, "deployed-shop-refused")

    shop.goto(f"{base}/toko/rekap/{period_id}")
    shop.locator("button", has_text="Ajukan pencairan").click()
    shop.wait_for_selector("text=Diajukan")
    context.close()

    context, dinsos = _login(browser, base, "dinsos", "demo-dinsos-admin")
    dinsos.goto(f"{base}/staf/rekap-toko/?periode={period_id}")
    row = dinsos.locator("tr", has_text="E-Warong Sejahtera")
    row.locator("button", has_text="Setujui").click()
    dinsos.locator("tr", has_text="E-Warong Sejahtera").locator("text=Disetujui").wait_for()
    screenshot(dinsos, "deployed-dinsos-approved")
    context.close()

    with app.app_context():
        db.session.expire_all()
        voucher = db.session.get(Voucher, claims.voucher_id)
        assert (voucher.balance, voucher.state) == (0, "spent")
        amounts = db.session.scalars(
            select(Redemption.amount).where(Redemption.voucher_id == voucher.id)
        ).all()
        assert sorted(amounts) == [80_000, 120_000]
        shop_id = db.session.scalar(
            select(Merchant.id).where(Merchant.name == "E-Warong Sejahtera")
        )
        settlement = db.session.scalar(
            select(Settlement).filter_by(merchant_id=shop_id, period_id=period_id)
        )
        assert (settlement.state, settlement.total, settlement.redemption_count) == (
            "approved",
            200_000,
            2,
        )
