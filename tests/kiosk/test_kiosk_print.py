"""Printing voucher slips at the kiosk (after the PIN) and showing them on a phone."""

import base64
import io
import json
import re
from datetime import date, timedelta

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from bansos_app.audit.models import AuditEvent
from bansos_app.extensions import db
from bansos_app.vouchers.models import Voucher
from bansos_app.vouchers.tokens import verify_token
from tests.conftest import alerts as _alerts
from tests.conftest import csrf_from
from tests.conftest import page_text as _text

SRI = {"nik": "1703124107850001", "kk": "1703122003180001"}
SRI_PIN = "246810"


def _status(client, pin=None):
    page = client.get("/cek-status")
    response = client.post("/cek-status", data={**SRI, "csrf_token": csrf_from(page.data)})
    assert response.status_code == 303
    page = client.get("/status")
    if pin:
        page = client.post("/status/pin", data={"pin": pin, "csrf_token": csrf_from(page.data)})
        assert page.status_code == 200
    return page


def _print(client, page, **data):
    return client.post("/status/cetak", data={"csrf_token": csrf_from(page.data), **data})


def _voucher(app, voucher_id) -> Voucher:
    with app.app_context():
        voucher = db.session.get(Voucher, voucher_id)
        db.session.expunge(voucher)
        return voucher


def _printed_events(app) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "vouchers.printed")
            .order_by(AuditEvent.seq)
        )
        return [json.loads(e.details) for e in rows]


def _qr_texts(html: str) -> list[str]:
    """Decode every slip's QR straight from its inline PNG."""
    texts = []
    for data in re.findall(r'src="data:image/png;base64,([^"]+)"', html):
        image = Image.open(io.BytesIO(base64.b64decode(data)))
        assert image.mode == "1"  # a 1-bit bitmap
        texts += [r.text for r in zxingcpp.read_barcodes(image)]
    return texts


def test_after_the_pin_the_kiosk_prints_a_slip_and_counts_it(app, kiosk_client, sri_vouchers):
    sembako = sri_vouchers["SEMBAKO"]
    page = _status(kiosk_client, SRI_PIN)
    html = _text(page)
    # One per voucher, and "Cetak semua".
    assert html.count('action="/status/cetak"') == len(sri_vouchers) + 1
    assert "Cetak semua" in html
    response = _print(kiosk_client, page, voucher=str(sembako))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    slip = _text(response)
    assert 'data-autoprint="1"' in slip
    assert "js/slip.js" in slip
    assert "paper-80" in slip
    assert "CETAK ULANG" not in slip
    assert "1703********0001" in slip
    assert SRI["nik"] not in slip
    [token] = _qr_texts(slip)
    with app.app_context():
        claims = verify_token(token)
    assert (claims.voucher_id, claims.program_code, claims.value) == (sembako, "SEMBAKO", 200_000)
    voucher = _voucher(app, sembako)
    assert voucher.print_count == 1
    assert voucher.last_printed_at is not None
    [event] = _printed_events(app)
    assert event["channel"] == "kiosk"
    assert event["reprint"] == 0
    assert event["serial"] == voucher.serial
    assert event["device"] is not None


def test_reprints_are_counted_and_marked(app, kiosk_client, sri_vouchers):
    sembako = sri_vouchers["SEMBAKO"]
    page = _status(kiosk_client, SRI_PIN)
    texts = [_text(_print(kiosk_client, page, voucher=str(sembako))) for _ in range(3)]
    assert "CETAK ULANG" not in texts[0]
    assert "CETAK ULANG ke-1" in texts[1]
    assert "CETAK ULANG ke-2" in texts[2]
    assert _voucher(app, sembako).print_count == 3
    assert [e["reprint"] for e in _printed_events(app)] == [0, 1, 2]
    assert "sudah dicetak 3 kali" in _text(kiosk_client.get("/status"))


def test_print_all(app, kiosk_client, sri_vouchers):
    page = _status(kiosk_client, SRI_PIN)
    slip = _text(_print(kiosk_client, page, semua="1"))
    assert slip.count('class="vslip"') == len(sri_vouchers)
    with app.app_context():
        ids = sorted(verify_token(t).voucher_id for t in _qr_texts(slip))
    assert ids == sorted(sri_vouchers.values())
    assert all(_voucher(app, v).print_count == 1 for v in sri_vouchers.values())


def test_without_the_pin_printing_is_refused(app, kiosk_client, sri_vouchers):
    page = _status(kiosk_client)
    assert 'action="/status/cetak"' not in _text(page)
    response = _print(kiosk_client, page, voucher=str(sri_vouchers["SEMBAKO"]))
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/status")
    status = kiosk_client.get("/status")
    assert _alerts(status) == ["Masukkan PIN kios dahulu untuk mencetak voucher."]
    assert _voucher(app, sri_vouchers["SEMBAKO"]).print_count == 0
    assert _printed_events(app) == []


def test_without_a_visit_printing_goes_home(app, kiosk_client, sri_vouchers):
    page = kiosk_client.get("/")
    response = _print(kiosk_client, page, voucher=str(sri_vouchers["SEMBAKO"]))
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert _printed_events(app) == []


@pytest.mark.parametrize(
    "choice", ["abc", "-1", "99999999", "", "1" * 40, "²", "١", "other", "voided"]
)
def test_a_voucher_not_printable_for_this_visit_is_refused(
    app, kiosk_client, sri_vouchers, make_voucher, choice
):
    if choice == "other":  # another household's voucher
        choice = str(make_voucher()[0])
    if choice == "voided":
        with app.app_context():
            voucher = db.session.get(Voucher, sri_vouchers["LPG"])
            voucher.state, voucher.void_reason = "voided", "uji"
            db.session.commit()
        choice = str(sri_vouchers["LPG"])
    page = _status(kiosk_client, SRI_PIN)
    response = _print(kiosk_client, page, voucher=choice)
    assert response.status_code == 422
    assert _alerts(response) == [
        "Voucher itu tidak dapat dicetak. Pilih voucher dari daftar di bawah."
    ]
    assert _printed_events(app) == []


def test_expired_and_spent_vouchers_are_not_listed(app, kiosk_client, sri_vouchers):
    with app.app_context():
        spent = db.session.get(Voucher, sri_vouchers["LPG"])
        spent.balance, spent.state = 0, "spent"
        for program, voucher_id in sri_vouchers.items():
            if program != "LPG":
                old = db.session.get(Voucher, voucher_id)
                old.expires_on = date.today() - timedelta(days=1)
        db.session.commit()
    html = _text(_status(kiosk_client))
    assert "Belum ada voucher" in html
    assert 'name="pin"' not in html


def test_on_a_phone_the_slip_is_shown_not_printed(app, client, sri_vouchers):
    page = _status(client, SRI_PIN)
    html = _text(page)
    assert "Tampilkan" in html
    slip = _text(_print(client, page, voucher=str(sri_vouchers["SEMBAKO"])))
    assert "data-autoprint" not in slip
    assert "Tunjukkan layar ini di toko" in slip
    assert len(_qr_texts(slip)) == 1
    [event] = _printed_events(app)
    assert (event["channel"], event["device"]) == ("phone", None)


def test_58mm_kiosk_gets_a_58mm_slip(app, kiosk_client, sri_vouchers):
    from bansos_app.kiosk.models import KioskDevice

    with app.app_context():
        db.session.scalar(select(KioskDevice)).paper_width = 58
        db.session.commit()
    page = _status(kiosk_client, SRI_PIN)
    slip = _text(_print(kiosk_client, page, voucher=str(sri_vouchers["SEMBAKO"])))
    assert "paper-58" in slip
    # 5 dots a module at 203 dpi on 58 mm paper: 57 modules are 285 dots, 134.778 CSS px.
    assert 'width="134.778"' in slip


def test_home_tile_leads_to_the_status_check(client, demo):
    html = _text(client.get("/"))
    assert re.search(r'class="choice choice-voucher" href="/cek-status"', html)
    assert "Masukkan NIK dan KK, lalu PIN kios" in html
    assert client.get("/layanan/cetak-voucher").status_code == 404
