"""The shop's pages: login lands on /toko/, scan, verify, redeem, receipt, undo; reversal page."""

import re
from datetime import timedelta

from bansos_app.extensions import db
from bansos_app.registry.models import Household
from bansos_app.vouchers.models import Redemption, Voucher
from tests.browser import needs_chromium, screenshot
from tests.conftest import alerts, csrf_from, page_text
from tests.merchant.redeem_support import snapshot, try_redeem


def _field(html, name):
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    assert match, f"no {name} on the page"
    return match.group(1)


def _login_shop(client, auth, make_merchant, kind="sembako"):
    shop, username = make_merchant(kind=kind)
    response = auth.login(username, f"{username}-pass-123")
    assert response.status_code == 303 and response.headers["Location"].endswith("/toko/")
    return shop


def _verify(client, token):
    page = client.get("/toko/")
    return client.post("/toko/periksa", data={"csrf_token": csrf_from(page.data), "token": token})


def _redeem_form(client, token):
    """The redemption form's fields, as the verify page hands them out."""
    html = page_text(_verify(client, token))
    return {
        "csrf_token": csrf_from(html),
        "token": _field(html, "token"),
        "idempotency_key": _field(html, "idempotency_key"),
        "amount": _field(html, "amount"),
    }


def test_shop_login_lands_on_scan_page(client, auth, make_merchant):
    _login_shop(client, auth, make_merchant)
    assert client.get("/staf/").headers["Location"].endswith("/toko/")
    html = page_text(client.get("/toko/?token=SHOULDNOTAPPEAR"))
    assert re.search(r'<input[^>]*name="token"[^>]*autofocus|autofocus[^>]*name="token"', html)
    assert 'method="post"' in html and "SHOULDNOTAPPEAR" not in html
    assert "Belum ada penukaran hari ini." in html


def test_account_without_shop_gets_a_clear_page(client, auth, make_user):
    make_user("tokokosong", role="merchant")
    auth.login("tokokosong", "tokokosong-pass-123")
    response = client.get("/toko/")
    assert response.status_code == 200
    assert "belum terhubung ke toko" in page_text(response)
    assert client.post("/toko/tukar", data={}).status_code in (200, 400)


def test_staff_cannot_use_the_shop_pages(client, auth, make_user):
    make_user("op1")
    auth.login("op1", "op1-pass-123")
    assert client.get("/toko/").status_code == 403


def test_verify_redeem_twice_then_refused(app, client, auth, make_voucher, make_merchant):
    voucher_id, token, _ = make_voucher(value=200_000)
    _login_shop(client, auth, make_merchant)
    verified = _verify(client, token)
    html = page_text(verified)
    assert verified.status_code == 200
    assert "Rp200.000" in html and "Aktif" in html
    with app.app_context():
        head = db.session.get(Household, db.session.get(Voucher, voucher_id).household_id).head
        assert head.name in html and head.nik not in html and head.nik[-4:] in html
    fields = _redeem_form(client, token)
    assert fields["amount"] == "200000" and len(fields["idempotency_key"]) >= 16
    done = client.post("/toko/tukar", data=fields | {"amount": "120.000"})
    assert done.status_code == 303
    receipt = client.get(done.headers["Location"])
    assert "Rp120.000" in page_text(receipt) and "Rp80.000" in page_text(receipt)
    assert "Batalkan (salah nominal)" in page_text(receipt)
    redemption_id = int(done.headers["Location"].rsplit("/", 1)[1])
    pdf = client.get(f"/toko/struk/{redemption_id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    fields = _redeem_form(client, token)
    assert fields["amount"] == "80000"
    assert client.post("/toko/tukar", data=fields).status_code == 303
    assert snapshot(app, voucher_id)["state"] == "spent"
    refused = _verify(client, token)
    assert refused.status_code == 422
    assert alerts(refused) == ["Voucher ini sudah habis dipakai."]
    assert 'name="idempotency_key"' not in page_text(refused)
    # Both redemptions are listed as today's on the scan page.
    assert page_text(client.get("/toko/")).count("/toko/struk/") == 2


def test_bad_input_on_the_pages_is_422_and_changes_nothing(
    app, client, auth, make_voucher, make_merchant
):
    voucher_id, token, _ = make_voucher()
    _login_shop(client, auth, make_merchant)
    before = snapshot(app, voucher_id)
    random = _verify(client, "random scanner text 42 blah blah")
    assert random.status_code == 422 and alerts(random)
    forged = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    assert _verify(client, forged).status_code == 422
    fields = _redeem_form(client, token)
    for amount, message in (
        ("0", "Nominal harus lebih dari Rp0."),
        ("-5000", "Nominal harus lebih dari Rp0."),
        ("abc", "Isi nominal dengan angka bulat rupiah, tanpa koma atau sen."),
        ("1,5", "Isi nominal dengan angka bulat rupiah, tanpa koma atau sen."),
        # A dot is a thousands separator only: these are typos, not Rp15 or Rp20.000.
        ("1.5", "Isi nominal dengan angka bulat rupiah, tanpa koma atau sen."),
        ("200.00", "Isi nominal dengan angka bulat rupiah, tanpa koma atau sen."),
        ("12.0000", "Isi nominal dengan angka bulat rupiah, tanpa koma atau sen."),
        ("250000", "Nominal melebihi sisa saldo voucher (Rp200.000)."),
    ):
        response = client.post("/toko/tukar", data=fields | {"amount": amount})
        assert response.status_code == 422, amount
        assert message in page_text(response), amount
    response = client.post("/toko/tukar", data=fields | {"token": forged})
    assert response.status_code == 422
    response = client.post("/toko/tukar", data=fields | {"idempotency_key": "x"})
    assert response.status_code == 422
    assert snapshot(app, voucher_id) == before
    # Without the CSRF token nothing is even looked at.
    assert client.post("/toko/tukar", data=fields | {"csrf_token": ""}).status_code == 400
    assert snapshot(app, voucher_id) == before


def test_wrong_kind_shop_sees_why(client, auth, make_voucher, make_merchant):
    _id, token, _ = make_voucher()
    _login_shop(client, auth, make_merchant, kind="lpg")
    response = _verify(client, token)
    assert response.status_code == 422
    assert "tidak bisa ditukar di toko jenis ini" in alerts(response)[0]


def test_double_submit_redeems_once(app, client, auth, make_voucher, make_merchant):
    voucher_id, token, _ = make_voucher()
    _login_shop(client, auth, make_merchant)
    fields = _redeem_form(client, token) | {"amount": "30000"}
    first = client.post("/toko/tukar", data=fields)
    second = client.post("/toko/tukar", data=fields)
    assert first.headers["Location"] == second.headers["Location"]
    assert snapshot(app, voucher_id)["balance"] == 170_000


def test_htmx_redeem_swaps_the_receipt_in(app, client, auth, make_voucher, make_merchant):
    voucher_id, token, _ = make_voucher(program="LPG", value=60_000)
    _login_shop(client, auth, make_merchant, kind="lpg")
    fields = _redeem_form(client, token)
    assert fields["amount"] == "60000"
    response = client.post("/toko/tukar", data=fields, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"].startswith("/toko/struk/")
    assert page_text(response).lstrip().startswith('<div id="work"')
    assert snapshot(app, voucher_id)["state"] == "spent"


def test_undo_on_the_receipt_page(app, client, auth, make_voucher, make_merchant):
    voucher_id, token, _ = make_voucher()
    shop = _login_shop(client, auth, make_merchant)
    other_shop, _ = make_merchant()
    mine = try_redeem(app, token, 50_000, shop)
    theirs = try_redeem(app, token, 10_000, other_shop)
    page = client.get(f"/toko/struk/{mine}")
    csrf = csrf_from(page.data)
    assert client.get(f"/toko/struk/{theirs}").status_code == 404
    assert client.get(f"/toko/struk/{theirs}.pdf").status_code == 404
    refused = client.post(f"/toko/struk/{theirs}/batal", data={"csrf_token": csrf})
    assert refused.status_code == 422 and alerts(refused) == ["Penukaran ini milik toko lain."]
    done = client.post(f"/toko/struk/{mine}/batal", data={"csrf_token": csrf})
    assert done.status_code == 303
    assert snapshot(app, voucher_id)["balance"] == 190_000
    assert "Penukaran dibatalkan" in page_text(client.get(f"/toko/struk/{mine}"))
    late = try_redeem(app, token, 20_000, shop)
    with app.app_context():
        db.session.get(Redemption, late).created_at -= timedelta(minutes=11)
        db.session.commit()
    assert "Batalkan (salah nominal)" not in page_text(client.get(f"/toko/struk/{late}"))
    refused = client.post(f"/toko/struk/{late}/batal", data={"csrf_token": csrf})
    assert refused.status_code == 422 and "10 menit" in alerts(refused)[0]
    assert snapshot(app, voucher_id)["balance"] == 170_000


def test_dinsos_reversal_page(app, client, auth, demo, make_voucher, make_merchant):
    voucher_id, token, _ = make_voucher()
    shop, _ = make_merchant()
    redemption = try_redeem(app, token, 120_000, shop)
    auth.login("dinsos", "demo-dinsos-admin")
    home = page_text(client.get("/staf/"))
    assert "/staf/penukaran/" in home
    with app.app_context():
        serial = db.session.get(Redemption, redemption).voucher.serial
    page = client.get(f"/staf/penukaran/?q={serial}")
    assert page.status_code == 200 and "Rp120.000" in page_text(page)
    assert client.get(f"/staf/penukaran/?q=%23{redemption}").status_code == 200
    assert client.get("/staf/penukaran/?q=hello").status_code == 422
    assert client.get("/staf/penukaran/?q=999-0000001").status_code == 422
    csrf = csrf_from(page.data)
    empty = client.post(
        f"/staf/penukaran/{redemption}/batal", data={"csrf_token": csrf, "reason": " "}
    )
    assert empty.status_code == 422 and snapshot(app, voucher_id)["balance"] == 80_000
    done = client.post(
        f"/staf/penukaran/{redemption}/batal", data={"csrf_token": csrf, "reason": "Salah nominal"}
    )
    assert done.status_code == 303
    assert snapshot(app, voucher_id)["balance"] == 200_000
    assert "Salah nominal" in page_text(client.get(done.headers["Location"]))


def test_shop_cannot_open_the_reversal_page(client, auth, make_merchant):
    _login_shop(client, auth, make_merchant)
    assert client.get("/staf/penukaran/").status_code == 403


@needs_chromium
def test_browser_shop_redeems_part_then_the_rest(
    app, browser, live_server, make_voucher, make_merchant
):
    voucher_id, token, _ = make_voucher(value=200_000)
    _shop, username = make_merchant()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/staf/masuk")
    page.fill("#username", username)
    page.fill("#password", f"{username}-pass-123")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server}/toko/")
    assert page.evaluate("document.activeElement.name") == "token"
    # A USB scanner types the token and presses Enter into the focused field.
    page.keyboard.type(token)
    page.keyboard.press("Enter")
    page.wait_for_selector(".redeem-form")
    screenshot(page, "shop-verified")
    assert page.input_value("#amount") == "200000"
    page.fill("#amount", "120000")
    page.tap(".redeem-form button[type=submit]")
    page.wait_for_selector(".receipt")
    assert "Rp80.000" in page.inner_text(".receipt")
    assert "/toko/struk/" in page.url
    screenshot(page, "shop-receipt")
    page.click("text=Pindai voucher berikutnya")
    page.wait_for_selector("#token")
    page.fill("#token", token)
    page.keyboard.press("Enter")
    page.wait_for_selector(".redeem-form")
    assert page.input_value("#amount") == "80000"
    page.tap(".redeem-form button[type=submit]")
    page.wait_for_selector(".receipt")
    assert "Rp0" in page.inner_text(".receipt")
    page.goto(f"{live_server}/toko/")
    page.fill("#token", token)
    page.keyboard.press("Enter")
    page.wait_for_selector("#work .alert")
    assert "sudah habis dipakai" in page.inner_text("#work .alert")
    screenshot(page, "shop-spent")
    context.close()
    assert snapshot(app, voucher_id)["total"] == 200_000
