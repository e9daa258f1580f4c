"""Cek Tiket, the receipt slip and its QR, and the tickets on the status page."""

import base64
import io
import os
import re
from datetime import timedelta

from PIL import Image

from bansos_app.extensions import db
from bansos_app.tickets.models import Ticket
from bansos_app.tickets.numbers import grouped, new_number
from bansos_app.tickets.submit import submit_ticket
from bansos_app.tickets.workflow import mark_overdue
from tests.conftest import csrf_from
from tests.tickets.support import (
    SRI_KK,
    SRI_NIK,
    eligible_not_receiving,
    household,
    receiving,
    sri_draft,
    to_stage,
)
from tests.tickets.test_public_flow import (
    _fresh_limits,  # noqa: F401  (autouse fixture)
    check_status,
    send,
    text_of,
    tickets,
    walk,
)
from tests.vouchers.slip_helpers import read_qr

NOT_FOUND = "Tiket tidak ditemukan."


def lookup(client, number, nik):
    page = client.get("/cek-tiket")
    data = {"csrf_token": csrf_from(page.data), "nomor": number, "nik": nik}
    return client.post("/cek-tiket", data=data)


def test_found_with_the_number_spaced_and_the_nik_of_the_submitter(app, kiosk_client):
    ticket = submit_ticket(None, sri_draft())
    answer = lookup(kiosk_client, grouped(ticket.number), "1703 1241 0785 0001")
    assert answer.status_code == 200
    shown = text_of(answer)
    assert "Menunggu verifikasi desa" in shown
    for step in ("Diajukan", "Diperiksa sistem", "Verifikasi desa", "Keputusan Dinsos", "Selesai"):
        assert step in shown
    assert 'aria-current="step">Diperiksa sistem' in answer.get_data(as_text=True)
    # Never who submitted, nor the NIK.
    assert "Sri Wahyuni" not in shown and SRI_NIK not in answer.get_data(as_text=True)
    assert answer.headers["Cache-Control"] == "no-store"


def test_wrong_nik_unknown_number_and_nonsense_get_one_message(app, kiosk_client):
    ticket = submit_ticket(None, sri_draft())
    other = new_number()
    answers = [
        lookup(kiosk_client, ticket.number, "1703124203920004"),  # Rina's NIK: wrong person
        lookup(kiosk_client, other, SRI_NIK),  # no such ticket
        # a wrong check digit (whatever the right one is: "0" was right one time in ten)
        lookup(kiosk_client, ticket.number[:9] + str((int(ticket.number[9]) + 1) % 10), SRI_NIK),
        lookup(kiosk_client, "abc", "x"),
        lookup(kiosk_client, "", ""),
    ]
    assert [a.status_code for a in answers] == [422] * 5
    bodies = {re.sub(r'value="[^"]*"', "", text_of(a)) for a in answers}
    assert all(NOT_FOUND in b for b in bodies)
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).stage == "screened"  # nothing changed


def test_auto_rejected_shows_the_failed_checks(app, kiosk_client):
    receiving_one = household(SRI_KK)
    ticket = submit_ticket(
        None,
        sri_draft(
            kind="usul",
            reason_code="",
            program_code="SEMBAKO",
            subject_household_id=receiving_one.id,
        ),
    )
    assert ticket.outcome == "auto_rejected"
    shown = text_of(lookup(kiosk_client, ticket.number, SRI_NIK))
    assert "Ditolak oleh pemeriksaan sistem" in shown
    assert "Keluarga ini sudah menerima program ini." in shown


def test_decided_ticket_shows_the_decision_and_reason(app, kiosk_client):
    rina = eligible_not_receiving()
    ticket = to_stage(
        sri_draft(
            kind="usul", reason_code="", program_code="SEMBAKO", subject_household_id=rina.id
        ),
        "applied",
    )
    shown = text_of(lookup(kiosk_client, ticket.number, SRI_NIK))
    assert "Disetujui Dinas Sosial" in shown and "Sesuai hasil musdes." in shown


def test_lapsed_ticket_explains_why(app, kiosk_client):
    ticket = submit_ticket(
        None,
        sri_draft(kind="sanggah_lain", reason_code="mampu", subject_household_id=receiving().id),
    )
    mark_overdue(ticket.due_on + timedelta(days=1))
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.outcome == "lapsed"
    shown = text_of(lookup(kiosk_client, ticket.number, SRI_NIK))
    assert "Gugur" in shown and "14 hari" in shown


def test_lookups_are_rate_limited(app, kiosk_client):
    app.config["RATELIMIT_TICKET_LOOKUP"] = "3 per minute"
    try:
        codes = [lookup(kiosk_client, new_number(), SRI_NIK).status_code for _ in range(4)]
    finally:
        app.config["RATELIMIT_TICKET_LOOKUP"] = "20 per minute"
    assert codes == [422, 422, 422, 429]


def test_the_qr_link_fills_in_the_number_only(app, kiosk_client):
    number = new_number()
    page = kiosk_client.get(f"/cek-tiket?nomor={number}")
    assert f'value="{grouped(number)}"' in page.get_data(as_text=True)
    assert 'value="' + grouped(number) not in kiosk_client.get("/cek-tiket?nomor=12").get_data(
        as_text=True
    )


def test_receipt_slip_qr_opens_cek_tiket_with_the_number(app, kiosk_client):
    app.config["PUBLIC_BASE_URL"] = "https://bansos.example.id"
    try:
        check_status(kiosk_client)
        page = walk(
            kiosk_client,
            {"keterangan": ""},
            start="/usul-sanggah?jenis=sanggah_sendiri&alasan=desil",
        )
        result = send(kiosk_client, page)
        link = re.search(r'href="(/usul-sanggah/bukti/[^"]+)"', result.get_data(as_text=True))
        slip = kiosk_client.get(link.group(1))
    finally:
        app.config["PUBLIC_BASE_URL"] = None
    [ticket] = tickets()
    html = slip.get_data(as_text=True)
    assert 'data-autoprint="1"' in html
    assert grouped(ticket.number) in text_of(slip)
    assert SRI_NIK not in html and "Sri Wahyuni" not in html
    png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', html).group(1))
    image = Image.open(io.BytesIO(png))
    assert image.width <= 360  # fits the 80 mm roll like the voucher QR
    path = app.instance_path + "/receipt-qr.png"
    os.makedirs(app.instance_path, exist_ok=True)
    image.save(path)
    assert read_qr(path) == [f"https://bansos.example.id/cek-tiket?nomor={ticket.number}"]


def test_phone_shows_the_receipt_on_screen(app, client, demo):
    check_status(client)
    page = walk(
        client, {"keterangan": ""}, start="/usul-sanggah?jenis=sanggah_sendiri&alasan=desil"
    )
    result = send(client, page)
    assert "Cetak bukti" not in text_of(result)
    assert "BUKTI TIKET USUL-SANGGAH" in text_of(result)
    assert "data:image/png;base64," in result.get_data(as_text=True)


def test_status_page_lists_the_household_tickets_and_a_pending_desil(app, kiosk_client):
    ticket = submit_ticket(None, sri_draft())
    sri = household(SRI_KK)
    sri.desil = None
    db.session.commit()
    check_status(kiosk_client)
    shown = text_of(kiosk_client.get("/status"))
    assert "Tiket Anda" in shown and grouped(ticket.number) in shown
    assert "Data saya salah" in shown and "Menunggu verifikasi desa" in shown
    assert "menunggu pemeringkatan" in shown


def test_home_tiles_lead_to_the_flows(app, kiosk_client):
    home = kiosk_client.get("/").get_data(as_text=True)
    assert 'href="/usul-sanggah"' in home and 'href="/cek-tiket"' in home
    assert kiosk_client.get("/layanan/usul-sanggah").status_code == 404
