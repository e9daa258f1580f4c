"""Staff pages for jobs: follow one job's progress, start a full re-evaluation."""

import json

from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from ..auth.access import requires
from ..extensions import db
from ..pages import no_store, render_page
from .models import Job
from .services import can_see, progress_of, start_job

bp = Blueprint("jobs", __name__)


@bp.get("/<int(max=2147483647):job_id>")
@requires("staff.home")
def job(job_id: int):
    """Show a job's state and progress; htmx polls the progress block while it runs."""
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404)
    if not can_see(current_user, job):
        abort(403)
    done, total = progress_of(job)
    return no_store(
        render_page(
            "jobs/job.html",
            block="progress",
            job=job,
            done=done,
            total=total,
            result=json.loads(job.result) if job.result.startswith("{") else {},
            running=job.state in ("queued", "running"),
        )
    )


@bp.post("/evaluasi")
@requires("jobs.evaluate")
def evaluate():
    """Start a full re-evaluation of every household in the queue and follow it."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    job = start_job(current_user, "evaluate_all", {})
    return redirect(url_for("jobs.job", job_id=job.id), code=303)
