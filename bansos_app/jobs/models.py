"""A job's progress, stored so that any web process can show it."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models_base import utcnow

JOB_STATES = ("queued", "running", "done", "failed")


class Job(db.Model):
    """One run of long work: what, for whom, how far, and how it ended."""

    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(db.String(40), index=True)
    state: Mapped[str] = mapped_column(db.String(10), default="queued")
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    params: Mapped[str] = mapped_column(db.Text, default="{}")  # JSON
    message: Mapped[str] = mapped_column(db.String(300), default="")
    result: Mapped[str] = mapped_column(db.Text, default="")  # JSON, or a file name
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(db.DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(db.DateTime)
