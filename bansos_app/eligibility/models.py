"""Programs and their rule versions, and the stored answer per household and program."""

from datetime import date, datetime

from flask_babel import get_locale
from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import utcnow

PROGRAM_KINDS = ("cash", "voucher", "insurance")
# PKH components: who counts is fixed here (evaluation.py); what each is worth is data.
COMPONENT_CODES = ("pregnant", "child_0_6", "SD", "SMP", "SMA", "disability", "elderly")
ELIGIBILITY_STATES = ("eligible", "not_eligible")


class Program(db.Model):
    """A bansos program (PKH, Sembako, ...): what it is; who qualifies is in its versions."""

    __table_args__ = (CheckConstraint("kind IN ('cash', 'voucher', 'insurance')", name="kind"),)

    code: Mapped[str] = mapped_column(db.String(12), primary_key=True)
    name_id: Mapped[str] = mapped_column(db.String(80))
    name_en: Mapped[str] = mapped_column(db.String(80))
    kind: Mapped[str] = mapped_column(db.String(10))
    sort_order: Mapped[int] = mapped_column(db.SmallInteger, default=0)

    versions = relationship(
        "RuleVersion", back_populates="program", order_by="RuleVersion.effective_from"
    )

    @property
    def name(self) -> str:
        """Return the program's name in the page's language."""
        locale = get_locale()
        return self.name_en if locale is not None and locale.language == "en" else self.name_id


class RuleVersion(db.Model):
    """One version of a program's rule, in force from its date until the next version's."""

    __table_args__ = (
        UniqueConstraint("program_code", "effective_from", name="uq_rule_version_date"),
        CheckConstraint("desil_min BETWEEN 1 AND 10 AND desil_max BETWEEN 1 AND 10", name="desil"),
        CheckConstraint("desil_min <= desil_max", name="desil_order"),
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount"),
        CheckConstraint("member_cap IS NULL OR member_cap >= 1", name="member_cap"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_code: Mapped[str] = mapped_column(db.String(12), ForeignKey("program.code"))
    effective_from: Mapped[date] = mapped_column(db.Date)
    desil_min: Mapped[int] = mapped_column(db.SmallInteger)
    desil_max: Mapped[int] = mapped_column(db.SmallInteger)
    # Rupiah per distribution (a voucher's value); None where no fixed sum is paid (PKH, PBI).
    amount: Mapped[int | None] = mapped_column(db.Integer)
    # PKH only: at most this many members are counted, and from which age one is elderly.
    member_cap: Mapped[int | None] = mapped_column(db.SmallInteger)
    elderly_age: Mapped[int | None] = mapped_column(db.SmallInteger)
    note: Mapped[str] = mapped_column(db.String(300), default="")  # decree, reason for change
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(db.DateTime, default=utcnow)
    # When a full evaluation first used this version (None: not yet in force or not yet run).
    applied_at: Mapped[datetime | None] = mapped_column(db.DateTime)

    program = relationship(Program, back_populates="versions")
    components = relationship(
        "PkhComponent", back_populates="rule_version", order_by="PkhComponent.id"
    )


class PkhComponent(db.Model):
    """What one PKH component is worth per year under one rule version."""

    __table_args__ = (
        UniqueConstraint("rule_version_id", "code", name="uq_pkh_component"),
        CheckConstraint("yearly_amount >= 0", name="yearly_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_version_id: Mapped[int] = mapped_column(ForeignKey("rule_version.id"), index=True)
    code: Mapped[str] = mapped_column(db.String(12))
    yearly_amount: Mapped[int] = mapped_column(db.Integer)

    rule_version = relationship(RuleVersion, back_populates="components")


class Eligibility(db.Model):
    """The stored answer for one household and program: state, reason codes, version, time.

    A derived table, recomputed from the registry and the rules at any time: it has no foreign
    keys, because checking three of them per row made a full run over 1.25 million rows
    (250,000 households x 5 programs) four times slower, and no other index, for the same reason.
    """

    __table_args__ = (CheckConstraint("state IN ('eligible', 'not_eligible')", name="state"),)

    household_id: Mapped[int] = mapped_column(primary_key=True)
    program_code: Mapped[str] = mapped_column(db.String(12), primary_key=True)
    state: Mapped[str] = mapped_column(db.String(12))
    reasons: Mapped[str] = mapped_column(db.String(120), default="")  # space-separated codes
    rule_version_id: Mapped[int | None] = mapped_column()
    # Per distribution for vouchers; the yearly total of counted components for PKH.
    amount: Mapped[int | None] = mapped_column(db.Integer)
    members_counted: Mapped[int] = mapped_column(db.SmallInteger, default=0)
    as_of: Mapped[date] = mapped_column(db.Date)  # the day the rule and ages were taken from
    changed_at: Mapped[datetime] = mapped_column(db.DateTime, default=utcnow)

    program = relationship(
        Program, primaryjoin="foreign(Eligibility.program_code) == Program.code", viewonly=True
    )
    rule_version = relationship(
        RuleVersion,
        primaryjoin="foreign(Eligibility.rule_version_id) == RuleVersion.id",
        viewonly=True,
    )

    @property
    def reason_codes(self) -> list[str]:
        """Return the reason codes as a list."""
        return self.reasons.split()


class EvaluationRun(db.Model):
    """A full re-evaluation of every household: for which day, when, and how much changed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(db.Date, index=True)
    started_at: Mapped[datetime] = mapped_column(db.DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    changed: Mapped[int] = mapped_column(default=0)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
