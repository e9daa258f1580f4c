"""What a shop's pages read: its own shop, its recent redemptions, one redemption of its own."""

from datetime import UTC, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..eligibility.evaluation import JAKARTA, local_today
from ..extensions import db
from ..models_base import utcnow
from ..vouchers.models import Redemption, Voucher
from ..vouchers.redemption import UNDO_WINDOW
from .models import Merchant


def shop_of(user) -> Merchant | None:
    """The shop run from this account, or None when none is linked to it."""
    return db.session.scalar(select(Merchant).where(Merchant.user_id == user.id))


def start_of_today_utc() -> datetime:
    """Midnight WIB today, as the naive UTC time the database stores."""
    local = datetime.combine(local_today(), time(0), tzinfo=JAKARTA)
    return local.astimezone(UTC).replace(tzinfo=None)


def todays_redemptions(merchant: Merchant, limit: int = 20) -> list[Redemption]:
    """The shop's redemptions since midnight WIB, newest first."""
    return db.session.scalars(
        select(Redemption)
        .options(joinedload(Redemption.voucher).joinedload(Voucher.program))
        .where(Redemption.merchant_id == merchant.id, Redemption.created_at >= start_of_today_utc())
        .order_by(Redemption.id.desc())
        .limit(limit)
    ).all()


def own_redemption(merchant: Merchant, redemption_id: int) -> Redemption | None:
    """The redemption if this shop made it, else None (another shop's is not found)."""
    redemption = db.session.get(Redemption, redemption_id)
    if redemption is None or redemption.merchant_id != merchant.id:
        return None
    return redemption


def can_undo(redemption: Redemption) -> bool:
    """Whether the shop's undo button still applies (the service decides for real)."""
    return redemption.undone_at is None and utcnow() - redemption.created_at <= UNDO_WINDOW
