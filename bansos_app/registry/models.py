"""Registry tables: regions, households, persons and desil history."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import utcnow

LEVELS = {1: "provinsi", 2: "kabupaten", 3: "kecamatan", 4: "desa"}
HOUSEHOLD_STATUSES = ("active", "graduated", "blocked", "inactive")
RELATIONS = ("kepala", "pasangan", "anak", "orang_tua", "lainnya")
SCHOOL_LEVELS = ("SD", "SMP", "SMA")


class Region(db.Model):
    """A Kemendagri region: province, regency, district (kecamatan) or village."""

    code: Mapped[str] = mapped_column(db.String(13), primary_key=True)  # "17.03.12.2003"
    name: Mapped[str] = mapped_column(db.String(120))
    level: Mapped[int] = mapped_column(db.SmallInteger, index=True)
    parent_code: Mapped[str | None] = mapped_column(
        db.String(13), ForeignKey("region.code"), index=True
    )
    timezone: Mapped[str] = mapped_column(db.String(4), default="WIB")  # WIB, WITA or WIT

    parent = relationship("Region", remote_side=[code])

    @property
    def level_name(self) -> str:
        """Return provinsi/kabupaten/kecamatan/desa."""
        return LEVELS[self.level]


class Household(db.Model):
    """A family card (KK) in a village; never deleted, only given a status."""

    __table_args__ = (
        # NULL desil: "menunggu pemeringkatan", a family added by an approved proposal that
        # waits for its DTSEN assessment; it qualifies for nothing until then.
        CheckConstraint("desil IS NULL OR desil BETWEEN 1 AND 10", name="desil_range"),
        CheckConstraint(
            "status IN ('active', 'graduated', 'blocked', 'inactive')", name="status_known"
        ),
        Index("ix_household_village_status", "village_code", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kk_number: Mapped[str] = mapped_column(db.String(16), unique=True)
    village_code: Mapped[str] = mapped_column(db.String(13), ForeignKey("region.code"))
    address: Mapped[str] = mapped_column(db.String(200), default="")
    desil: Mapped[int | None] = mapped_column(db.SmallInteger)
    status: Mapped[str] = mapped_column(db.String(12), default="active")
    status_reason: Mapped[str] = mapped_column(db.String(300), default="")
    status_changed_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    created_at: Mapped[datetime] = mapped_column(db.DateTime, default=utcnow)
    # Kiosk PIN for printing vouchers: only a peppered hash, with its own lockout.
    pin_hash: Mapped[str | None] = mapped_column(db.String(255))
    pin_set_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    pin_failures: Mapped[int] = mapped_column(default=0)
    pin_locked_until: Mapped[datetime | None] = mapped_column(db.DateTime)

    village = relationship(Region)
    members = relationship("Person", back_populates="household", order_by="Person.id")
    # By date, then by entry: a sanggah correction on the day of an import comes after it.
    desil_history = relationship(
        "DesilHistory",
        back_populates="household",
        order_by="[DesilHistory.effective_date, DesilHistory.id]",
    )

    @property
    def head(self):
        """Return the head of the household, or the first member."""
        heads = [m for m in self.members if m.relation == "kepala"]
        return heads[0] if heads else (self.members[0] if self.members else None)


class Person(db.Model):
    """A person (NIK) in a household, with the attributes PKH components need."""

    __table_args__ = (CheckConstraint("sex IN ('L', 'P')", name="sex_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nik: Mapped[str] = mapped_column(db.String(16), unique=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    name: Mapped[str] = mapped_column(db.String(120))
    birth_date: Mapped[date] = mapped_column(db.Date)
    sex: Mapped[str] = mapped_column(db.String(1))  # L (laki-laki) or P (perempuan)
    relation: Mapped[str] = mapped_column(db.String(12), default="lainnya")
    deceased_date: Mapped[date | None] = mapped_column(db.Date)
    deceased_source: Mapped[str] = mapped_column(db.String(80), default="")  # who reported it
    pregnant: Mapped[bool] = mapped_column(default=False)
    school_level: Mapped[str | None] = mapped_column(db.String(3))  # SD, SMP, SMA
    severe_disability: Mapped[bool] = mapped_column(default=False)

    household = relationship(Household, back_populates="members")


# Registry search by part of a name ("lower(name) LIKE '%sri%'") on PostgreSQL: a trigram
# index serves it on a million persons; SQLite scans, which is fine at village scale.
Index(
    "ix_person_name_trgm",
    func.lower(Person.name),
    postgresql_using="gin",
    postgresql_ops={"lower_1": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")


class DesilHistory(db.Model):
    """A desil value a household held from a date, and where it came from."""

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    desil: Mapped[int] = mapped_column(db.SmallInteger)
    source: Mapped[str] = mapped_column(db.String(40))  # "DTSEN", "musdes", "sanggah", ...
    effective_date: Mapped[date] = mapped_column(db.Date)

    household = relationship(Household, back_populates="desil_history")
