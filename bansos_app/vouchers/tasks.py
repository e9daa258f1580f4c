"""Queue jobs of the voucher package: issuing a period's vouchers, with progress per batch."""

import time
from collections.abc import Callable

from ..auth.models import User
from ..extensions import db
from ..jobs.queue import job_task
from ..jobs.tasks import run_job
from .models import DistributionPeriod
from .services import issue_vouchers


def _issue(job, params: dict, progress: Callable) -> dict:
    """Issue one period's vouchers as the job's creator."""
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    period = db.session.get(DistributionPeriod, int(params["period_id"]))
    if period is None:
        raise LookupError(f"no period {params['period_id']}")
    started = time.perf_counter()
    issued = issue_vouchers(period, actor, progress=progress)
    return {
        "period_id": period.id,
        "issued": issued,
        "total": period.issued_count,
        "seconds": round(time.perf_counter() - started, 1),
    }


@job_task("issue_vouchers")
def issue_vouchers_task(job_id: int) -> dict | None:
    """Issue a period's vouchers to every recipient that has none yet."""
    return run_job(job_id, _issue)
