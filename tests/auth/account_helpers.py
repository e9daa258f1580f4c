"""Helpers for the account page tests: demo logins, posting with CSRF, reading the audit log."""

import json
import re

from sqlalchemy import select

from bansos_app.audit.models import AuditEvent
from bansos_app.auth.models import User
from bansos_app.extensions import db
from tests.conftest import AuthActions, csrf_from, page_text

GIRI_KENCANA, URAI = "17.03.12.2003", "17.03.12.2001"
DEMO = {
    "operator_desa": ("operator", "demo-operator"),
    "pendamping": ("pendamping", "demo-pendamping"),
    "dinsos_admin": ("dinsos", "demo-dinsos-admin"),
    "merchant": ("toko", "demo-merchant"),
    "auditor": ("auditor", "demo-auditor"),
    "superadmin": ("admin", "demo-superadmin"),
}
MANAGERS = {"dinsos_admin", "superadmin"}


def uid(app, username) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def account(app, username) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is not None:
            user.village_codes = sorted(r.code for r in user.villages)
            db.session.expunge(user)
        return user


def events(app, action) -> list[dict]:
    """The audit events with this action, details decoded, oldest first."""
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        ).all()
        return [
            {"actor": r.actor_id, "object": r.object_id, "raw": r.details, **json.loads(r.details)}
            for r in rows
        ]


def all_audit_text(app) -> str:
    with app.app_context():
        return " ".join(db.session.scalars(select(AuditEvent.details)).all())


def login_as(app, role):
    """A fresh client logged in with the demo account of this role."""
    client = app.test_client()
    assert AuthActions(client).login(*DEMO[role]).status_code == 303
    return client


def post(client, path, data=None, page="/staf/akun/", **kwargs):
    """POST with a CSRF token taken from a page the client may open."""
    token = csrf_from(client.get(page).data)
    return client.post(path, data={**(data or {}), "csrf_token": token}, **kwargs)


def new_account(client, **fields):
    data = {"username": "sari", "full_name": "Sari Operator", "role": "operator_desa"}
    data.update(fields)
    data.setdefault("villages", [GIRI_KENCANA] if data["role"] == "operator_desa" else [])
    return post(client, "/staf/akun/baru", data, page="/staf/akun/baru")


def shown_password(response) -> str:
    """The generated password in its read-only box (shown once, for copying)."""
    found = re.findall(
        r'class="num-input" id="sandi[-\d]*" type="text" value="([^"]+)"', page_text(response)
    )
    assert len(found) == 1, "one password expected on the page"
    return found[0]
