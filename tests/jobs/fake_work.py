"""Small job kinds for the tests: count in steps, wait for a signal, or fail half-way."""

import threading

from bansos_app.extensions import db
from bansos_app.jobs.queue import job_task
from bansos_app.jobs.tasks import run_job
from bansos_app.registry.models import Household

# Set by a test to let a waiting job go on after its first step.
release = threading.Event()


def _count(job, params, progress):
    steps = params.get("steps", 3)
    for i in range(1, steps + 1):
        progress(i, steps)
        if params.get("wait") and i == 1:
            assert release.wait(20), "the test never let the job go on"
    return {"changed": 7, "seconds": 0.1}


def _fail(job, params, progress):
    progress(1, 2)
    # Work that would change data, then an error before its commit.
    household = db.session.get(Household, params["household_id"])
    household.status = "inactive"
    db.session.flush()
    raise RuntimeError("pembagian gagal di tengah jalan")


@job_task("test_count")
def count_task(job_id):
    """Count to params['steps'], reporting each step."""
    return run_job(job_id, _count)


@job_task("test_fail")
def fail_task(job_id):
    """Change a household, then fail."""
    return run_job(job_id, _fail)
