"""Manage staff accounts: create, change, deactivate, reactivate, reset and change passwords.

Every function takes the acting user, checks that the actor may manage the account (403
otherwise), and records an audit event in the same transaction. Passwords never reach the log.
"""

import secrets

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..extensions import db
from ..locking import lock_row
from ..registry.models import Region
from .models import ROLES, VILLAGE_ROLES, User

# The roles each managing role may give and whose accounts it may change. Dinsos runs the
# village staff and shops; only a superadmin touches district, audit and superadmin accounts.
MANAGED_ROLES = {
    "superadmin": ROLES,
    "dinsos_admin": ("operator_desa", "pendamping", "merchant"),
}
MIN_PASSWORD = 10
# No 0/o, 1/l/i: a reset password is read aloud or copied from the screen by hand.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class AccountError(Exception):
    """Input the service refuses, with the form field it belongs to and a message to show."""

    def __init__(self, field: str, message):
        super().__init__(field)
        self.field, self.message = field, message


def manageable_roles(actor) -> tuple[str, ...]:
    """Return the roles the actor may give and manage (empty for everyone else)."""
    return MANAGED_ROLES.get(actor.role, ())


def can_manage(actor, user: User) -> bool:
    """Return whether the actor may see and change this account."""
    return user.role in manageable_roles(actor)


def _authorise(actor, user: User | None = None, role: str | None = None) -> None:
    """Abort with 403 unless the actor may manage the account and give the role."""
    if user is not None and not can_manage(actor, user):
        abort(403)
    if role is not None and role not in manageable_roles(actor):
        abort(403)


def accounts_query(actor, q: str = "", role: str = "", status: str = ""):
    """Select the accounts the actor manages, filtered by name, role and active state."""
    query = select(User).where(User.role.in_(manageable_roles(actor)))
    if q:
        # autoescape: a typed % or _ is a character to find, not a wildcard.
        text = q.lower()
        query = query.where(
            or_(
                func.lower(User.username).contains(text, autoescape=True),
                func.lower(User.full_name).contains(text, autoescape=True),
            )
        )
    if role in ROLES:
        query = query.where(User.role == role)
    if status in ("active", "inactive"):
        query = query.where(User.active.is_(status == "active"))
    return query.order_by(User.active.desc(), func.lower(User.username))


def _villages(role: str, codes) -> list[Region]:
    """Return the regions for a role: one or more known villages for village roles, else none."""
    codes = sorted(set(codes or ()))
    if role not in VILLAGE_ROLES:
        if codes:
            raise AccountError(
                "villages", _l("Peran ini tidak terikat desa; kosongkan pilihan desa.")
            )
        return []
    if not codes:
        raise AccountError("villages", _l("Pilih paling sedikit satu desa untuk peran ini."))
    regions = db.session.scalars(
        select(Region).where(Region.code.in_(codes), Region.level == 4)
    ).all()
    if len(regions) != len(codes):
        unknown = sorted(set(codes) - {r.code for r in regions})
        message = _l("Desa tidak dikenal: %(codes)s", codes=", ".join(unknown))
        raise AccountError("villages", message)
    return list(regions)


def _lock(user: User) -> User:
    """Lock the account's row; for a superadmin, every superadmin's row first, in id order.

    Two superadmins deactivating each other at once then queue instead of deadlocking, and the
    second one sees that the first left only itself.
    """
    if user.role == "superadmin":
        query = select(User.id).where(User.role == "superadmin").order_by(User.id)
        db.session.execute(query.with_for_update()).all()
    return lock_row(User, user.id)


def _keep_a_superadmin(user: User) -> None:
    """Refuse a change that would leave no active superadmin (rows locked by _lock)."""
    if user.role != "superadmin" or not user.active:
        return
    others = select(func.count()).where(
        User.role == "superadmin", User.active.is_(True), User.id != user.id
    )
    if not db.session.scalar(others):
        raise AccountError("role", _l("Ini superadmin aktif terakhir; tambahkan yang lain dulu."))


def generate_password() -> str:
    """Return a random readable password: three groups of four, about 59 bits."""
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def create_account(actor, username: str, full_name: str, role: str, villages=()):
    """Create an account with a generated password; return (user, password) to show once."""
    _authorise(actor, role=role)
    taken = select(User).where(func.lower(User.username) == username.lower())
    if db.session.scalar(taken):
        raise AccountError("username", _l("Nama pengguna ini sudah dipakai."))
    regions = _villages(role, villages)
    password = generate_password()
    user = User(username=username, full_name=full_name, role=role, villages=regions)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:
        # The same name created at the same moment by someone else: a taken name, not a 500.
        db.session.rollback()
        raise AccountError("username", _l("Nama pengguna ini sudah dipakai.")) from None
    record(actor, "auth.user_created", user, role=role, villages=[r.code for r in regions])
    db.session.commit()
    return user, password


def update_account(actor, user: User, full_name: str, role: str, villages=()) -> User:
    """Change an account's name, role and villages; nobody changes their own role."""
    _authorise(actor, user, role)
    if role != user.role and actor.id == user.id:
        raise AccountError("role", _l("Anda tidak dapat mengubah peran akun Anda sendiri."))
    regions = _villages(role, villages)
    user = _lock(user)
    if role != user.role:
        _keep_a_superadmin(user)
    before = {"full_name": user.full_name, "role": user.role, "villages": _codes(user)}
    user.full_name, user.role, user.villages = full_name, role, regions
    after = {"full_name": full_name, "role": role, "villages": _codes(user)}
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    record(actor, "auth.user_updated", user, changes=changed)
    db.session.commit()
    return user


def _codes(user: User) -> list[str]:
    return sorted(r.code for r in user.villages)


def deactivate_account(actor, user: User, reason: str) -> User:
    """Deactivate an account (never delete it) and end its open sessions."""
    _authorise(actor, user)
    if actor.id == user.id:
        raise AccountError("reason", _l("Anda tidak dapat menonaktifkan akun Anda sendiri."))
    user = _lock(user)
    _keep_a_superadmin(user)
    if user.active:
        user.active = False
        user.session_version += 1
        record(actor, "auth.user_deactivated", user, reason=reason)
        db.session.commit()
    return user


def reactivate_account(actor, user: User) -> User:
    """Let a deactivated account log in again."""
    _authorise(actor, user)
    user = lock_row(User, user.id)
    if not user.active:
        user.active, user.failed_logins, user.locked_until = True, 0, None
        record(actor, "auth.user_reactivated", user)
        db.session.commit()
    return user


def reset_password(actor, user: User) -> str:
    """Give the account a new generated password, end its sessions, and return it once."""
    _authorise(actor, user)
    if actor.id == user.id:
        # It would also end the actor's own session right after showing the password.
        raise AccountError("password", _l("Untuk akun Anda sendiri, pakai Ganti kata sandi."))
    user = lock_row(User, user.id)
    password = generate_password()
    user.set_password(password)
    user.session_version += 1
    user.failed_logins, user.locked_until = 0, None
    record(actor, "auth.password_reset", user)
    db.session.commit()
    return password


def password_problem(user: User, password: str):
    """Return why a new password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD:
        return _l("Kata sandi baru paling sedikit %(n)d huruf.", n=MIN_PASSWORD)
    if password.strip().lower() == user.username.lower():
        return _l("Kata sandi baru tidak boleh sama dengan nama pengguna.")
    return None


def change_own_password(user: User, current: str, new: str) -> User:
    """Change one's own password after checking the current one; other sessions end."""
    if not user.check_password(current):
        record(user, "auth.password_change_refused", user)
        db.session.commit()
        raise AccountError("current", _l("Kata sandi sekarang salah."))
    problem = password_problem(user, new)
    if problem:
        raise AccountError("new", problem)
    user = lock_row(User, user.id)
    user.set_password(new)
    user.session_version += 1
    record(user, "auth.password_changed", user)
    db.session.commit()
    return user
