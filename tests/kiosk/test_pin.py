"""Kiosk PINs: operators issue them after checking the family card; residents enter them."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from bansos_app.audit.models import AuditEvent
from bansos_app.auth.models import User
from bansos_app.extensions import db
from bansos_app.kiosk import pins
from bansos_app.kiosk.models import ResidentVisit
from bansos_app.models_base import utcnow
from bansos_app.registry.models import Household, Person
from tests.conftest import alerts as _alerts
from tests.conftest import csrf_from
from tests.conftest import page_text as _text

SRI = {"nik": "1703124107850001", "kk": "1703122003180001"}
DEDI_KK = "1703141010200003"  # Air Petai: outside the operator's villages
SRI_PIN = "246810"

WRONG = "PIN salah. Periksa slip PIN Anda lalu coba lagi."
LOCKED = "PIN salah 5 kali. Pencetakan dikunci 15 menit untuk keluarga ini."
NOT_FOUND = "Nomor KK tidak ditemukan di desa Anda."


def _household(app, kk) -> Household:
    with app.app_context():
        household = db.session.scalar(select(Household).where(Household.kk_number == kk))
        db.session.expunge(household)
        return household


def _audit(app, action) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        ).all()
        db.session.expunge_all()
        return rows


def _all_audit_details(app) -> str:
    with app.app_context():
        return "\n".join(db.session.scalars(select(AuditEvent.details)))


# --- staff side -----------------------------------------------------------------------------


def _version(page) -> str:
    """The PIN version the issue form sends back (guards against double clicks)."""
    return re.search(r'name="versi" value="([^"]+)"', _text(page)).group(1)


def _lookup(client, kk):
    page = client.get("/staf/pin/")
    return client.post("/staf/pin/", data={"kk": kk, "csrf_token": csrf_from(page.data)})


def test_pin_page_needs_login(client):
    response = client.get("/staf/pin/")
    assert response.status_code in (302, 303)
    assert "/staf/masuk" in response.headers["Location"]


def test_roles_without_the_pin_permission_get_403(app, client, auth, demo):
    sri = _household(app, SRI["kk"])
    for username, password in (("auditor", "demo-auditor"), ("toko", "demo-merchant")):
        assert auth.login(username, password).status_code == 303, username
        token = csrf_from(client.get("/cek-status").data)
        assert client.get("/staf/pin/").status_code == 403, username
        data = {"kk": SRI["kk"], "csrf_token": token}
        assert client.post("/staf/pin/", data=data).status_code == 403, username
        assert client.post(f"/staf/pin/{sri.id}", data=data).status_code == 403, username
        auth.logout()
    assert _household(app, SRI["kk"]).pin_hash == sri.pin_hash
    assert not _audit(app, "kiosk.pin_issued")


def test_lookup_by_kk(client, auth, demo):
    auth.login("operator", "demo-operator")
    page = client.get("/staf/pin/")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"

    bad = _lookup(client, "12345")
    assert bad.status_code == 422
    assert _alerts(bad) == ["Nomor KK harus 16 digit angka; yang dimasukkan 5 digit."]
    letters = _lookup(client, "17031220031800O1")
    assert letters.status_code == 422
    assert _alerts(letters)[0].startswith("Nomor KK hanya boleh berisi angka 0-9")

    # A household in another village looks exactly like a KK that does not exist.
    outside = _lookup(client, DEDI_KK)
    unknown = _lookup(client, "1703122003180099")
    assert outside.status_code == unknown.status_code == 422
    assert _alerts(outside) == _alerts(unknown) == [NOT_FOUND]
    assert "Dedi Kurniawan" not in _text(outside)

    found = _lookup(client, SRI["kk"])
    assert found.status_code == 200
    html = _text(found)
    assert "Sri Wahyuni" in html
    assert "1703********0001" in html
    assert SRI["kk"] not in html.replace(f'value="{SRI["kk"]}"', "")
    sri = _household(client.application, SRI["kk"])
    assert f'action="/staf/pin/{sri.id}"' in html
    assert not _alerts(found)


def test_issue_pin_prints_it_once_and_stores_only_a_hash(app, client, auth, demo):
    auth.login("operator", "demo-operator")
    operator_id = _operator_id(app)
    found = _lookup(client, SRI["kk"])
    before = _household(app, SRI["kk"])
    data = {"csrf_token": csrf_from(found.data), "versi": _version(found)}
    slip = client.post(f"/staf/pin/{before.id}", data=data)
    assert slip.status_code == 200
    assert slip.headers["Cache-Control"] == "no-store"
    html = _text(slip)
    match = re.search(r'<p class="slip-pin">\s*(\d+)\s*</p>', html)
    assert match, "no PIN on the slip"
    pin = match.group(1)
    assert len(pin) == 6
    assert "Sri Wahyuni" in html
    assert SRI["kk"] not in html

    after = _household(app, SRI["kk"])
    assert after.pin_hash and after.pin_hash != before.pin_hash
    assert pin not in after.pin_hash
    assert after.pin_failures == 0 and after.pin_locked_until is None
    with app.test_request_context():
        household = db.session.get(Household, after.id)
        assert pins.verify_pin(household, pin) == "ok"
        if pin != SRI_PIN:
            assert pins.verify_pin(household, SRI_PIN) == "wrong"

    issued = _audit(app, "kiosk.pin_issued")
    assert len(issued) == 1
    assert issued[0].actor_id == operator_id
    assert issued[0].object_id == str(after.id)
    assert pin not in issued[0].details
    assert pin not in _all_audit_details(app)

    # Shown once: looking the household up again shows when, never the PIN.
    again = _text(_lookup(client, SRI["kk"]))
    assert "slip-pin" not in again
    assert "PIN terakhir dibuat" in again


def _operator_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == "operator"))


def test_issue_pin_refuses_households_outside_scope_and_missing_csrf(app, client, auth, demo):
    auth.login("operator", "demo-operator")
    token = csrf_from(client.get("/staf/pin/").data)
    dedi = _household(app, DEDI_KK)
    sri = _household(app, SRI["kk"])
    assert client.post(f"/staf/pin/{dedi.id}", data={"csrf_token": token}).status_code == 404
    assert client.post("/staf/pin/999999", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/staf/pin/{sri.id}").status_code == 400
    assert _household(app, DEDI_KK).pin_hash is None
    assert _household(app, SRI["kk"]).pin_hash == sri.pin_hash
    assert not _audit(app, "kiosk.pin_issued")


# --- kiosk side -----------------------------------------------------------------------------


@pytest.fixture
def printable(sri_vouchers):
    """Something to print, so that the status page asks for the PIN: the demo's vouchers."""
    return sri_vouchers


def test_no_pin_box_while_there_is_nothing_to_print(app, client, sri_vouchers):
    """Without vouchers to print the page says so plainly and asks for no PIN."""
    from bansos_app.vouchers.models import Voucher

    with app.app_context():
        for voucher_id in sri_vouchers.values():
            db.session.get(Voucher, voucher_id).state = "voided"
        db.session.commit()
    html = _text(_status_check(client, **SRI))
    assert 'action="/status/pin"' not in html
    assert 'name="pin"' not in html
    assert "Cetak" not in html
    assert "Voucher akan tampil di sini setelah diterbitkan Dinas Sosial." in html


def test_pin_box_and_voucher_when_something_can_be_printed(app, client, demo, printable):
    html = _text(_status_check(client, **SRI))
    assert 'action="/status/pin"' in html
    assert '<span class="voucher-program">Sembako / BPNT</span>' in html
    assert '<strong class="voucher-value">Rp200.000</strong>' in html
    assert "Masukkan PIN kios di bawah untuk mencetak voucher." in html


def _status_check(client, nik, kk):
    page = client.get("/cek-status")
    response = client.post(
        "/cek-status", data={"nik": nik, "kk": kk, "csrf_token": csrf_from(page.data)}
    )
    assert response.status_code == 303
    return client.get("/status")


def _enter_pin(client, pin):
    page = client.get("/status")
    token = csrf_from(page.data)
    return client.post("/status/pin", data={"pin": pin, "csrf_token": token})


def test_right_pin(app, client, demo, printable):
    page = _status_check(client, **SRI)
    assert 'action="/status/pin"' in _text(page)
    response = _enter_pin(client, SRI_PIN)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = _text(response)
    assert "PIN benar." in html
    assert 'action="/status/pin"' not in html
    assert not _alerts(response)
    assert SRI_PIN not in html
    with app.app_context():
        assert db.session.scalar(select(ResidentVisit)).pin_verified_at is not None
    assert len(_audit(app, "kiosk.pin_ok")) == 1
    assert SRI_PIN not in _all_audit_details(app)


def test_five_wrong_pins_lock_printing(app, client, demo, printable):
    _status_check(client, **SRI)
    for attempt in range(4):
        response = _enter_pin(client, "111111")
        assert response.status_code == 422, attempt
        assert _alerts(response) == [WRONG]
    assert _household(app, SRI["kk"]).pin_failures == 4
    fifth = _enter_pin(client, "111111")
    assert fifth.status_code == 422
    assert _alerts(fifth) == [LOCKED]
    assert 'action="/status/pin"' not in _text(fifth)
    assert _household(app, SRI["kk"]).pin_locked_until is not None

    # Locked: even the right PIN is refused, and a new visit does not undo the lock.
    right = _enter_pin(client, SRI_PIN)
    assert right.status_code == 422
    assert _alerts(right) == [LOCKED]
    assert "PIN benar." not in _text(right)
    _status_check(client, **SRI)
    page = _text(client.get("/status"))
    assert "Pencetakan dikunci sementara" in page
    assert 'action="/status/pin"' not in page
    assert _enter_pin(client, SRI_PIN).status_code == 422
    with app.app_context():
        assert all(v.pin_verified_at is None for v in db.session.scalars(select(ResidentVisit)))

    failed = [json.loads(e.details) for e in _audit(app, "kiosk.pin_failed")]
    assert [f["locked"] for f in failed] == [False, False, False, False, True]
    assert "111111" not in _all_audit_details(app)
    assert SRI_PIN not in _all_audit_details(app)

    # Fifteen minutes later (moved in the database, not waited for) the right PIN works.
    with app.app_context():
        sri = db.session.scalar(select(Household).where(Household.kk_number == SRI["kk"]))
        sri.pin_locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = _enter_pin(client, SRI_PIN)
    assert response.status_code == 200
    assert "PIN benar." in _text(response)


def test_badly_formed_pin_gets_the_format_message_and_counts_nothing(app, client, demo):
    _status_check(client, **SRI)
    for pin in ("12a", "", "12345", "1234567", "12 456", "-12345"):
        response = _enter_pin(client, pin)
        assert response.status_code == 422, pin
        assert _alerts(response) == ["PIN harus 6 digit angka."], pin
    sri = _household(app, SRI["kk"])
    assert sri.pin_failures == 0 and sri.pin_locked_until is None
    assert not _audit(app, "kiosk.pin_failed")


def test_pin_of_non_ascii_digits_gets_the_format_message(app, client, demo):
    # Arabic-Indic digits pass str.isdigit(); they are not a PIN and must not count as a try.
    _status_check(client, **SRI)
    response = _enter_pin(client, "\u0661\u0662\u0663\u0664\u0665\u0666")
    assert response.status_code == 422
    assert _alerts(response) == ["PIN harus 6 digit angka."]
    assert _household(app, SRI["kk"]).pin_failures == 0
    assert not _audit(app, "kiosk.pin_failed")


def test_household_without_pin_is_told_to_ask_the_operator(app, client, demo):
    with app.app_context():
        # An active household in a voucher program (desil 1-5) that was never given a PIN.
        household = db.session.scalar(
            select(Household)
            .where(
                Household.pin_hash.is_(None),
                Household.status == "active",
                Household.desil <= 5,
                Household.kk_number != SRI["kk"],
            )
            .order_by(Household.id)
        )
        nik = db.session.scalar(
            select(Person.nik).where(Person.household_id == household.id).order_by(Person.id)
        )
        kk = household.kk_number
    _status_check(client, nik, kk)
    response = _enter_pin(client, "123456")
    assert response.status_code == 422
    (message,) = _alerts(response)
    assert "belum punya PIN" in message
    assert "operator desa" in message
    assert not _audit(app, "kiosk.pin_failed")


def test_pin_without_a_visit_goes_home(client):
    token = csrf_from(client.get("/cek-status").data)
    response = client.post("/status/pin", data={"pin": SRI_PIN, "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_pin_without_csrf_token_is_refused(app, client, demo):
    _status_check(client, **SRI)
    response = client.post("/status/pin", data={"pin": SRI_PIN})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(ResidentVisit)).pin_verified_at is None


def test_double_click_on_issue_keeps_the_first_pin(app, client, auth, demo):
    """The second of two identical posts is refused; the first slip's PIN stays valid."""
    auth.login("operator", "demo-operator")
    found = _lookup(client, SRI["kk"])
    data = {"csrf_token": csrf_from(found.data), "versi": _version(found)}
    sri = _household(app, SRI["kk"])
    first = client.post(f"/staf/pin/{sri.id}", data=data)
    second = client.post(f"/staf/pin/{sri.id}", data=data)
    assert first.status_code == 200
    assert second.status_code == 409
    assert "baru saja dibuat" in _text(second)
    pin = re.search(r'<p class="slip-pin">(\d{6})</p>', _text(first)).group(1)
    with app.app_context():
        assert pins.verify_pin(db.session.get(Household, sri.id), pin) == "ok"
    assert len(_audit(app, "kiosk.pin_issued")) == 1


def test_refused_attempts_while_locked_are_audited_without_the_pin(app, demo):
    """Five wrong PINs lock printing; the fifteen tried while locked are audited as well."""
    with app.app_context():
        sri = db.session.scalar(select(Household).where(Household.kk_number == SRI["kk"]))
        sri_id = sri.id
        results = [pins.verify_pin(sri, f"{n:06d}") for n in range(100_000, 100_020)]
    assert results[:5] == ["wrong"] * 4 + ["locked"]
    assert results[5:] == ["locked"] * 15
    failed = _audit(app, "kiosk.pin_failed")
    refused = _audit(app, "kiosk.pin_refused")
    assert len(failed) == 5 and len(refused) == 15
    assert all(json.loads(e.details) == {"reason": "locked"} for e in refused)
    assert all(e.object_id == str(sri_id) for e in failed + refused)
    details = _all_audit_details(app)
    for n in range(100_000, 100_020):
        assert f"{n:06d}" not in details


def test_refused_pins_over_http_are_audited_never_the_pin(app, client, demo, printable):
    _status_check(client, **SRI)
    for _ in range(5):
        _enter_pin(client, "111111")
    for pin in ("222222", SRI_PIN, "12a"):
        assert _enter_pin(client, pin).status_code == 422
    refused = [json.loads(e.details) for e in _audit(app, "kiosk.pin_refused")]
    assert refused == [{"reason": "locked"}, {"reason": "locked"}, {"reason": "format"}]
    details = _all_audit_details(app)
    for pin in ("111111", "222222", SRI_PIN):
        assert pin not in details
