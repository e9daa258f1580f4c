"""Shops that redeem vouchers, and their settlement with Dinsos per period."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import utcnow

# A shop's kind decides the one program whose vouchers it takes.
MERCHANT_KINDS = ("sembako", "lpg", "listrik")
PROGRAM_OF_KIND = {"sembako": "SEMBAKO", "lpg": "LPG", "listrik": "LISTRIK"}
SETTLEMENT_STATES = ("open", "submitted", "approved", "paid")


class Merchant(db.Model):
    """An e-warong, LPG base or electricity agent in a village, run from one shop account."""

    __table_args__ = (CheckConstraint("kind IN ('sembako', 'lpg', 'listrik')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(db.String(120))
    kind: Mapped[str] = mapped_column(db.String(8))
    village_code: Mapped[str] = mapped_column(db.String(13), ForeignKey("region.code"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(db.DateTime, default=utcnow)

    village = relationship("Region")
    user = relationship("User")

    @property
    def program_code(self) -> str:
        """The program whose vouchers this shop may redeem."""
        return PROGRAM_OF_KIND[self.kind]


class Settlement(db.Model):
    """What Dinsos owes a shop for one period: open, submitted, approved, then paid."""

    __table_args__ = (
        UniqueConstraint("merchant_id", "period_id", name="uq_settlement_merchant_period"),
        CheckConstraint("state IN ('open', 'submitted', 'approved', 'paid')", name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("distribution_period.id"))
    state: Mapped[str] = mapped_column(db.String(10), default="open")
    # Frozen when the shop submits: the redemptions then counted and their sum.
    total: Mapped[int] = mapped_column(default=0)
    redemption_count: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    approved_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    paid_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    payment_reference: Mapped[str] = mapped_column(db.String(80), default="")

    merchant = relationship(Merchant)
    period = relationship("DistributionPeriod")
