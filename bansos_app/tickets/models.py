"""Usul-sanggah tickets: who asked what about whom, the checks, the village and Dinsos steps."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import utcnow

KINDS = ("usul", "sanggah_sendiri", "sanggah_lain", "reaktivasi")
# submitted -> screened -> verified -> applied -> closed; a rejection or lapse closes at once.
STAGES = ("submitted", "screened", "verified", "applied", "closed")
OUTCOMES = ("approved", "rejected", "auto_rejected", "lapsed")
CHANNELS = ("kiosk", "phone", "staff")
# Why another village's recipient should not receive (sanggah_lain).
OTHER_REASONS = ("mampu", "meninggal", "pindah", "ganda", "lainnya")
# What is wrong with my own data (sanggah_sendiri).
OWN_REASONS = ("desil", "anggota", "status")
FORUMS = ("musdes", "musdesus")
VILLAGE_DECISIONS = ("setuju", "tolak")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Ticket(db.Model):
    """A proposal or objection; never deleted, it only moves forward through its stages."""

    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind_known"),
        CheckConstraint(_in("stage", STAGES), name="stage_known"),
        CheckConstraint(f"outcome IS NULL OR {_in('outcome', OUTCOMES)}", name="outcome_known"),
        CheckConstraint(_in("channel", CHANNELS), name="channel_known"),
        # The queues: open tickets of a village by stage, oldest due first.
        Index("ix_ticket_queue", "village_code", "stage", "due_on"),
        Index("ix_ticket_submitter_open", "submitter_nik_hash", "stage"),
        Index("ix_ticket_subject_open", "subject_household_id", "stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Ten digits (the last a Luhn check digit), random: typed on the kiosk's number keypad.
    number: Mapped[str] = mapped_column(db.String(10), unique=True)
    kind: Mapped[str] = mapped_column(db.String(16))
    channel: Mapped[str] = mapped_column(db.String(8))
    program_code: Mapped[str | None] = mapped_column(db.String(12), ForeignKey("program.code"))
    # The village that verifies: the subject's (or, for a new household, the proposed one).
    village_code: Mapped[str] = mapped_column(db.String(13), ForeignKey("region.code"))
    # Who asked. A keyed hash of the NIK finds "my tickets" and counts open ones without
    # keeping a second copy of the number; the person row is known for registered residents.
    submitter_nik_hash: Mapped[str] = mapped_column(db.String(64))
    submitter_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # A pendamping or operator who entered it on a resident's behalf (assisted), or proposed it.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # About whom: a registered household (and person), or, for an usul of a family new to
    # the registry, the proposed data in `proposed` until approval creates the household.
    subject_household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    subject_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    proposed: Mapped[dict] = mapped_column(db.JSON, default=dict)
    reason_code: Mapped[str] = mapped_column(db.String(12), default="")
    text: Mapped[str] = mapped_column(db.String(300), default="")

    stage: Mapped[str] = mapped_column(db.String(10), default="submitted")
    outcome: Mapped[str | None] = mapped_column(db.String(14))
    # The current stage's due date; a scheduled job sets overdue once it has passed.
    due_on: Mapped[date] = mapped_column(db.Date)
    overdue: Mapped[bool] = mapped_column(default=False)

    # Village verification: field check and the deliberation (musdes, or Musdesus for a
    # household blocked for online gambling), with its minutes.
    field_notes: Mapped[str] = mapped_column(db.String(500), default="")
    forum: Mapped[str | None] = mapped_column(db.String(8))
    forum_date: Mapped[date | None] = mapped_column(db.Date)
    minutes_number: Mapped[str] = mapped_column(db.String(60), default="")
    attendance: Mapped[int | None] = mapped_column(db.Integer)
    village_decision: Mapped[str | None] = mapped_column(db.String(6))
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    verified_at: Mapped[datetime | None] = mapped_column(db.DateTime)

    # Dinsos decision, announced to the resident with its reason.
    decision_reason: Mapped[str] = mapped_column(db.String(300), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    applied_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(db.DateTime)

    created_at: Mapped[datetime] = mapped_column(db.DateTime, default=utcnow)
    # Bumped by every change: the queues' poll compares it to answer 304 when nothing moved.
    updated_at: Mapped[datetime] = mapped_column(db.DateTime, default=utcnow, index=True)

    program = relationship("Program")
    village = relationship("Region")
    subject_household = relationship("Household", foreign_keys=[subject_household_id])
    subject_person = relationship("Person", foreign_keys=[subject_person_id])
    submitter_person = relationship("Person", foreign_keys=[submitter_person_id])
    entered_by = relationship("User", foreign_keys=[entered_by_id])
    checks = relationship("TicketCheck", order_by="TicketCheck.id", back_populates="ticket")

    @property
    def is_open(self) -> bool:
        """Return whether the ticket still waits for someone."""
        return self.stage not in ("applied", "closed")


class TicketCheck(db.Model):
    """One automatic screening check on a ticket: its name, result and reason."""

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    name: Mapped[str] = mapped_column(db.String(24))
    passed: Mapped[bool]
    reason: Mapped[str] = mapped_column(db.String(300), default="")

    ticket = relationship(Ticket, back_populates="checks")


class TicketPhoto(db.Model):
    """The house photo sent from a phone: re-encoded JPEG, no metadata, staff-only."""

    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), primary_key=True)
    data: Mapped[bytes] = mapped_column(db.LargeBinary)
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(db.DateTime, default=utcnow)
