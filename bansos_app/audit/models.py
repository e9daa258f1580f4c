"""Audit events and the chain head they are checked against."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

GENESIS = "0" * 64


class AuditEvent(db.Model):
    """One event; `hash` covers its content and the previous event's hash."""

    # A household's own trail (registry pages) reads its events by object.
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The position in the chain; unique, so two writers can never both extend the same head.
    seq: Mapped[int] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(db.DateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(db.String(60), index=True)
    object_type: Mapped[str] = mapped_column(db.String(40), default="")
    object_id: Mapped[str] = mapped_column(db.String(40), default="")
    details: Mapped[str] = mapped_column(db.Text, default="{}")  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(db.String(64))
    hash: Mapped[str] = mapped_column(db.String(64))


class AuditHead(db.Model):
    """The single row holding the newest event's seq and hash, signed with AUDIT_KEY.

    Deleting the newest event would otherwise leave a chain that still verifies; the head
    row is updated in the same transaction as every append and locked while it happens.
    """

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(db.String(64), default=GENESIS)
    # HMAC of seq and hash with AUDIT_KEY, which is not in the database: whoever can edit
    # rows cannot delete the newest events and move the head back to match.
    mac: Mapped[str] = mapped_column(db.String(64), default="")
