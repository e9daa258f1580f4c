"""Bad input on the Usul / Sanggah pages: a clear message, 422, and nothing stored."""

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from bansos_app.extensions import db
from bansos_app.tickets.models import Ticket, TicketPhoto
from tests.conftest import csrf_from
from tests.tickets.support import DEDI_KK, DEDI_NIK, receiving
from tests.tickets.test_public_flow import (
    _fresh_limits,  # noqa: F401  (autouse fixture)
    answer,
    check_status,
    hidden,
    send,
    text_of,
    tickets,
    walk,
)

DESIL = "/usul-sanggah?jenis=sanggah_sendiri&alasan=desil"


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Ticket))


def test_a_missing_reason_is_asked_for_again(app, kiosk_client):
    check_status(kiosk_client)
    page = walk(kiosk_client, {"pilih": "sanggah_lain"}, {"pilih": str(receiving().id)})
    again = answer(kiosk_client, page, pilih="")
    assert again.status_code == 422
    assert "Pilih alasan sanggahan." in text_of(again)
    assert hidden(again, "langkah") == "other_reason"
    assert count() == 0


def test_lainnya_needs_a_short_text(app, kiosk_client):
    check_status(kiosk_client)
    page = walk(
        kiosk_client,
        {"pilih": "sanggah_lain"},
        {"pilih": str(receiving().id)},
        {"pilih": "lainnya"},
    )
    assert "(wajib)" in text_of(page)
    again = answer(kiosk_client, page, keterangan="   ")
    assert again.status_code == 422
    assert "Tulis alasannya secara singkat." in text_of(again)
    assert count() == 0


@pytest.mark.parametrize(
    ("nik", "kk", "name", "expected"),
    [
        ("1703129999990007", "1703120101240009", "BUDI", "Tanggal lahir di NIK tidak mungkin"),
        ("9999995001900007", "1703120101240009", "BUDI", "NIK"),
        ("170312500190", "1703120101240009", "BUDI", "16 digit"),
        ("1703125001900007", "1703120101240009", "", "nama kepala keluarga"),
        ("1703125001900007", "12", "BUDI", "16 digit"),
    ],
)
def test_a_new_family_with_a_nik_of_nobody(app, kiosk_client, nik, kk, name, expected):
    check_status(kiosk_client)
    page = walk(kiosk_client, {"pilih": "usul"}, {"pilih": "new"})
    again = answer(kiosk_client, page, nik=nik, kk=kk, nama=name)
    assert again.status_code == 422
    assert expected in text_of(again)
    assert hidden(again, "langkah") == "family"
    assert count() == 0


def test_a_new_family_already_registered_is_screened_out(app, kiosk_client):
    """Rina's numbers proposed as "new": an auto-rejected ticket; the resident is not told that
    those numbers are registered (that would confirm a stranger's NIK), the operator is."""
    check_status(kiosk_client)
    page = walk(
        kiosk_client,
        {"pilih": "usul"},
        {"pilih": "new"},
        {"nik": "1703124203920004", "kk": "1703120506250004", "nama": "Rina Marlina"},
        {"pilih": "SEMBAKO"},
        {"keterangan": ""},
    )
    result = send(kiosk_client, page)
    [ticket] = tickets()
    assert (ticket.stage, ticket.outcome) == ("closed", "auto_rejected")
    assert ticket.decision_reason == "new_numbers_registered"
    assert "sudah terdaftar" not in text_of(result)
    assert "Tiket ini tidak dapat diproses menurut data desa." in text_of(result)


def test_a_recipient_of_another_village_forged_into_the_field(app, kiosk_client):
    """The list offers only this village's recipients; a forged id is refused, nothing stored."""
    check_status(kiosk_client)
    page = walk(kiosk_client, {"pilih": "sanggah_lain"})
    elsewhere = receiving(village="17.03.12.2001")
    assert elsewhere.village_code != "17.03.12.2003"
    again = answer(kiosk_client, page, pilih=str(elsewhere.id))
    assert again.status_code == 422
    assert "Pilih keluarga dari daftar desa Anda." in text_of(again)
    assert elsewhere.head.name not in text_of(again)
    for forged in ("x", "-1", "99999999", "1e3"):
        assert answer(kiosk_client, page, pilih=forged).status_code == 422
    assert count() == 0


def test_a_forged_flow_value_starts_again(app, kiosk_client):
    check_status(kiosk_client)
    page = walk(kiosk_client, start=DESIL)
    signed = hidden(page, "flow")
    forged = signed[:-3] + ("AAA" if not signed.endswith("AAA") else "BBB")
    data = {"csrf_token": csrf_from(page.data), "flow": forged, "langkah": "text"}
    again = kiosk_client.post("/usul-sanggah", data=data)
    assert again.status_code == 422 and "mulai lagi" in text_of(again)
    sent = kiosk_client.post("/usul-sanggah/kirim", data=data)
    assert sent.status_code == 422
    assert count() == 0


def test_the_flow_of_another_visit_is_refused(app, kiosk_client):
    """A kiosk is shared: the form of the previous resident's visit does nothing for the next."""
    check_status(kiosk_client)
    page = walk(kiosk_client, {"keterangan": ""}, start=DESIL)
    kiosk_client.post("/kiosk/reset", data={"csrf_token": csrf_from(page.data)})
    check_status(kiosk_client, DEDI_NIK, DEDI_KK)
    data = {"csrf_token": csrf_from(page.data), "flow": hidden(page, "flow")}
    assert kiosk_client.post("/usul-sanggah/kirim", data=data).status_code == 422
    assert count() == 0


def test_csrf_missing_is_refused(app, kiosk_client):
    assert app.config.get("WTF_CSRF_ENABLED", True)
    check_status(kiosk_client)
    page = walk(kiosk_client, {"keterangan": ""}, start=DESIL)
    refused = kiosk_client.post("/usul-sanggah/kirim", data={"flow": hidden(page, "flow")})
    assert refused.status_code == 400
    assert count() == 0


def test_the_submit_is_rate_limited(app, kiosk_client):
    before = app.config["RATELIMIT_TICKET_DEVICE"]
    app.config["RATELIMIT_TICKET_DEVICE"] = "2 per hour"
    try:
        check_status(kiosk_client)
        page = walk(kiosk_client, {"keterangan": ""}, start=DESIL)
        codes = [send(kiosk_client, page).status_code for _ in range(3)]
    finally:
        app.config["RATELIMIT_TICKET_DEVICE"] = before
    assert codes == [200, 200, 429]
    assert count() == 1


def _photo_page(client):
    """The confirm screen on a phone (no kiosk cookie), where a photo may be added."""
    check_status(client)
    return walk(client, {"keterangan": ""}, start=DESIL)


def _jpeg(size=(2000, 1500)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90
    exif[0x010F] = "SecretPhone"  # camera make: metadata that must go
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_phone_photo_is_reencoded_without_metadata(app, client, demo):
    page = _photo_page(client)
    assert 'name="foto"' in page.get_data(as_text=True)
    result = send(client, page, foto=(io.BytesIO(_jpeg()), "rumah.jpg"))
    assert result.status_code == 200, text_of(result)
    [ticket] = tickets()
    assert ticket.channel == "phone"
    photo = db.session.get(TicketPhoto, ticket.id)
    image = Image.open(io.BytesIO(photo.data))
    assert image.format == "JPEG"
    assert (photo.width, photo.height) == image.size == (960, 1280)  # turned upright, shrunk
    assert not image.getexif() and b"SecretPhone" not in photo.data


def test_a_file_that_is_not_an_image_is_refused(app, client, demo):
    page = _photo_page(client)
    refused = send(client, page, foto=(io.BytesIO(b"%PDF-1.4 not a photo"), "rumah.jpg"))
    assert refused.status_code == 422
    assert "bukan gambar" in text_of(refused)
    assert count() == 0


def test_a_50_mb_photo_gets_a_clear_413_page(app, client, demo):
    page = _photo_page(client)
    big = io.BytesIO(b"\xff\xd8" + b"\0" * (50 * 1024 * 1024))
    refused = send(client, page, foto=(big, "rumah.jpg"))
    assert refused.status_code == 413
    assert "Foto terlalu besar" in text_of(refused) and "8 MB" in text_of(refused)
    assert count() == 0


def test_a_decompression_bomb_is_refused(app, client, demo):
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")  # 100 megapixels in a few kilobytes
    page = _photo_page(client)
    refused = send(client, page, foto=(io.BytesIO(out.getvalue()), "rumah.png"))
    assert refused.status_code == 422
    assert "terlalu besar" in text_of(refused)
    assert count() == 0


def test_a_kiosk_sends_no_photo(app, kiosk_client):
    check_status(kiosk_client)
    page = walk(kiosk_client, {"keterangan": ""}, start=DESIL)
    assert 'name="foto"' not in page.get_data(as_text=True)
    send(kiosk_client, page, foto=(io.BytesIO(_jpeg()), "rumah.jpg"))
    [ticket] = tickets()
    assert db.session.get(TicketPhoto, ticket.id) is None


def _plain_png(megapixels: int) -> bytes:
    """A one-colour 4:3 PNG of that many megapixels: small on disk, large once decoded."""
    width = int((megapixels * 1_000_000 * 4 / 3) ** 0.5)
    out = io.BytesIO()
    Image.new("RGB", (width, megapixels * 1_000_000 // width), (90, 140, 60)).save(out, "PNG")
    return out.getvalue()


def test_a_40_megapixel_photo_is_refused_before_decoding(app, client, demo):
    """Above 24 MP the server would need hundreds of MB for one photo: refused, nothing stored."""
    page = _photo_page(client)
    refused = send(client, page, foto=(io.BytesIO(_plain_png(40)), "rumah.png"))
    assert refused.status_code == 422
    assert "terlalu besar" in text_of(refused)
    assert count() == 0


def test_a_20_megapixel_photo_is_taken_and_shrunk(app, client, demo):
    page = _photo_page(client)
    result = send(client, page, foto=(io.BytesIO(_plain_png(20)), "rumah.png"))
    assert result.status_code == 200, text_of(result)
    [ticket] = tickets()
    photo = db.session.get(TicketPhoto, ticket.id)
    assert (photo.width, photo.height) == (1280, 960)


def test_a_camera_jpeg_is_decoded_at_a_reduced_scale(app):
    """A 12 MP JPEG decodes at half size (still above 1280 px): a quarter of the memory."""
    from bansos_app.tickets.photo import _open

    out = io.BytesIO()
    Image.new("RGB", (4000, 3000), (90, 140, 60)).save(out, "JPEG")
    assert _open(out.getvalue()).size == (2000, 1500)
