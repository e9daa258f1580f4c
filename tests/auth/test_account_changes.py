"""Deactivate, reactivate, reset and change passwords; CSRF, bad input and concurrent removals."""

import pytest
from sqlalchemy import func, select

from bansos_app.auth import accounts
from bansos_app.auth.models import User
from bansos_app.extensions import db
from tests.auth.account_helpers import (
    DEMO,
    GIRI_KENCANA,
    account,
    all_audit_text,
    events,
    login_as,
    new_account,
    post,
    shown_password,
    uid,
)
from tests.conftest import AuthActions, page_text, run_at_once

HX = {"HX-Request": "true"}


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


# --- deactivate and reactivate ---------------------------------------------------------------


def test_deactivate_needs_a_reason(app, demo):
    client = login_as(app, "dinsos_admin")
    response = post(client, f"/staf/akun/{uid(app, 'operator')}/nonaktifkan", {"reason": " "})
    assert response.status_code == 422
    assert "Tulis alasan penonaktifan." in page_text(response)
    assert account(app, "operator").active and not events(app, "auth.user_deactivated")


def test_deactivation_ends_open_sessions_and_login_and_is_audited(app, demo):
    operator = login_as(app, "operator_desa")
    assert operator.get("/staf/").status_code == 200
    client = login_as(app, "dinsos_admin")
    path = f"/staf/akun/{uid(app, 'operator')}/nonaktifkan"
    response = post(client, path, {"reason": "Pindah tugas ke kecamatan"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/staf/akun/")
    assert not account(app, "operator").active
    (event,) = events(app, "auth.user_deactivated")
    assert event["reason"] == "Pindah tugas ke kecamatan" and event["actor"] == uid(app, "dinsos")
    # The operator's open session is over, and a new login is refused.
    assert operator.get("/staf/").status_code == 302
    assert AuthActions(app.test_client()).login(*DEMO["operator_desa"]).status_code == 422
    # Deactivated, never deleted: the account is still listed and can come back.
    assert "Nonaktif" in page_text(client.get("/staf/akun/?status=inactive"))
    response = post(client, f"/staf/akun/{uid(app, 'operator')}/aktifkan")
    assert response.status_code == 303 and account(app, "operator").active
    assert len(events(app, "auth.user_reactivated")) == 1
    assert AuthActions(app.test_client()).login(*DEMO["operator_desa"]).status_code == 303


def test_row_actions_with_htmx_swap_only_the_row(app, demo):
    client = login_as(app, "superadmin")
    op = uid(app, "operator")
    form = client.get(f"/staf/akun/{op}/nonaktifkan", headers=HX)
    html = page_text(form)
    assert html.lstrip().startswith(f'<li class="program" id="akun-{op}">')
    assert 'name="reason"' in html and "<html" not in html
    response = post(client, f"/staf/akun/{op}/nonaktifkan", {"reason": "cuti"}, headers=HX)
    html = page_text(response)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith(f'<li class="program state-inactive" id="akun-{op}">')
    response = post(client, f"/staf/akun/{op}/aktifkan", headers=HX)
    assert page_text(response).lstrip().startswith('<li class="program state-receiving"')


def test_nobody_deactivates_themselves(app, demo):
    client = login_as(app, "superadmin")
    response = post(client, f"/staf/akun/{uid(app, 'admin')}/nonaktifkan", {"reason": "x"})
    assert response.status_code == 422
    assert "Anda tidak dapat menonaktifkan akun Anda sendiri." in page_text(response)
    assert account(app, "admin").active


def test_two_superadmins_removing_each_other_at_once_leave_one(app, demo):
    """Each deactivates the other at the same moment: exactly one of them stays active."""
    client = login_as(app, "superadmin")
    new_account(client, username="admin2", role="superadmin", villages=[])
    pair = [uid(app, "admin"), uid(app, "admin2")]

    def remove_the_other(i):
        actor, target = (db.session.get(User, pair[i]), db.session.get(User, pair[1 - i]))
        try:
            accounts.deactivate_account(actor, target, "saling")
            return "done"
        except accounts.AccountError:
            db.session.rollback()
            return "refused"

    assert sorted(run_at_once(app, 2, remove_the_other)) == ["done", "refused"]
    assert [account(app, n).active for n in ("admin", "admin2")].count(True) == 1


def test_the_same_username_created_twice_at_once_is_one_account(app, demo):
    admin = uid(app, "admin")

    def create(_i):
        actor = db.session.get(User, admin)
        try:
            accounts.create_account(actor, "kembar", "Kembar", "merchant")
            return "created"
        except accounts.AccountError as e:
            return e.field

    assert sorted(run_at_once(app, 2, create)) == ["created", "username"]
    assert account(app, "kembar") is not None


# --- reset password ----------------------------------------------------------------------------


def test_reset_shows_a_new_password_once_that_works(app, demo):
    toko = login_as(app, "merchant")
    client = login_as(app, "dinsos_admin")
    response = post(client, f"/staf/akun/{uid(app, 'toko')}/sandi-baru")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = shown_password(response)
    assert len(password) >= 12
    assert password not in page_text(client.get("/staf/akun/"))
    assert password not in all_audit_text(app)
    (event,) = events(app, "auth.password_reset")
    assert event["object"] == str(uid(app, "toko"))
    assert toko.get("/staf/").status_code == 302  # the shop's open session ended
    assert AuthActions(app.test_client()).login("toko", DEMO["merchant"][1]).status_code == 422
    assert AuthActions(app.test_client()).login("toko", password).status_code == 303


def test_reset_with_htmx_shows_the_password_in_the_row(app, demo):
    client = login_as(app, "superadmin")
    response = post(client, f"/staf/akun/{uid(app, 'auditor')}/sandi-baru", headers=HX)
    html = page_text(response)
    assert "<html" not in html and html.lstrip().startswith("<li")
    assert (
        AuthActions(app.test_client()).login("auditor", shown_password(response)).status_code == 303
    )


def test_own_password_is_not_reset_from_the_list(app, demo):
    client = login_as(app, "superadmin")
    response = post(client, f"/staf/akun/{uid(app, 'admin')}/sandi-baru", headers=HX)
    assert response.status_code == 422
    assert "Untuk akun Anda sendiri, pakai Ganti kata sandi." in page_text(response)
    assert client.get("/staf/akun/").status_code == 200  # still logged in
    assert not events(app, "auth.password_reset")


# --- own password ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        ("salah-sekali-123", "kata-sandi-baru-1", "Kata sandi sekarang salah."),
        ("demo-operator", "pendek", "Kata sandi baru paling sedikit 10 huruf."),
        ("demo-operator", "Operator", "Kata sandi baru paling sedikit 10 huruf."),
        ("demo-operator", "beda-sandi-12", "Kedua kata sandi baru tidak sama."),
    ],
)
def test_change_own_password_refusals(app, demo, current, new, message):
    client = login_as(app, "operator_desa")
    confirm = "beda-sandi-99" if new == "beda-sandi-12" else new
    data = {"current": current, "new": new, "confirm": confirm}
    response = post(client, "/staf/kata-sandi", data, page="/staf/kata-sandi")
    assert response.status_code == 422 and message in page_text(response)
    assert AuthActions(app.test_client()).login(*DEMO["operator_desa"]).status_code == 303
    assert not events(app, "auth.password_changed")


def test_new_password_may_not_be_the_username(app, demo, make_user):
    make_user("pendamping.budi", "pendamping")
    client = app.test_client()
    AuthActions(client).login("pendamping.budi", "pendamping.budi-pass-123")
    data = {"current": "pendamping.budi-pass-123", "new": "Pendamping.Budi"}
    response = post(
        client, "/staf/kata-sandi", {**data, "confirm": data["new"]}, "/staf/kata-sandi"
    )
    assert "Kata sandi baru tidak boleh sama dengan nama pengguna." in page_text(response)


def test_change_own_password_keeps_this_session_and_ends_others(app, demo):
    other = login_as(app, "auditor")
    client = login_as(app, "auditor")
    data = {"current": "demo-auditor", "new": "sandi-baru-auditor", "confirm": "sandi-baru-auditor"}
    response = post(client, "/staf/kata-sandi", data, page="/staf/kata-sandi")
    assert response.status_code == 303
    assert "Kata sandi sudah diganti." in page_text(client.get("/staf/kata-sandi"))
    assert other.get("/staf/").status_code == 302
    assert AuthActions(app.test_client()).login("auditor", "sandi-baru-auditor").status_code == 303
    assert len(events(app, "auth.password_changed")) == 1
    assert "sandi-baru-auditor" not in all_audit_text(app)
    assert "demo-auditor" not in all_audit_text(app)


# --- CSRF and bad input --------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/staf/akun/baru", "/staf/akun/{op}", "/staf/akun/{op}/sandi-baru", "/staf/kata-sandi"]
)
def test_every_form_needs_the_csrf_token(app, demo, path):
    client = login_as(app, "superadmin")
    before = events(app, "auth.password_reset")
    data = {"username": "x1234", "full_name": "X", "role": "merchant", "current": "demo-superadmin"}
    response = client.post(path.format(op=uid(app, "operator")), data=data)
    assert response.status_code == 400
    assert account(app, "x1234") is None and events(app, "auth.password_reset") == before
    assert account(app, "operator").full_name == "Operator Desa Giri Kencana"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"full_name": "Sari\x00Operator"}, None),
        ({"username": "s" * 500}, "Nama pengguna paling banyak 60 huruf."),
        ({"username": "sari wahyuni"}, "Nama pengguna 3 sampai 60 huruf"),
        ({"villages": ["17.03.12.9999"]}, "Desa tidak dikenal: 17.03.12.9999"),
        ({"villages": ["17.03.12"]}, "Desa tidak dikenal: 17.03.12"),
        ({"role": "raja"}, "Peran tidak dikenal."),
        ({"full_name": ""}, "Isi nama lengkap."),
        ({"username": "operator"}, "Nama pengguna ini sudah dipakai."),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(app, demo, fields, message):
    client = login_as(app, "superadmin")
    before = user_count(app), all_audit_text(app).count("auth.user")
    response = new_account(client, **fields)
    assert response.status_code == 422
    # A NUL byte may be refused by the form or earlier, at the edge, for every field at once.
    assert message is None or message in page_text(response)
    assert (user_count(app), all_audit_text(app).count("auth.user")) == before


def test_nul_byte_in_an_edit_changes_nothing(app, demo):
    client = login_as(app, "superadmin")
    data = {"full_name": "Bu\x00Sari", "role": "operator_desa", "villages": [GIRI_KENCANA]}
    response = post(client, f"/staf/akun/{uid(app, 'operator')}", data)
    assert response.status_code == 422
    assert account(app, "operator").full_name == "Operator Desa Giri Kencana"
