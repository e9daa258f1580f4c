"""Staff login with lockout, logout, the access check, village scopes and create-user."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from bansos_app.auth.access import PERMISSIONS, can, in_scope, require_village, scope_villages
from bansos_app.auth.models import ROLES, User
from bansos_app.extensions import db
from bansos_app.models_base import utcnow
from tests.conftest import csrf_from

GENERIC = "Nama pengguna atau kata sandi salah."
# A locked account gets the same words as a wrong password, so lockouts reveal no usernames.
LOCK_RULE = "Setelah 5 kali salah, akun dikunci 15 menit."
GIRI_KENCANA, URAI = "17.03.12.2003", "17.03.12.2001"


def _user(app, username) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge(user)
        return user


def _set_locked_until(app, username, when) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        user.locked_until = when
        db.session.commit()


# --- login and the staff home ---------------------------------------------------------------


def test_login_page_renders(client):
    response = client.get("/staf/masuk")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Masuk staf" in html
    assert 'name="username"' in html and 'name="password"' in html
    assert 'name="csrf_token"' in html
    assert response.headers["Cache-Control"] == "no-store"


def test_staff_home_needs_login(client):
    response = client.get("/staf/")
    assert response.status_code == 302
    assert "/staf/masuk" in response.headers["Location"]


def test_good_login_shows_role_and_villages_with_counts(client, auth, make_user, make_household):
    make_user("sari", "operator_desa", villages=(GIRI_KENCANA,))
    make_household(village=GIRI_KENCANA, status="active")
    make_household(village=GIRI_KENCANA, status="blocked")
    make_household(village=URAI)  # outside Sari's scope

    response = auth.login("sari", "sari-pass-123")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/staf/")

    home = client.get("/staf/")
    assert home.status_code == 200
    html = home.get_data(as_text=True)
    assert "Operator desa" in html
    assert "Giri Kencana" in html and GIRI_KENCANA in html
    assert "Urai" not in html
    # One active household out of two in Giri Kencana.
    assert '<td class="num">1</td><td class="num">2</td>' in html


def test_district_role_sees_every_village(client, auth, make_user, make_household):
    make_user("dinas", "dinsos_admin")
    make_household(village=URAI)
    auth.login("dinas", "dinas-pass-123")
    html = client.get("/staf/").get_data(as_text=True)
    assert "Admin Dinas Sosial" in html
    # The home shows 220 villages a page at a time; a search finds any of them.
    for name in ("Giri Kencana", "Urai", "Air Petai"):
        assert name in client.get("/staf/", query_string={"desa": name}).get_data(as_text=True)


def test_logged_in_user_visiting_login_goes_home(client, auth, make_user):
    make_user("sari")
    auth.login("sari", "sari-pass-123")
    response = client.get("/staf/masuk")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staf/")


@pytest.mark.parametrize(
    ("username", "password"),
    [("sari", "wrong-password"), ("nobody", "whatever-123"), ("SARI", "wrong-password")],
)
def test_failed_login_gives_one_generic_message(client, auth, make_user, username, password):
    make_user("sari")
    response = auth.login(username, password)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count(GENERIC) == 1
    assert LOCK_RULE in html
    assert client.get("/staf/").status_code == 302  # still not logged in


def test_username_is_case_insensitive(auth, make_user):
    make_user("sari")
    assert auth.login("Sari", "sari-pass-123").status_code == 303


def test_empty_form_is_refused_with_field_messages(client):
    page = client.get("/staf/masuk")
    response = client.post("/staf/masuk", data={"csrf_token": csrf_from(page.data)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Isi nama pengguna." in html and "Isi kata sandi." in html


def test_inactive_account_cannot_log_in(app, auth, make_user):
    make_user("sari")
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "sari")).active = False
        db.session.commit()
    response = auth.login("sari", "sari-pass-123")
    assert response.status_code == 422
    assert GENERIC in response.get_data(as_text=True)


def _alert(response) -> str:
    html = response.get_data(as_text=True)
    return html[html.index('class="alert"') : html.index("</p>", html.index('class="alert"'))]


def test_lockout_after_five_failures(app, client, auth, make_user):
    make_user("sari")
    for _ in range(4):
        response = auth.login("sari", "wrong-password")
        assert GENERIC in response.get_data(as_text=True)
    response = auth.login("sari", "wrong-password")
    assert response.status_code == 422
    assert GENERIC in response.get_data(as_text=True)
    assert _user(app, "sari").locked_until is not None

    # Even the right password is refused while the lock lasts.
    locked = auth.login("sari", "sari-pass-123")
    assert locked.status_code == 422
    unknown = auth.login("nobody", "sari-pass-123")
    assert _alert(locked) == _alert(unknown)  # indistinguishable from an unknown user
    assert client.get("/staf/").status_code == 302

    # Once the lock time has passed, the right password works again.
    _set_locked_until(app, "sari", utcnow() - timedelta(minutes=1))
    response = auth.login("sari", "sari-pass-123")
    assert response.status_code == 303
    assert client.get("/staf/").status_code == 200
    user = _user(app, "sari")
    assert user.failed_logins == 0 and user.locked_until is None


def test_lockout_is_recorded_in_the_audit_log(app, auth, make_user):
    from bansos_app.audit.models import AuditEvent

    make_user("sari")
    for _ in range(5):
        auth.login("sari", "wrong-password")
    with app.app_context():
        # Only the account's events: loading the regions for the fixture is audited too.
        query = select(AuditEvent.action).where(AuditEvent.action.startswith("auth."))
        actions = db.session.scalars(query.order_by(AuditEvent.seq)).all()
    assert actions == ["auth.user_created"] + ["auth.failed"] * 4 + ["auth.locked"]


# --- logout and CSRF ------------------------------------------------------------------------


def test_logout_needs_post(client, auth, make_user):
    make_user("sari")
    auth.login("sari", "sari-pass-123")
    assert client.get("/staf/keluar").status_code == 405
    assert client.get("/staf/").status_code == 200  # still logged in


def test_logout_without_csrf_is_refused(client, auth, make_user):
    make_user("sari")
    auth.login("sari", "sari-pass-123")
    response = client.post("/staf/keluar")
    assert response.status_code == 400
    assert client.get("/staf/").status_code == 200


def test_logout_with_csrf(client, auth, make_user):
    make_user("sari")
    auth.login("sari", "sari-pass-123")
    response = auth.logout()
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/staf/masuk")
    assert client.get("/staf/").status_code == 302


def test_login_without_csrf_gets_the_400_page(client, make_user):
    make_user("sari")
    response = client.post("/staf/masuk", data={"username": "sari", "password": "sari-pass-123"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Sesi formulir sudah kedaluwarsa" in html
    assert "Traceback" not in html and "CSRFError" not in html
    assert client.get("/staf/").status_code == 302


def test_login_with_a_forged_csrf_token_gets_the_400_page(client, make_user):
    make_user("sari")
    client.get("/staf/masuk")
    response = client.post(
        "/staf/masuk",
        data={"username": "sari", "password": "sari-pass-123", "csrf_token": "forged"},
    )
    assert response.status_code == 400
    assert "Sesi formulir sudah kedaluwarsa" in response.get_data(as_text=True)


# --- the access check -----------------------------------------------------------------------

# The intended matrix, written out rather than copied from PERMISSIONS.
EXPECTED = {
    "staff.home": set(ROLES),
    "registry.view": {"operator_desa", "pendamping", "dinsos_admin", "auditor", "superadmin"},
    "registry.edit": {"operator_desa", "pendamping", "dinsos_admin", "superadmin"},
    "kiosk.pin": {"operator_desa", "dinsos_admin", "superadmin"},
    "devices.manage": {"operator_desa", "dinsos_admin", "superadmin"},
    "audit.view": {"auditor", "dinsos_admin", "superadmin"},
    "users.manage": {"dinsos_admin", "superadmin"},
    "jobs.evaluate": {"dinsos_admin", "superadmin"},
    "jobs.view_all": {"dinsos_admin", "superadmin"},
    "rules.view": {"dinsos_admin", "auditor", "superadmin"},
    "rules.manage": {"dinsos_admin", "superadmin"},
    "recipients.view": {"operator_desa", "pendamping", "dinsos_admin", "auditor", "superadmin"},
    "recipients.manage": {"dinsos_admin", "superadmin"},
    "vouchers.view": {"operator_desa", "pendamping", "dinsos_admin", "auditor", "superadmin"},
    "vouchers.issue": {"dinsos_admin", "superadmin"},
    "vouchers.print": {"operator_desa", "dinsos_admin", "superadmin"},
    "merchant.redeem": {"merchant"},
    "redemptions.reverse": {"dinsos_admin", "superadmin"},
    "settlements.view": {"dinsos_admin", "auditor", "superadmin"},
    "settlements.manage": {"dinsos_admin", "superadmin"},
    "merchants.manage": {"dinsos_admin", "superadmin"},
    # Usul-sanggah: village staff enter tickets for residents; the village operator verifies
    # (field check, musdes); Dinsos decides. Nobody else takes those steps.
    "tickets.view": {"operator_desa", "pendamping", "dinsos_admin", "auditor", "superadmin"},
    "tickets.submit": {"operator_desa", "pendamping"},
    "tickets.verify": {"operator_desa"},
    "tickets.decide": {"dinsos_admin", "superadmin"},
}


def test_matrix_covers_every_permission():
    assert set(EXPECTED) == set(PERMISSIONS)


@pytest.mark.parametrize("permission", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(role, permission):
    user = User(username="u", role=role, active=True)
    assert can(user, permission) is (role in EXPECTED[permission])


@pytest.mark.parametrize("permission", sorted(EXPECTED))
def test_anonymous_has_no_permission(permission):
    from flask_login import AnonymousUserMixin

    assert can(AnonymousUserMixin(), permission) is False


def test_unknown_permission_is_refused():
    assert can(User(username="u", role="superadmin", active=True), "no.such.perm") is False


def test_deactivated_user_has_no_permission():
    assert can(User(username="u", role="superadmin", active=False), "staff.home") is False


def test_object_without_login_state_is_refused():
    assert can(SimpleNamespace(role="superadmin"), "staff.home") is False


# --- village scopes -------------------------------------------------------------------------


def test_operator_scope_is_its_villages(app, make_user):
    uid = make_user("sari", "operator_desa", villages=(GIRI_KENCANA, URAI))
    with app.app_context():
        user = db.session.get(User, uid)
        codes = [r.code for r in db.session.scalars(scope_villages(user))]
        assert codes == [URAI, GIRI_KENCANA]
        assert in_scope(user, GIRI_KENCANA) and in_scope(user, URAI)
        assert not in_scope(user, "17.03.14.2017")


def test_dinsos_admin_scope_is_every_village(app, make_user):
    from bansos_app.registry.models import Region

    uid = make_user("dinas", "dinsos_admin")
    with app.app_context():
        user = db.session.get(User, uid)
        assert user.villages == []
        codes = db.session.scalars(scope_villages(user)).all()
        all_villages = db.session.scalars(select(Region).where(Region.level == 4)).all()
        assert len(codes) == len(all_villages) > 200
        assert in_scope(user, "17.03.14.2017") and in_scope(user, GIRI_KENCANA)


def test_merchant_scope_is_empty(app, make_user):
    uid = make_user("toko", "merchant")
    with app.app_context():
        user = db.session.get(User, uid)
        assert db.session.scalars(scope_villages(user)).all() == []
        assert not in_scope(user, GIRI_KENCANA)


def test_require_village_aborts_outside_scope(app, make_user):
    from werkzeug.exceptions import Forbidden

    uid = make_user("sari", "operator_desa", villages=(GIRI_KENCANA,))
    with app.app_context():
        user = db.session.get(User, uid)
        require_village(user, GIRI_KENCANA)  # no error
        with pytest.raises(Forbidden):
            require_village(user, URAI)


# --- flask bansos create-user ---------------------------------------------------------------

PASSWORD_INPUT = "rahasia-panjang-1\nrahasia-panjang-1\n"


def _create_user(runner, *args, password_input=PASSWORD_INPUT):
    return runner.invoke(args=["bansos", "create-user", *args], input=password_input)


def _usernames(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(User.username)).all()


def test_create_user_cli(app, runner, auth, regions):
    result = _create_user(
        runner, "--username", "budi", "--role", "operator_desa", "--village", GIRI_KENCANA
    )
    assert result.exit_code == 0, result.output
    assert "Created budi (operator_desa)" in result.output
    user = _user(app, "budi")
    assert user.role == "operator_desa"
    assert "rahasia" not in user.password_hash
    assert auth.login("budi", "rahasia-panjang-1").status_code == 303


def test_create_user_cli_district_role_needs_no_village(runner, regions):
    result = _create_user(runner, "--username", "dinas", "--role", "dinsos_admin")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "password_input", "message"),
    [
        pytest.param(
            ["--username", "budi", "--role", "lurah"], PASSWORD_INPUT, "unknown role", id="role"
        ),
        pytest.param(
            ["--username", "budi", "--role", "auditor"],
            "pendek\npendek\n",
            "at least 10 characters",
            id="short-password",
        ),
        pytest.param(
            ["--username", "budi", "--role", "operator_desa"],
            PASSWORD_INPUT,
            "village roles need",
            id="no-village",
        ),
        pytest.param(
            ["--username", "budi", "--role", "pendamping", "--village", "17.03.12.9999"],
            PASSWORD_INPUT,
            "village roles need",
            id="unknown-village",
        ),
        pytest.param(
            ["--username", "budi", "--role", "pendamping", "--village", "17.03.12"],
            PASSWORD_INPUT,
            "village roles need",
            id="kecamatan-not-village",
        ),
    ],
)
def test_create_user_cli_refuses_bad_input(app, runner, regions, args, password_input, message):
    result = _create_user(runner, *args, password_input=password_input)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert _usernames(app) == []


def test_create_user_cli_refuses_a_taken_username(app, runner, make_user):
    make_user("budi", "auditor")
    result = _create_user(runner, "--username", "BUDI", "--role", "auditor")
    assert result.exit_code != 0
    assert "taken" in result.output
    assert _usernames(app) == ["budi"]


def test_login_with_an_expired_csrf_token_gets_the_400_page(client, make_user, monkeypatch):
    from itsdangerous import TimestampSigner

    make_user("sari")
    real = TimestampSigner.get_timestamp
    # The form was served two hours ago (the limit is one hour).
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - 7200)
    token = csrf_from(client.get("/staf/masuk").data)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    response = client.post(
        "/staf/masuk", data={"username": "sari", "password": "sari-pass-123", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "Sesi formulir sudah kedaluwarsa" in response.get_data(as_text=True)
    assert client.get("/staf/").status_code == 302
