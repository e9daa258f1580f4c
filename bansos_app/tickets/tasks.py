"""Scheduled ticket work: mark overdue tickets and lapse unverified objections."""

import logging

from huey import crontab

from ..jobs.queue import huey
from ..jobs.tasks import flask_app
from .workflow import mark_overdue

logger = logging.getLogger(__name__)


# 00:20 WIB (17:20 UTC) just after the day turns, and hourly so a worker that was down
# catches up; the job is idempotent, so running it twice changes nothing the second time.
@huey.periodic_task(crontab(minute="20"), name="mark_overdue_tickets")
def mark_overdue_task() -> dict:
    """Lapse objections the village did not verify in time and flag other late tickets."""
    with flask_app().app_context():
        result = mark_overdue()
        if any(result.values()):
            logger.info("Tickets: %(lapsed)d lapsed, %(overdue)d newly overdue", result)
        return result
