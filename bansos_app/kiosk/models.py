"""Enrolled kiosk devices and resident visits (what a kiosk knows about the person at it)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import utcnow


class KioskDevice(db.Model):
    """A registered kiosk PC; its browser holds a signed cookie naming it."""

    __table_args__ = (CheckConstraint("paper_width IN (58, 80)", name="paper_width_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(db.String(80))
    village_code: Mapped[str] = mapped_column(db.String(13), ForeignKey("region.code"), index=True)
    paper_width: Mapped[int] = mapped_column(db.SmallInteger, default=80)
    idle_seconds: Mapped[int] = mapped_column(default=60)
    # Only a hash of the one-time enrolment code is kept; the code is shown once.
    enrol_code_hash: Mapped[str | None] = mapped_column(db.String(64), unique=True)
    enrol_expires_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    enrolled_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    # Bumped to invalidate every cookie and start link issued before.
    key_version: Mapped[int] = mapped_column(default=1)
    revoked_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    created_at: Mapped[datetime] = mapped_column(db.DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    village = relationship("Region")

    @property
    def state(self) -> str:
        """Return revoked, enrolled or waiting (for its enrolment code to be used)."""
        if self.revoked_at:
            return "revoked"
        return "enrolled" if self.enrolled_at else "waiting"


class ResidentVisit(db.Model):
    """A resident's verified session at a kiosk or phone; ended on reset or expiry.

    The browser holds only a random token; everything else stays here so that an idle
    reset really forgets the person, whatever the browser kept.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(db.String(64), unique=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk_device.id"))
    started_at: Mapped[datetime] = mapped_column(db.DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(db.DateTime)
    pin_verified_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(db.DateTime)

    household = relationship("Household")
