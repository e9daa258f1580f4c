"""Recipient lists (penetapan): who receives a program in a period, under which decree."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import utcnow


class RecipientList(db.Model):
    """A decree (SK) fixing a program's recipients for a period of validity."""

    __table_args__ = (
        CheckConstraint("valid_from <= valid_until", name="period"),
        CheckConstraint("mode IN ('all', 'quota')", name="mode"),
        Index("ix_recipient_list_program_period", "program_code", "valid_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_code: Mapped[str] = mapped_column(db.String(12), ForeignKey("program.code"))
    valid_from: Mapped[date] = mapped_column(db.Date)
    valid_until: Mapped[date] = mapped_column(db.Date)
    sk_number: Mapped[str] = mapped_column(db.String(80))
    sk_date: Mapped[date] = mapped_column(db.Date)
    mode: Mapped[str] = mapped_column(db.String(8))  # all eligible, or within village quotas
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(db.DateTime, default=utcnow)

    program = relationship("Program")
    quotas = relationship("VillageQuota", back_populates="recipient_list")


class VillageQuota(db.Model):
    """How many recipients one village may have on a list fixed by quota."""

    __table_args__ = (CheckConstraint("quota >= 0", name="quota"),)

    list_id: Mapped[int] = mapped_column(ForeignKey("recipient_list.id"), primary_key=True)
    village_code: Mapped[str] = mapped_column(
        db.String(13), ForeignKey("region.code"), primary_key=True
    )
    quota: Mapped[int] = mapped_column(db.Integer)

    recipient_list = relationship(RecipientList, back_populates="quotas")


class Recipient(db.Model):
    """A household on a recipient list; it stays one until removed with a reason."""

    __table_args__ = (
        UniqueConstraint("list_id", "household_id", name="uq_recipient_household"),
        CheckConstraint("state IN ('active', 'removed')", name="state"),
        Index("ix_recipient_household_program", "household_id", "program_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("recipient_list.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    # Copied from the list so that "does this household receive X" is one indexed lookup.
    program_code: Mapped[str] = mapped_column(db.String(12), ForeignKey("program.code"))
    village_code: Mapped[str] = mapped_column(db.String(13), ForeignKey("region.code"))
    state: Mapped[str] = mapped_column(db.String(10), default="active")
    desil: Mapped[int] = mapped_column(db.SmallInteger)  # at selection, for the record
    rank: Mapped[int | None] = mapped_column(db.Integer)  # order within the village's quota
    added_at: Mapped[datetime] = mapped_column(db.DateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    added_reason: Mapped[str] = mapped_column(db.String(300), default="")
    removed_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    removed_reason: Mapped[str] = mapped_column(db.String(300), default="")

    recipient_list = relationship(RecipientList)
    household = relationship("Household")
