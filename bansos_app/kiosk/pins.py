"""Kiosk PINs: issued by a village operator, checked before a voucher is printed."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit.services import record
from ..auth.access import require_village
from ..auth.models import hash_method
from ..extensions import db
from ..locking import lock_row
from ..models_base import utcnow

MAX_FAILURES = 5
LOCK_MINUTES = 15


def _peppered(pin: str) -> str:
    # A 6-digit PIN is easy to brute-force from a stolen hash; the server-side pepper
    # makes a leaked database alone useless for that.
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, pin.encode(), hashlib.sha256).hexdigest()


def set_pin(household, pin: str) -> None:
    """Store the hash of a PIN (used by issue_pin and the demo data)."""
    household.pin_hash = generate_password_hash(_peppered(pin), method=hash_method())
    household.pin_set_at = utcnow()
    household.pin_failures = 0
    household.pin_locked_until = None


class PinChanged(Exception):
    """The PIN changed since the page was shown: most likely a double click."""


def pin_version(household) -> str:
    """Return a marker of the household's current PIN, sent along with the issue form."""
    return household.pin_set_at.isoformat() if household.pin_set_at else "none"


def issue_pin(actor, household, seen_version: str) -> str:
    """Give the household a new random 6-digit PIN; return it once for the printed slip.

    Only if the PIN is still the one the operator saw: a double click must not silently
    replace the PIN on the slip that just came out of the printer.
    """
    require_village(actor, household.village_code)
    household = lock_row(type(household), household.id)
    if pin_version(household) != seen_version:
        db.session.rollback()
        raise PinChanged
    pin = f"{secrets.randbelow(1_000_000):06d}"
    set_pin(household, pin)
    record(actor, "kiosk.pin_issued", household)
    db.session.commit()
    return pin


def pin_locked(household) -> bool:
    """Return whether printing is locked for the household after wrong PINs."""
    return bool(household.pin_locked_until and household.pin_locked_until > utcnow())


def _well_formed(pin: str) -> bool:
    # ASCII only: str.isdigit() also accepts Arabic-Indic and other digits.
    return len(pin) == 6 and pin.isascii() and pin.isdigit()


def _matches(pin_hash: str | None, pin: str) -> bool:
    return pin_hash is not None and check_password_hash(pin_hash, _peppered(pin))


def _refused(household, reason: str) -> str:
    """Audit an attempt refused without being counted (never the PIN itself)."""
    record(None, "kiosk.pin_refused", household, reason=reason)
    db.session.commit()
    return reason


def verify_pin(household, pin: str, visit=None) -> str:
    """Check a PIN: "ok", "wrong", "locked", "no_pin" or "format". Five wrong ones lock it.

    A malformed PIN is refused before it is counted. The slow hash check runs before the
    household row is locked (on SQLite that lock holds the whole database); under the lock
    only the counters change, so parallel guesses cannot overwrite each other's count.
    Every refused attempt is audited, also those refused while printing is locked.
    """
    if not _well_formed(pin or ""):
        return _refused(household, "format")
    if household.pin_hash is None:
        return _refused(household, "no_pin")
    if pin_locked(household):
        return _refused(household, "locked")
    seen_hash = household.pin_hash
    matches = _matches(seen_hash, pin)
    household = lock_row(type(household), household.id)
    if household.pin_hash != seen_hash:  # re-issued meanwhile: check against the new one
        matches = _matches(household.pin_hash, pin)
    if household.pin_hash is None or pin_locked(household):
        reason = "no_pin" if household.pin_hash is None else "locked"
        db.session.rollback()  # release the row lock; nothing was counted
        return _refused(household, reason)
    if matches:
        household.pin_failures = 0
        if visit is not None:
            visit.pin_verified_at = utcnow()
        record(None, "kiosk.pin_ok", household)
        db.session.commit()
        return "ok"
    household.pin_failures += 1
    result = "wrong"
    if household.pin_failures >= MAX_FAILURES:
        household.pin_locked_until = utcnow() + timedelta(minutes=LOCK_MINUTES)
        household.pin_failures = 0
        result = "locked"
    record(None, "kiosk.pin_failed", household, locked=result == "locked")
    db.session.commit()
    return result
