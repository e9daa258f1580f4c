"""Distribution periods, the vouchers issued in them and every redemption of a voucher."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import utcnow

VOUCHER_STATES = ("active", "spent", "voided")


class DistributionPeriod(db.Model):
    """One distribution of a voucher program ("2026 Tahap 4"): vouchers are valid within it."""

    __table_args__ = (
        UniqueConstraint("program_code", "label", name="uq_period_label"),
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_code: Mapped[str] = mapped_column(db.String(12), ForeignKey("program.code"))
    label: Mapped[str] = mapped_column(db.String(60))
    starts_on: Mapped[date] = mapped_column(db.Date)
    # Vouchers expire at the end of this day, WIB (the district's time; docs/vouchers.md).
    ends_on: Mapped[date] = mapped_column(db.Date)
    created_at: Mapped[datetime] = mapped_column(db.DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Set by the last finished issuance; a period may be issued again (idempotent).
    issued_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    issued_count: Mapped[int] = mapped_column(default=0)

    program = relationship("Program")


class Voucher(db.Model):
    """A household's voucher for one period: cash-like, spent down to zero, never deleted."""

    __table_args__ = (
        UniqueConstraint("period_id", "household_id", name="uq_voucher_period_household"),
        CheckConstraint("balance >= 0 AND balance <= value", name="balance_within_value"),
        CheckConstraint("value > 0", name="value_positive"),
        CheckConstraint("state IN ('active', 'spent', 'voided')", name="state_known"),
        Index("ix_voucher_period_village", "period_id", "village_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("distribution_period.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    program_code: Mapped[str] = mapped_column(db.String(12), ForeignKey("program.code"))
    village_code: Mapped[str] = mapped_column(db.String(13), ForeignKey("region.code"))
    value: Mapped[int] = mapped_column()  # rupiah
    balance: Mapped[int] = mapped_column()  # rupiah still to spend
    state: Mapped[str] = mapped_column(db.String(8), default="active")
    # Copied from the period so that a redemption's conditional UPDATE needs no join.
    expires_on: Mapped[date] = mapped_column(db.Date)
    # SHA-256 of the manual code (derived, never stored in clear): a shop's typed code finds
    # the voucher, a copy of the database does not hand out spendable codes.
    code_hash: Mapped[str] = mapped_column(db.String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(db.DateTime, default=utcnow)
    print_count: Mapped[int] = mapped_column(default=0)
    last_printed_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    voided_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    void_reason: Mapped[str] = mapped_column(db.String(300), default="")

    period = relationship(DistributionPeriod)
    household = relationship("Household")
    program = relationship("Program")
    village = relationship("Region")

    @property
    def serial(self) -> str:
        """The number printed on the slip and quoted on the phone: period and voucher."""
        return f"{self.period_id:03d}-{self.id:07d}"


class Redemption(db.Model):
    """Money a shop took off a voucher; undone (never deleted) when it was a mistake."""

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_redemption_merchant_period", "merchant_id", "period_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("voucher.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("distribution_period.id"))
    amount: Mapped[int] = mapped_column()
    # The shop's page makes one per scan: a double click or a retry redeems once.
    idempotency_key: Mapped[str] = mapped_column(db.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(db.DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    undone_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    undo_reason: Mapped[str] = mapped_column(db.String(300), default="")

    voucher = relationship(Voucher)
    merchant = relationship("Merchant")
