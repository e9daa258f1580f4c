"""The resident status check through the client: NIK + KK, the visit, the status page, reset."""

import html as htmllib
import json
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from bansos_app.audit.models import AuditEvent
from bansos_app.extensions import db
from bansos_app.formatting import group_digits
from bansos_app.kiosk.models import ResidentVisit
from bansos_app.registry.identity import mask_number
from bansos_app.registry.models import Household, Person
from tests.conftest import alerts as _alerts
from tests.conftest import csrf_from
from tests.conftest import page_text as _text

SRI = {"nik": "1703124107850001", "kk": "1703122003180001"}
BAMBANG = {"nik": "1703121203700003", "kk": "1703121505190002"}
DEDI = {"nik": "1703142208880002", "kk": "1703141010200003"}
COOKIE = "bansos_warga"


def _field_error(response, field: str) -> str:
    match = re.search(
        rf'<p class="field-error" id="{field}-error">(.*?)</p>', _text(response), re.S
    )
    assert match, f"no error message for {field}"
    return " ".join(htmllib.unescape(match.group(1)).split())


def _check(client, nik, kk, headers=None, token=True):
    """Open the form and post NIK + KK the way the browser would."""
    page = client.get("/cek-status")
    data = {"nik": nik, "kk": kk}
    if token:
        data["csrf_token"] = csrf_from(page.data)
    return client.post("/cek-status", data=data, headers=headers or {})


def _visit_cookie_set(response) -> bool:
    return any(c.startswith(f"{COOKIE}=") for c in response.headers.getlist("Set-Cookie"))


def _visits(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(ResidentVisit.id)))


def _member_niks(app, kk) -> list[str]:
    with app.app_context():
        return db.session.scalars(
            select(Person.nik).join(Household).where(Household.kk_number == kk)
        ).all()


def _audit(app, action) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        ).all()
        return [json.loads(r.details) for r in rows]


def _all_audit_details(app) -> str:
    with app.app_context():
        return "\n".join(db.session.scalars(select(AuditEvent.details)))


# --- the form -------------------------------------------------------------------------------


def test_form_page(client):
    response = client.get("/cek-status")
    assert response.status_code == 200
    html = _text(response)
    assert "Cek Status Bantuan" in html
    assert 'name="nik"' in html and 'name="kk"' in html
    assert 'inputmode="numeric"' in html
    assert csrf_from(response.data)
    assert response.headers["Cache-Control"] == "no-store"


BAD_INPUTS = [
    pytest.param(
        SRI["nik"][:15], SRI["kk"], "nik", "NIK harus 16 digit angka; yang dimasukkan 15 digit.",
        id="nik-15-digits",
    ),
    pytest.param(
        SRI["nik"] + "1", SRI["kk"], "nik", "NIK harus 16 digit angka; yang dimasukkan 17 digit.",
        id="nik-17-digits",
    ),
    pytest.param(
        "17031241O785OOO1", SRI["kk"], "nik",
        "NIK hanya boleh berisi angka 0-9, tanpa huruf, spasi atau tanda baca.",
        id="nik-letters",
    ),
    pytest.param("", SRI["kk"], "nik", "NIK belum diisi.", id="nik-empty"),
    pytest.param(SRI["nik"], "", "kk", "Nomor KK belum diisi.", id="kk-empty"),
    pytest.param(
        SRI["nik"], "17031220031800O1", "kk",
        "Nomor KK hanya boleh berisi angka 0-9, tanpa huruf, spasi atau tanda baca.",
        id="kk-letters",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("nik", "kk", "field", "message"), BAD_INPUTS)
def test_bad_input_gets_a_clear_message_and_changes_nothing(app, client, nik, kk, field, message):
    response = _check(client, nik, kk)
    assert response.status_code == 422
    assert _field_error(response, field) == message
    other = "kk" if field == "nik" else "nik"
    assert f'id="{other}-error"' not in _text(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert not _visit_cookie_set(response)
    assert client.get_cookie(COOKIE) is None
    assert _visits(app) == 0
    assert not _audit(app, "kiosk.status_checked")


def test_bad_input_htmx_gets_only_the_form_block(client):
    response = _check(client, "123", SRI["kk"], headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "<html" not in _text(response)
    assert _field_error(response, "nik") == "NIK harus 16 digit angka; yang dimasukkan 3 digit."
    assert "HX-Request" in response.headers["Vary"]


def _strip_echo(response, *echoed) -> str:
    """The page without what legitimately differs: the CSRF token and the echoed numbers."""
    text = re.sub(r'name="csrf_token" type="hidden" value="[^"]*"', "", _text(response))
    for value in echoed:
        text = text.replace(f'value="{group_digits(value)}"', "")
    return text


def test_wrong_kk_and_unknown_nik_get_the_same_answer(app, client, demo):
    # Right NIK (Sri) with another real KK (Bambang's), and a well-formed NIK nobody has.
    wrong_kk = _check(client, SRI["nik"], BAMBANG["kk"])
    unknown = _check(client, "1703124107850099", SRI["kk"])
    assert wrong_kk.status_code == unknown.status_code == 422
    assert _alerts(wrong_kk) == _alerts(unknown)
    assert len(_alerts(wrong_kk)) == 1
    assert _alerts(wrong_kk)[0].startswith("Data tidak ditemukan.")
    assert _strip_echo(wrong_kk, SRI["nik"], BAMBANG["kk"]) == _strip_echo(
        unknown, "1703124107850099", SRI["kk"]
    )
    assert not _visit_cookie_set(wrong_kk) and not _visit_cookie_set(unknown)
    assert _visits(app) == 0

    misses = _audit(app, "kiosk.status_not_found")
    assert len(misses) == 2
    assert {m["nik"] for m in misses} == {mask_number(SRI["nik"]), "1703********0099"}
    details = _all_audit_details(app)
    assert SRI["nik"] not in details and "1703124107850099" not in details
    assert not re.search(r"\d{16}", details)


def test_post_without_csrf_token_gets_the_400_page(app, client):
    response = _check(client, SRI["nik"], SRI["kk"], token=False)
    assert response.status_code == 400
    html = _text(response)
    assert "Permintaan tidak dapat diproses" in html
    assert "Sesi formulir sudah kedaluwarsa" in html
    assert not _visit_cookie_set(response)
    assert _visits(app) == 0


# --- success and the status page ------------------------------------------------------------


def _expected_pkh_stage(today: date) -> tuple[int, int]:
    """(tahap, year) of the next quarterly stage (January, April, July, October)."""
    for number, month in enumerate((1, 4, 7, 10), start=1):
        if month > today.month:
            return number, today.year
    return 1, today.year + 1


def test_success_redirects_to_the_status_page_of_sri(app, client, demo):
    response = _check(client, SRI["nik"], SRI["kk"])
    assert response.status_code == 303
    assert response.headers["Location"] == "/status"
    assert response.headers["Cache-Control"] == "no-store"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(COOKIE))
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    # The browser holds only a random token, never the NIK or KK.
    token = client.get_cookie(COOKIE).value
    assert SRI["nik"] not in token and SRI["kk"] not in token
    assert _visits(app) == 1

    page = client.get("/status")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = _text(page)
    assert "Sri Wahyuni" in html
    # Members by relation and age, not by (identical-looking) masked NIKs.
    assert re.search(
        r"Sri Wahyuni</span>\s*<span class=\"member-what\">Kepala keluarga, \d+ tahun", html
    )
    assert re.search(r"Putri Wulandari</span>\s*<span class=\"member-what\">Anak, 9 tahun", html)
    assert re.search(r"Rizky Ramadhan</span>\s*<span class=\"member-what\">Anak, 4 tahun", html)
    niks = _member_niks(app, SRI["kk"])
    assert len(niks) == 3
    for nik in niks:
        assert nik not in html
        assert mask_number(nik) not in html
    assert SRI["kk"] not in html
    assert 'KK <span class="num">1703 **** **** 0001</span>' in html
    # One plain answer first; the jargon is explained.
    assert (
        "Keluarga Anda menerima uang tunai PKH, sembako, gas LPG 3 kg murah, "
        "potongan listrik dan BPJS Kesehatan gratis." in html
    )
    assert html.count('class="answer-text"') == 1
    assert "Keluarga Anda di desil 2 dari 10." in html
    assert "Desil 1 paling membutuhkan, desil 10 paling mampu." in html
    for jargon in ("Komponen", "per penyaluran", "Desil saat ini"):
        assert jargon not in html
    assert "Rp200.000 setiap kali dibagikan." in html
    assert "Iuran BPJS Kesehatan dibayar pemerintah" in html
    for name in ("PKH", "Sembako", "LPG", "listrik", "PBI-JKN"):
        assert name in html
    assert html.count('class="program state-') == 5
    # A child in SD (Rp900.000) and a child of 4 (Rp3.000.000): Rp3.900.000 a year.
    assert "Sekitar Rp3.900.000 setahun, dibayar empat kali." in html
    assert "Rizky Ramadhan (anak usia dini), Putri Wulandari (anak SD)" in html
    number, year = _expected_pkh_stage(date.today())
    assert f"Berikutnya: tahap {number}," in html
    assert f"{year}, sekitar Rp975.000." in html

    checked = _audit(app, "kiosk.status_checked")
    assert len(checked) == 1
    details = _all_audit_details(app)
    assert not re.search(r"\d{16}", details)
    for nik in niks:
        assert nik not in details


def test_htmx_success_returns_the_fragment_and_pushes_the_url(app, client, demo):
    response = _check(client, BAMBANG["nik"], BAMBANG["kk"], headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"] == "/status"
    assert response.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in response.headers["Vary"]
    assert _visit_cookie_set(response)
    html = _text(response)
    assert "<html" not in html and "<body" not in html
    assert "Bambang Sutrisno" in html
    for nik in _member_niks(app, BAMBANG["kk"]):
        assert nik not in html
        assert mask_number(nik) not in html
    assert "Istri, " in html
    # The reason is given once, in the answer, not once per program.
    assert (
        "Keluarga Anda tidak mendapat bantuan saat ini: bantuan untuk keluarga di desil 1–5, "
        "keluarga Anda di desil 7." in html
    )
    assert html.count("desil 1–") == 1
    assert "Berubah dari desil 3 ke desil 7 pada" in html
    assert 'class="program' not in html
    assert "Berikutnya: tahap" not in html


def test_dedi_is_blocked_with_the_musdesus_guidance(client, demo):
    assert _check(client, DEDI["nik"], DEDI["kk"]).status_code == 303
    html = _text(client.get("/status"))
    assert "Dedi Kurniawan" in html
    # Neutral for whoever stands behind: no program list, no "Diblokir" in large letters.
    assert 'class="program' not in html
    assert "Diblokir" not in html
    assert "Bantuan untuk keluarga ini sedang dihentikan." in html
    assert "musyawarah desa khusus (Musdesus)" in html
    # The reason only behind a deliberate tap, and only once.
    reason = re.search(
        r'<details class="reason">\s*<summary>Lihat alasan</summary>(.*?)</details>', html, re.S
    )
    assert reason and "judi online" in reason.group(1)
    assert html.count("judi online") == 1
    assert "Berikutnya: tahap" not in html


def test_form_errors_in_english(app, client):
    client.get("/bahasa/en")
    response = _check(client, "", SRI["kk"])
    assert response.status_code == 422
    assert '<html lang="en">' in _text(client.get("/cek-status"))
    assert _visits(app) == 0
    assert _field_error(response, "nik") == "NIK is not filled in."
    assert "belum diisi" not in _text(response)


# --- grouped numbers, language reset, the way back from "belum tersedia" -------------------


def test_numbers_typed_in_groups_of_four_are_accepted(app, client, demo):
    response = _check(client, "1703 1241 0785 0001", " 1703 1220 0318 0001 ")
    assert response.status_code == 303
    assert _visits(app) == 1


def test_form_shows_what_was_typed_in_groups_of_four(client):
    response = _check(client, "17031241078500", SRI["kk"])
    assert response.status_code == 422
    html = _text(response)
    assert 'value="1703 1241 0785 00"' in html
    assert 'value="1703 1220 0318 0001"' in html
