"""The queue's tasks: each runs under the Flask app and keeps its Job row up to date."""

import json
import logging
import time
import traceback
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from ..auth.models import User
from ..eligibility.evaluation import evaluate_all, evaluate_if_due
from ..extensions import db
from .queue import huey, job_task, state
from .services import fail_job, failure_message, finish_job, mark_running, report_progress

logger = logging.getLogger(__name__)
WIB = ZoneInfo("Asia/Jakarta")


def flask_app():
    """The app tasks run under: the caller's (immediate mode), the worker's, or one built once."""
    if has_app_context():
        return current_app._get_current_object()
    if state["app"] is None:
        from .. import create_app

        create_app()  # its init_app remembers it for the next task of this worker process
    return state["app"]


def run_job(job_id: int, work: Callable) -> dict | None:
    """Run `work(job, params, progress)` for a job: running, progress, then done or failed."""
    # An app context of the task's own: its session is not the caller's (immediate mode runs
    # inside a request), so a failure throws away only the work.
    with flask_app().app_context():
        job = mark_running(job_id)
        params = json.loads(job.params or "{}")

        def progress(done: int, total: int) -> None:
            report_progress(job_id, done, total)

        try:
            result = work(job, params, progress)
        except Exception as error:  # noqa: BLE001 - any failure ends the job, not the worker
            message = failure_message(error)
            # The message and where, not the exception's text: SQL parameters may hold a NIK.
            logger.error(
                "Job %s (%s) failed: %s\n%s",
                job_id,
                job.kind,
                message,
                "".join(traceback.format_tb(error.__traceback__)),
            )
            fail_job(job_id, message)
            return None
        finish_job(job_id, result)
        return result


def _evaluate_all(job, params: dict, progress: Callable) -> dict:
    """Re-evaluate every household as the job's creator, for its day or today."""
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    as_of = date.fromisoformat(params["as_of"]) if params.get("as_of") else None
    started = time.perf_counter()
    run = evaluate_all(actor, as_of=as_of, progress=progress)
    return {
        "changed": run.changed,
        "run_id": run.id,
        "as_of": run.as_of.isoformat(),
        "seconds": round(time.perf_counter() - started, 1),
    }


@job_task("evaluate_all")
def evaluate_all_task(job_id: int) -> dict | None:
    """Full re-evaluation of every household and program, with progress per program."""
    return run_job(job_id, _evaluate_all)


def hourly_and_after_midnight_wib(timestamp: datetime) -> bool:
    """Every hour on the hour, and at 00:10 WIB, just after a new day's rules take effect."""
    # huey passes naive UTC. WIB is UTC+7 whole hours, so "on the hour" is the same in both.
    local = timestamp.replace(tzinfo=UTC).astimezone(WIB)
    return local.minute == 0 or (local.hour == 0 and local.minute == 10)


@huey.periodic_task(hourly_and_after_midnight_wib, name="evaluate_if_due")
def evaluate_if_due_task() -> int | None:
    """Run a full evaluation when a rule version took effect or today has no run yet."""
    with flask_app().app_context():
        run = evaluate_if_due()
        if run is None:
            return None
        logger.info("Scheduled evaluation for %s: %s rows changed", run.as_of, run.changed)
        return run.changed
