"""Log staff in with lockout, and create accounts."""

import functools
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit.services import record
from ..extensions import db
from ..locking import lock_row
from ..models_base import sha256_hex, utcnow
from ..registry.models import Region
from .models import ROLES, VILLAGE_ROLES, User, hash_method


@functools.cache
def _dummy_hash(method: str) -> str:
    """A real hash of a random string at the configured cost, checked for unknown users."""
    return generate_password_hash(secrets.token_hex(16), method=method)


class AuthError(Exception):
    """A login or account problem with a message fit to show the user."""


def authenticate(username: str, password: str) -> User | None:
    """Return the user when the password is right; count failures and lock repeated ones.

    The caller shows one generic message for every failure so that usernames cannot be probed.
    """
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if user is None or not user.active:
        # Hash and write anyway so that unknown names take as long as known ones; the name
        # itself is not kept, only a short digest to see repeated guesses.
        check_password_hash(_dummy_hash(hash_method()), password)
        record(
            None, "auth.failed_unknown", object_type="user", name=sha256_hex(username.lower())[:16]
        )
        db.session.commit()
        return None
    # Hashed once on every path, locked or not, so that timing cannot tell a locked account;
    # and before the row lock, so that concurrent attempts queue only for the counter update.
    password_ok = check_password_hash(user.password_hash, password)
    # Concurrent wrong passwords must each be counted: read the counters fresh under a lock.
    user = lock_row(User, user.id)
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        record(None, "auth.refused_locked", user)
        db.session.commit()
        return None
    if password_ok:
        user.failed_logins, user.locked_until = 0, None
        record(user, "auth.login", user)
        db.session.commit()
        return user
    user.failed_logins += 1
    if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
        user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        user.failed_logins = 0
        record(None, "auth.locked", user, failures=current_app.config["LOGIN_MAX_FAILURES"])
    else:
        record(None, "auth.failed", user)
    db.session.commit()
    return None


def log_out(user: User) -> None:
    """End the user's session everywhere: cookies naming the old session version stop working."""
    user = lock_row(User, user.id)
    user.session_version += 1
    record(user, "auth.logout", user)
    db.session.commit()


def create_user(
    actor, username: str, password: str, role: str, villages=(), full_name: str = ""
) -> User:
    """Create a staff account; village roles need at least one known village."""
    if role not in ROLES:
        raise AuthError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if len(password) < 10:
        raise AuthError("password must have at least 10 characters")
    if db.session.scalar(select(User).where(func.lower(User.username) == username.lower())):
        raise AuthError(f"username {username!r} is taken")
    regions = []
    if role in VILLAGE_ROLES:
        regions = db.session.scalars(
            select(Region).where(Region.code.in_(list(villages)), Region.level == 4)
        ).all()
        if not regions or len(regions) != len(set(villages)):
            raise AuthError("village roles need one or more known village codes (PP.KK.CC.VVVV)")
    user = User(username=username, role=role, full_name=full_name or username, villages=regions)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor, "auth.user_created", user, role=role, villages=[r.code for r in regions])
    db.session.commit()
    return user
