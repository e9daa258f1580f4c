"""Login under attack: parallel guesses, timing, the per-address limit, and logout everywhere."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from bansos_app.audit.models import AuditEvent
from bansos_app.auth import services
from bansos_app.auth.models import User
from bansos_app.extensions import db
from bansos_app.models_base import utcnow
from tests.conftest import csrf_from, run_at_once


def _auth_actions(app) -> list[str]:
    with app.app_context():
        query = select(AuditEvent.action).where(AuditEvent.action.startswith("auth."))
        return db.session.scalars(query.order_by(AuditEvent.seq)).all()


# --- parallel wrong passwords ---------------------------------------------------------------


def test_parallel_wrong_passwords_are_all_counted_and_lock(app, make_user, monkeypatch):
    """Twenty guesses at once against a limit of twenty: every one counts, so the last locks."""
    threads = 20
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", threads)
    uid = make_user("sari")
    results = run_at_once(app, threads, lambda _i: services.authenticate("sari", "wrong-password"))
    assert results == [None] * threads
    with app.app_context():
        user = db.session.get(User, uid)
        assert user.locked_until is not None and user.locked_until > utcnow()
        assert user.failed_logins == 0  # reset when the lock was set
    assert _auth_actions(app) == ["auth.user_created"] + ["auth.failed"] * (threads - 1) + [
        "auth.locked"
    ]


# --- one hash per attempt, whoever asks -----------------------------------------------------


@pytest.fixture
def hash_calls(monkeypatch):
    """Count the password hash checks that authenticate makes."""
    calls = []
    real = services.check_password_hash

    def counting(pwhash, password):
        calls.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(services, "check_password_hash", counting)
    return calls


@pytest.mark.parametrize(
    ("username", "password", "locked", "logged_in"),
    [
        pytest.param("nobody", "sari-pass-123", False, False, id="unknown"),
        pytest.param("sari", "wrong-password", False, False, id="wrong"),
        pytest.param("sari", "sari-pass-123", False, True, id="right"),
        pytest.param("sari", "wrong-password", True, False, id="locked-wrong"),
        pytest.param("sari", "sari-pass-123", True, False, id="locked-right"),
    ],
)
def test_every_attempt_hashes_exactly_once(
    app, make_user, hash_calls, username, password, locked, logged_in
):
    """Timing cannot tell unknown, locked and ordinary accounts apart: each costs one hash."""
    uid = make_user("sari")
    with app.app_context():
        if locked:
            db.session.get(User, uid).locked_until = utcnow() + timedelta(minutes=10)
            db.session.commit()
        hash_calls.clear()
        user = services.authenticate(username, password)
        assert (user is not None) is logged_in
    assert len(hash_calls) == 1


# --- the per-address limit on login POSTs ---------------------------------------------------


def test_twenty_first_login_post_from_one_address_gets_the_429_page(client, make_user):
    make_user("sari")
    token = csrf_from(client.get("/staf/masuk").data)
    codes = []
    for i in range(21):
        # Different names share the one address limit: spreading guesses over accounts won't do.
        response = client.post(
            "/staf/masuk",
            data={"username": f"user{i}", "password": "wrong-password", "csrf_token": token},
        )
        codes.append(response.status_code)
    assert codes == [422] * 20 + [429]
    html = response.get_data(as_text=True)
    assert '<p class="error-code">429</p>' in html
    assert "Terlalu banyak percobaan" in html
    assert "Traceback" not in html
    assert client.get("/staf/masuk").status_code == 200  # only the POST is limited
    # Another address is not affected.
    other = client.post(
        "/staf/masuk",
        data={"username": "sari", "password": "sari-pass-123", "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert other.status_code == 303


# --- logout ends the session everywhere -----------------------------------------------------


def test_copied_session_cookie_stops_working_after_logout(app, client, auth, make_user):
    uid = make_user("sari")
    auth.login("sari", "sari-pass-123")
    copied = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/staf/").status_code == 200  # the copy works while the session lasts

    assert auth.logout().status_code == 303
    thief.set_cookie("session", copied)
    response = thief.get("/staf/")
    assert response.status_code == 302
    assert "/staf/masuk" in response.headers["Location"]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.logout"))
        assert event.actor_id == uid
        assert db.session.get(User, uid).session_version == 1

    # Logging in again works, with the new version.
    assert auth.login("sari", "sari-pass-123").status_code == 303
    assert client.get("/staf/").status_code == 200


def test_logout_without_a_session_just_goes_to_login(client):
    token = csrf_from(client.get("/staf/masuk").data)
    response = client.post("/staf/keluar", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/staf/masuk")


@pytest.mark.parametrize(
    "session_id",
    [
        "{uid}",  # the format before session versions: log in again
        "{uid}:1",  # a version that was never issued (or was ended by a logout)
        "{uid}:x",
        "x:0",
        "{uid}:0:0",
        "{uid}:",
        ":0",
        "",
        "\u00b2:0",  # a digit that int() refuses
        "9" * 25 + ":0",  # beyond any integer column
    ],
)
def test_odd_session_ids_mean_nobody_is_logged_in(client, make_user, session_id):
    uid = make_user("sari")
    with client.session_transaction() as session:
        session["_user_id"] = session_id.format(uid=uid)
        session["_fresh"] = True
    response = client.get("/staf/")
    assert response.status_code == 302
    assert "/staf/masuk" in response.headers["Location"]


def test_current_session_id_is_logged_in(client, make_user):
    uid = make_user("sari")
    with client.session_transaction() as session:
        session["_user_id"] = f"{uid}:0"
        session["_fresh"] = True
    assert client.get("/staf/").status_code == 200
