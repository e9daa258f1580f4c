"""Wrong PINs sent at the same moment from several kiosks are all counted."""

import threading
import time

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bansos_app.audit.models import AuditEvent
from bansos_app.extensions import db
from bansos_app.kiosk.pins import verify_pin
from bansos_app.registry.models import Household

SRI_KK = "1703122003180001"


def test_parallel_wrong_pins_still_lock_after_five(app, demo):
    """Five guesses at once: the count is not lost, so the fifth locks printing."""
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    with app.app_context():
        household_id = db.session.scalar(select(Household.id).where(Household.kk_number == SRI_KK))
    barrier = threading.Barrier(5)
    results, errors = [], []

    def guess() -> None:
        try:
            with app.app_context():
                barrier.wait()
                while True:
                    try:
                        household = db.session.get(Household, household_id)
                        results.append(verify_pin(household, "000000"))
                        break
                    except OperationalError:
                        # SQLite allows one writer at a time; a real caller retries too.
                        db.session.rollback()
                        if not sqlite:
                            raise
                        time.sleep(0.005)
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            errors.append(repr(e))

    threads = [threading.Thread(target=guess) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
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
