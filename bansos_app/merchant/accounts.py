"""Shop accounts: a shop (kind, village) together with the login it is run from.

Each function takes the acting user, writes its audit events and commits in one transaction:
a shop never exists without its account, nor an account of a shop half made.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..auth.accounts import generate_password
from ..auth.models import User
from ..extensions import db
from ..locking import lock_row
from ..registry.models import Region
from ..vouchers.models import Redemption
from .models import MERCHANT_KINDS, Merchant


class MerchantError(Exception):
    """Input refused, with the form field it belongs to and a message to show."""

    def __init__(self, field: str, message):
        super().__init__(field)
        self.field, self.message = field, message


def merchants_query(kind: str = "", village: str = "", status: str = ""):
    """Select shops with their account and village name, filtered by kind, village, state."""
    query = (
        select(Merchant, User, Region.name)
        .outerjoin(User, User.id == Merchant.user_id)
        .join(Region, Region.code == Merchant.village_code)
    )
    if kind in MERCHANT_KINDS:
        query = query.where(Merchant.kind == kind)
    if village:
        query = query.where(Merchant.village_code == village)
    if status in ("active", "inactive"):
        query = query.where(Merchant.active.is_(status == "active"))
    return query.order_by(Merchant.active.desc(), Region.name, func.lower(Merchant.name))


def _check(kind: str, village_code: str) -> None:
    if kind not in MERCHANT_KINDS:
        raise MerchantError("kind", _l("Pilihan tidak tersedia."))
    known = select(Region.code).where(Region.code == village_code, Region.level == 4)
    if not db.session.scalar(known):
        raise MerchantError("village", _l("Desa tidak dikenal: %(codes)s", codes=village_code))


def create_merchant(actor, name: str, kind: str, village_code: str, username: str):
    """Create a shop and its shop account; return (merchant, password) to show once."""
    _check(kind, village_code)
    taken = select(User.id).where(func.lower(User.username) == username.lower())
    if db.session.scalar(taken):
        raise MerchantError("username", _l("Nama pengguna ini sudah dipakai."))
    password = generate_password()
    user = User(username=username, full_name=name, role="merchant", villages=[])
    user.set_password(password)
    merchant = Merchant(name=name, kind=kind, village_code=village_code, user=user)
    db.session.add_all([user, merchant])
    try:
        db.session.flush()
    except IntegrityError:
        # The same username created at the same moment elsewhere: a taken name, not a 500.
        db.session.rollback()
        raise MerchantError("username", _l("Nama pengguna ini sudah dipakai.")) from None
    record(actor, "auth.user_created", user, role="merchant", villages=[])
    record(
        actor,
        "merchants.created",
        merchant,
        name=name,
        kind=kind,
        village=village_code,
        user=user.id,
    )
    db.session.commit()
    return merchant, password


def _has_redemptions(merchant: Merchant) -> bool:
    return (
        db.session.scalar(select(Redemption.id).filter_by(merchant_id=merchant.id).limit(1))
        is not None
    )


def update_merchant(actor, merchant: Merchant, name: str, kind: str, village_code: str):
    """Change a shop's name, kind and village; the kind stays once the shop has redeemed."""
    _check(kind, village_code)
    merchant = lock_row(Merchant, merchant.id)
    if kind != merchant.kind and _has_redemptions(merchant):
        # Its redemptions and settlements belong to the program of the kind it had.
        raise MerchantError("kind", _l("Jenis toko tidak dapat diubah setelah ada penukaran."))
    before = {"name": merchant.name, "kind": merchant.kind, "village": merchant.village_code}
    merchant.name, merchant.kind, merchant.village_code = name, kind, village_code
    after = {"name": name, "kind": kind, "village": village_code}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        if merchant.user is not None and "name" in changes:
            merchant.user.full_name = name
        record(actor, "merchants.updated", merchant, changes=changes)
    db.session.commit()
    return merchant


def set_merchant_active(actor, merchant: Merchant, active: bool, reason: str = "") -> Merchant:
    """Deactivate a shop (it can no longer redeem; its account and sessions end) or reactivate."""
    if not active and not reason.strip():
        raise MerchantError("reason", _l("Tulis alasan penonaktifan."))
    merchant = lock_row(Merchant, merchant.id)
    if merchant.active == active:
        return merchant
    merchant.active = active
    user = lock_row(User, merchant.user_id) if merchant.user_id else None
    if user is not None:
        user.active = active
        if active:
            user.failed_logins, user.locked_until = 0, None
        else:
            user.session_version += 1  # the shop's open sessions end now
    if active:
        record(actor, "merchants.activated", merchant, user=merchant.user_id)
    else:
        record(
            actor, "merchants.deactivated", merchant, user=merchant.user_id, reason=reason.strip()
        )
    db.session.commit()
    return merchant
