"""Wrong PINs sent at the same moment from several kiosks are all counted."""

from sqlalchemy import func, select

from bansos_app.audit.models import AuditEvent
from bansos_app.extensions import db
from bansos_app.kiosk.pins import verify_pin
from bansos_app.registry.models import Household
from tests.conftest import run_at_once

SRI_KK = "1703122003180001"


def test_parallel_wrong_pins_still_lock_after_five(app, demo):
    """Five guesses at once: the count is not lost, so the fifth locks printing."""
    with app.app_context():
        household_id = db.session.scalar(select(Household.id).where(Household.kk_number == SRI_KK))

    def guess(_i):
        return verify_pin(db.session.get(Household, household_id), "000000")

    results = run_at_once(app, 5, guess)
    assert sorted(results) == ["locked", "wrong", "wrong", "wrong", "wrong"]
    with app.app_context():
        household = db.session.get(Household, household_id)
        assert household.pin_locked_until is not None
        failed = db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "kiosk.pin_failed")
        )
        assert failed == 5
        # Locked now: even the right PIN is refused.
        assert verify_pin(household, "246810") == "locked"
