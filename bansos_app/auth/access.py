"""The one access check every staff view uses: permissions by role, villages by scope."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

from ..registry.models import Region
from .models import VILLAGE_ROLES

# Which roles hold which permission. Views name a permission, never a role.
PERMISSIONS = {
    "staff.home": {
        "operator_desa",
        "pendamping",
        "dinsos_admin",
        "merchant",
        "auditor",
        "superadmin",
    },
    "registry.view": {"operator_desa", "pendamping", "dinsos_admin", "auditor", "superadmin"},
    "registry.edit": {"operator_desa", "pendamping", "dinsos_admin", "superadmin"},
    "kiosk.pin": {"operator_desa", "dinsos_admin", "superadmin"},
    "devices.manage": {"operator_desa", "dinsos_admin", "superadmin"},
    "audit.view": {"auditor", "dinsos_admin", "superadmin"},
    # Dinsos manages village staff and shops only: auth/accounts.py narrows it per account.
    "users.manage": {"dinsos_admin", "superadmin"},
    "jobs.evaluate": {"dinsos_admin", "superadmin"},
    # Anyone follows the jobs they started; these roles follow every job.
    "jobs.view_all": {"dinsos_admin", "superadmin"},
    "rules.view": {"dinsos_admin", "auditor", "superadmin"},
    "rules.manage": {"dinsos_admin", "superadmin"},
    # Recipient lists (penetapan): Dinsos fixes them; villages read their own rows only.
    "recipients.view": {"operator_desa", "pendamping", "dinsos_admin", "auditor", "superadmin"},
    "recipients.manage": {"dinsos_admin", "superadmin"},
    # Periods and issuance are Dinsos work; villages follow and print their own slips.
    "vouchers.view": {"operator_desa", "pendamping", "dinsos_admin", "auditor", "superadmin"},
    "vouchers.issue": {"dinsos_admin", "superadmin"},
    "vouchers.print": {"operator_desa", "dinsos_admin", "superadmin"},
    # A shop account redeems, undoes its own redemptions (10 minutes) and submits settlement.
    "merchant.redeem": {"merchant"},
    # Reversing a redemption after the shop's 10 minutes, and settling with shops.
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


def can(user, permission: str) -> bool:
    """Return whether the user's role holds the permission."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.role in PERMISSIONS.get(permission, ())


def requires(permission: str):
    """Decorate a view: log in first, then 403 unless the role holds the permission."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def scoped_village_codes(user) -> list[str] | None:
    """Return the village codes a user may act on, or None meaning every village."""
    if user.role in VILLAGE_ROLES:
        return [v.code for v in user.villages]
    if user.role == "merchant":
        return []
    return None


def in_scope(user, village_code: str) -> bool:
    """Return whether the village is inside the user's scope."""
    codes = scoped_village_codes(user)
    return codes is None or village_code in codes


def scope_villages(user):
    """Select the villages in the user's scope (all villages for district roles)."""
    codes = scoped_village_codes(user)
    query = select(Region).where(Region.level == 4)
    if codes is not None:
        query = query.where(Region.code.in_(codes))
    return query.order_by(Region.code)


def require_village(user, village_code: str) -> None:
    """Abort with 403 when the village is outside the user's scope."""
    if not in_scope(user, village_code):
        abort(403)
