"""Settlement pages: the shop's own, Dinsos across shops (htmx and plain), CSV and PDF."""

import re
import subprocess
import time

import pytest
from sqlalchemy import select

from bansos_app.extensions import db
from bansos_app.merchant.models import Settlement
from tests.browser import SHOTS, needs_chromium, screenshot
from tests.conftest import alerts, csrf_from, page_text
from tests.merchant.settlement_helpers import audit_actions, put_in_state, redeem, shop_with_sales

SHOP, ADMIN = "/toko/rekap/", "/staf/rekap-toko/"


@pytest.fixture
def sales(app, make_voucher, make_merchant):
    """A Sembako shop in Giri Kencana with Rp120.000 + Rp80.000 redeemed."""
    return shop_with_sales(app, make_voucher, make_merchant)


@pytest.fixture
def dinsos(make_user):
    make_user("dinas", role="dinsos_admin", password="dinas-pass-123")
    return "dinas", "dinas-pass-123"


def _login_shop(auth, username):
    assert auth.login(username, f"{username}-pass-123").status_code == 303


def _settlement(app, merchant_id, period_id) -> Settlement | None:
    with app.app_context():
        settlement = db.session.scalar(
            select(Settlement).filter_by(merchant_id=merchant_id, period_id=period_id)
        )
        if settlement is not None:
            db.session.expunge(settlement)
        return settlement


def test_shop_sees_its_periods_and_submits(app, client, auth, sales):
    merchant_id, username, period_id = sales
    _login_shop(auth, username)
    listing = page_text(client.get(SHOP))
    assert "Rp200.000" in listing and f"/toko/rekap/{period_id}" in listing
    page = client.get(f"{SHOP}{period_id}")
    text = page_text(page)
    assert page.headers["Cache-Control"] == "no-store"
    assert "Rp120.000" in text and "Rp80.000" in text and "Ajukan pencairan" in text
    assert _settlement(app, merchant_id, period_id) is None  # reading writes nothing
    done = client.post(f"{SHOP}{period_id}/ajukan", data={"csrf_token": csrf_from(page.data)})
    assert done.status_code == 303
    text = page_text(client.get(done.headers["Location"]))
    assert "Rekap diajukan: 2 penukaran, Rp200.000." in text and "Ajukan pencairan" not in text
    assert _settlement(app, merchant_id, period_id).state == "submitted"
    again = client.post(f"{SHOP}{period_id}/ajukan", data={"csrf_token": csrf_from(page.data)})
    assert again.status_code == 422
    assert alerts(again) == ["Rekap ini sudah diajukan dan menunggu persetujuan Dinsos."]


def test_submit_with_nothing_redeemed_is_refused(app, client, auth, make_merchant, make_voucher):
    _, username = make_merchant()
    make_voucher()
    _login_shop(auth, username)
    period_id = re.search(r"/toko/rekap/(\d+)", page_text(client.get(SHOP))).group(1)
    page = client.get(f"{SHOP}{period_id}")
    assert "Ajukan pencairan" not in page_text(page)
    refused = client.post(f"{SHOP}{period_id}/ajukan", data={"csrf_token": csrf_from(page.data)})
    assert refused.status_code == 422
    assert "Belum ada penukaran" in alerts(refused)[0]


def test_a_shop_sees_only_its_own(app, client, auth, sales, make_merchant):
    merchant_id, _, period_id = sales
    _, other = make_merchant()
    _, lpg = make_merchant(kind="lpg")
    _login_shop(auth, other)
    text = page_text(client.get(f"{SHOP}{period_id}"))
    assert "Rp120.000" not in text and "Belum ada penukaran pada periode ini." in text
    assert "Rp120" not in page_text(client.get(f"{SHOP}{period_id}/rekap.csv"))
    assert client.get(ADMIN).status_code == 403
    assert client.get(f"{ADMIN}{period_id}/{merchant_id}").status_code == 403
    auth.logout()
    _login_shop(auth, lpg)
    # A period of another program is no period at all for this shop.
    assert client.get(f"{SHOP}{period_id}").status_code == 404
    assert client.get(f"{SHOP}{period_id}/rekap.pdf").status_code == 404
    assert client.get(f"{SHOP}999999").status_code == 404


def test_staff_without_a_shop_get_404_or_403(client, auth, sales, dinsos, make_user):
    merchant_id, _, period_id = sales
    make_user("tanpatoko", role="merchant")
    _login_shop(auth, "tanpatoko")
    listing = client.get(SHOP)
    assert listing.status_code == 200 and "belum terhubung ke toko" in page_text(listing)
    assert client.get(f"{SHOP}{period_id}").status_code == 404
    auth.logout()
    auth.login(*dinsos)
    assert client.get(SHOP).status_code == 403


def _admin_page(client, auth, dinsos, query=""):
    auth.login(*dinsos)
    return client.get(ADMIN + query)


def test_dinsos_approves_inline_with_htmx(app, client, auth, sales, dinsos):
    merchant_id, _, period_id = sales
    settlement_id = put_in_state(app, merchant_id, period_id, "submitted")
    page = _admin_page(client, auth, dinsos)
    text = page_text(page)
    assert page.status_code == 200 and "Menunggu persetujuan" in text
    assert f'id="rekap-{merchant_id}"' in text and "Rp200.000" in text
    url = re.search(rf'hx-post="([^"]*/{settlement_id}/setujui[^"]*)"', text).group(1)
    headers = {"HX-Request": "true", "X-CSRFToken": csrf_from(page.data)}
    fragment = client.post(url.replace("&amp;", "&"), headers=headers)
    assert fragment.status_code == 200
    assert "HX-Request" in fragment.headers["Vary"]
    body = page_text(fragment)
    assert body.lstrip().startswith(f'<tr id="rekap-{merchant_id}"')
    assert "<html" not in body and "Disetujui" in body
    assert re.search(r'id="rekap-counters" hx-swap-oob="true"', body)
    assert re.search(r'id="count-approved">1<', body)
    # The second click of a double click: refused in the row, nothing more changed.
    second = client.post(url.replace("&amp;", "&"), headers=headers)
    assert second.status_code == 422 and "Rekap ini sudah disetujui." in alerts(second)
    assert audit_actions(app).count("settlements.approved") == 1


def test_dinsos_approves_without_javascript(app, client, auth, sales, dinsos):
    merchant_id, _, period_id = sales
    settlement_id = put_in_state(app, merchant_id, period_id, "submitted")
    page = _admin_page(client, auth, dinsos, f"?periode={period_id}&status=submitted")
    token = csrf_from(page.data)
    url = f"{ADMIN}{settlement_id}/setujui?periode={period_id}&status=submitted"
    first = client.post(url, data={"csrf_token": token})
    second = client.post(url, data={"csrf_token": token})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"].endswith(f"?periode={period_id}&status=submitted")
    text = page_text(client.get(second.headers["Location"]))
    assert "Rekap Toko 1 disetujui." in text and "Rekap ini sudah disetujui." in text
    assert audit_actions(app).count("settlements.approved") == 1
    assert _settlement(app, merchant_id, period_id).state == "approved"


def test_dinsos_marks_paid_with_a_reference(app, client, auth, sales, dinsos):
    merchant_id, _, period_id = sales
    settlement_id = put_in_state(app, merchant_id, period_id, "approved")
    auth.login(*dinsos)
    page = client.get(f"{ADMIN}{period_id}/{merchant_id}")
    token = csrf_from(page.data)
    assert "Tandai dibayar" in page_text(page)
    for bad in ("", "A\nB", "X" * 81):
        refused = client.post(
            f"{ADMIN}{settlement_id}/bayar", data={"csrf_token": token, "referensi": bad}
        )
        assert refused.status_code == 422
        assert _settlement(app, merchant_id, period_id).state == "approved"
    done = client.post(
        f"{ADMIN}{settlement_id}/bayar", data={"csrf_token": token, "referensi": "TRF-99"}
    )
    assert done.status_code == 303
    assert "Dibayar" in page_text(client.get(done.headers["Location"]))
    assert _settlement(app, merchant_id, period_id).payment_reference == "TRF-99"


def test_dinsos_returns_with_a_reason_and_the_shop_sees_it(app, client, auth, sales, dinsos):
    merchant_id, username, period_id = sales
    settlement_id = put_in_state(app, merchant_id, period_id, "submitted")
    auth.login(*dinsos)
    token = csrf_from(client.get(f"{ADMIN}{period_id}/{merchant_id}").data)
    url = f"{ADMIN}{settlement_id}/kembalikan"
    assert client.post(url, data={"csrf_token": token, "alasan": ""}).status_code == 422
    assert (
        client.post(url, data={"csrf_token": token, "alasan": "Nota 2 hilang"}).status_code == 303
    )
    auth.logout()
    _login_shop(auth, username)
    text = page_text(client.get(f"{SHOP}{period_id}"))
    assert "Dikembalikan oleh Dinsos: Nota 2 hilang" in text and "Ajukan pencairan" in text


def test_auditor_reads_but_cannot_act(app, client, auth, sales, make_user):
    merchant_id, _, period_id = sales
    settlement_id = put_in_state(app, merchant_id, period_id, "submitted")
    make_user("audit", role="auditor", password="audit-pass-123")
    auth.login("audit", "audit-pass-123")
    page = client.get(ADMIN)
    assert page.status_code == 200 and "Setujui" not in page_text(page)
    refused = client.post(
        f"{ADMIN}{settlement_id}/setujui", data={"csrf_token": csrf_from(page.data)}
    )
    assert refused.status_code == 403
    assert _settlement(app, merchant_id, period_id).state == "submitted"


@pytest.mark.parametrize("query", ["?periode=abc", "?periode=999999", "?status=lunas", "?desa=x"])
def test_bad_filters_get_a_message(client, auth, sales, dinsos, query):
    page = _admin_page(client, auth, dinsos, query)
    assert page.status_code == 422 and "Pilihan tidak tersedia." in page_text(page)


def test_filters_by_state_and_village(app, client, auth, sales, dinsos, make_merchant):
    merchant_id, _, period_id = sales
    make_merchant(village="17.03.12.2001")
    put_in_state(app, merchant_id, period_id, "submitted")
    text = page_text(_admin_page(client, auth, dinsos, "?status=open"))
    assert "Toko 2" in text and "Toko 1" not in text
    text = page_text(client.get(ADMIN + "?desa=17.03.12.2003"))
    assert "Toko 1" in text and "Toko 2" not in text


def test_csv_downloads(app, client, auth, sales, dinsos):
    merchant_id, _, period_id = sales
    auth.login(*dinsos)
    one = client.get(f"{ADMIN}{period_id}/{merchant_id}/rekap.csv")
    assert one.mimetype == "text/csv" and one.data.startswith("\ufeff".encode())
    assert "attachment" in one.headers["Content-Disposition"]
    text = one.data.decode("utf-8-sig")
    assert text.splitlines()[-1].startswith("Total,,,200000")
    every = client.get(f"{ADMIN}periode/{period_id}.csv").data.decode("utf-8-sig")
    assert "Toko 1" in every and every.splitlines()[-1].startswith("Total,,,,2,200000")


def test_pdf_shows_the_total(tmp_path, client, auth, sales):
    merchant_id, username, period_id = sales
    _login_shop(auth, username)
    response = client.get(f"{SHOP}{period_id}/rekap.pdf")
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    path = tmp_path / "rekap.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Rp200.000" in text and "Toko 1" in text and "Terbuka" in text
    assert "Pemilik toko" in text and "Dinas Sosial" in text
    # A picture of the first page to look at, beside the browser screenshots.
    SHOTS.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(path), str(SHOTS / "settlement-a4")],
        check=True,
    )


def _wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll through DevTools (Playwright's wait_for_function needs eval, which the CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


def _browser_login(browser, base, username, password):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{base}/staf/masuk")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/staf/")
    return context, page


@needs_chromium
def test_browser_shop_submits_and_dinsos_approves_inline(
    app, browser, live_server, make_voucher, make_merchant, dinsos
):
    from bansos_app.merchant.models import Merchant

    merchant_id, username, period_id = shop_with_sales(app, make_voucher, make_merchant)
    second, _, _ = shop_with_sales(app, make_voucher, make_merchant, amounts=(200_000,))
    make_merchant(village="17.03.12.2001")
    undone_voucher, _, _ = make_voucher()
    redeem(app, undone_voucher, merchant_id, 150_000, undone=True)
    with app.app_context():
        for mid, name in ((merchant_id, "E-Warong Giri Kencana"), (second, "E-Warong Sejahtera")):
            db.session.get(Merchant, mid).name = name
        db.session.commit()
    put_in_state(app, second, period_id, "submitted")

    context, page = _browser_login(browser, live_server, username, f"{username}-pass-123")
    page.goto(f"{live_server}/toko/rekap/{period_id}")
    page.click("text=Ajukan pencairan")
    page.wait_for_selector("p.ok")
    assert "Rekap diajukan: 2 penukaran, Rp200.000." in page.inner_text("main")
    screenshot(page, "settlement-shop-desktop")
    context.close()

    context, page = _browser_login(browser, live_server, *dinsos)
    page.goto(f"{live_server}/staf/rekap-toko/")
    assert page.inner_text("#count-submitted") == "2"
    row = f"#rekap-{merchant_id}"
    page.click(f"{row} button:has-text('Setujui')")
    _wait_until(page, f"document.querySelector('{row}').innerText.includes('Disetujui')")
    _wait_until(page, "document.querySelector('#count-approved').innerText === '1'")
    assert page.inner_text("#count-submitted") == "1"
    assert page.url.endswith("/staf/rekap-toko/")  # swapped in place, no page load
    screenshot(page, "settlement-dinsos-desktop")
    context.close()
    assert _settlement(app, merchant_id, period_id).state == "approved"
