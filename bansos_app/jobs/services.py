"""Start jobs and keep their rows up to date: queued, running with progress, done or failed."""

import json
import logging

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from ..audit.services import record
from ..auth.access import can
from ..extensions import db
from ..models_base import utcnow
from .models import Job
from .queue import JOB_TASKS, use_app

logger = logging.getLogger(__name__)


class JobError(ValueError):
    """A job that cannot be started (an unknown kind)."""


def start_job(actor, kind: str, params: dict | None = None) -> Job:
    """Record a queued job (audited, committed), then hand it to the queue."""
    task = JOB_TASKS.get(kind)
    if task is None:
        raise JobError(f"unknown job kind {kind!r}")
    encoded = json.dumps(params or {}, sort_keys=True)
    unfinished = db.session.scalar(
        select(Job)
        .where(Job.kind == kind, Job.params == encoded, Job.state.in_(("queued", "running")))
        .order_by(Job.id.desc())
    )
    if unfinished is not None:
        # A double click (or a second admin) follows the run already under way instead of
        # queueing the same work twice.
        return unfinished
    job = Job(
        kind=kind,
        state="queued",
        params=encoded,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(job)
    db.session.flush()
    record(actor, "job.started", job, kind=kind, params=params or {})
    # Committed before enqueueing: a worker that picks the task up at once must find the row.
    db.session.commit()
    use_app(current_app)  # this app's queue, should another app have set it (tests)
    task(job.id)
    return job


def _progress_key(job_id: int) -> str:
    return f"job-progress:{job_id}"


def mark_running(job_id: int) -> Job:
    """Mark the job running (committed), returning the row."""
    job = db.session.get(Job, job_id)
    job.state, job.started_at, job.done = "running", utcnow(), 0
    db.session.commit()
    return job


def report_progress(job_id: int, done: int, total: int) -> None:
    """Publish how far the job is, outside the work's own transaction."""
    # The queue's key-value store is another database (Redis or huey's SQLite file), so the
    # progress shows even while the work holds SQLite's single write lock until it commits.
    use_app(current_app).put(_progress_key(job_id), (done, total))
    values = {"done": done, "total": total}
    try:
        # A connection of its own: committing here must not commit the work half done.
        with db.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA busy_timeout = 50")
            try:
                conn.execute(update(Job).where(Job.id == job_id).values(**values))
                conn.commit()
            finally:
                if conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("PRAGMA busy_timeout = 5000")
    except OperationalError:
        # SQLite while the work writes: the row catches up when the job ends.
        logger.debug("job %s progress %s/%s not written: database busy", job_id, done, total)


def progress_of(job: Job) -> tuple[int, int]:
    """Return (done, total) for the page: the live figure while running, else the row's."""
    if job.state == "running":
        live = use_app(current_app).get(_progress_key(job.id), peek=True)
        if live is not None:
            return tuple(live)
    return job.done, job.total


def finish_job(job_id: int, result: dict | None = None, message: str = "") -> Job:
    """Mark the job done with its result (audited, committed)."""
    job = db.session.get(Job, job_id)
    done, total = progress_of(job)
    job.state, job.finished_at, job.message = "done", utcnow(), message[:300]
    job.done = job.total = max(total, done, 1)
    job.result = json.dumps(result or {}, sort_keys=True, default=str)
    record(None, "job.finished", job, kind=job.kind, result=result or {})
    db.session.commit()
    use_app(current_app).get(_progress_key(job_id))  # pop the live figure
    return job


def fail_job(job_id: int, message: str) -> Job:
    """Throw away the work's uncommitted changes and mark the job failed (audited)."""
    db.session.rollback()
    job = db.session.get(Job, job_id)
    done, total = progress_of(job)
    job.state, job.finished_at, job.message = "failed", utcnow(), message[:300]
    job.done, job.total = done, total
    record(None, "job.failed", job, kind=job.kind, message=job.message)
    db.session.commit()
    use_app(current_app).get(_progress_key(job_id))
    return job


def failure_message(error: BaseException) -> str:
    """One line about an error, without the SQL parameters that may hold personal data."""
    orig = getattr(error, "orig", None) or error
    first = (str(orig).strip().splitlines() or [""])[0]
    return f"{type(orig).__name__}: {first}"[:300]


def can_see(user, job: Job) -> bool:
    """Whether the user may follow this job: its creator, or a role that sees every job."""
    return job.created_by_id == getattr(user, "id", None) or can(user, "jobs.view_all")
