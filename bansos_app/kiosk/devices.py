"""Register, enrol, recognise and revoke kiosk devices."""

import hmac
import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from ..audit.services import record
from ..auth.access import require_village
from ..extensions import db
from ..models_base import sha256_hex, utcnow
from .models import KioskDevice

COOKIE = "bansos_kiosk"
ENROL_HOURS = 24
# No 0/O or 1/I: the code may be read aloud or typed from a phone screen.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class DeviceError(Exception):
    """A device request that cannot be honoured, with a message for the user."""


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="kiosk-device")


def _new_code(device: KioskDevice) -> str:
    code = "".join(secrets.choice(ALPHABET) for _ in range(10))
    device.enrol_code_hash = sha256_hex(code)
    device.enrol_expires_at = utcnow() + timedelta(hours=ENROL_HOURS)
    return code


def register_device(actor, name: str, village_code: str, paper_width: int, idle_seconds: int):
    """Create a kiosk in a village of the actor's scope; return (device, one-time code)."""
    require_village(actor, village_code)
    device = KioskDevice(
        name=name.strip(),
        village_code=village_code,
        paper_width=paper_width,
        idle_seconds=idle_seconds,
        created_by_id=actor.id,
    )
    code = _new_code(device)
    db.session.add(device)
    db.session.flush()
    record(actor, "kiosk.device_registered", device, village=village_code, paper=paper_width)
    db.session.commit()
    return device, code


def renew_enrolment(actor, device: KioskDevice) -> str:
    """Issue a fresh one-time code and invalidate the device's cookie and start link."""
    require_village(actor, device.village_code)
    if device.revoked_at:
        raise DeviceError("revoked")
    device.key_version += 1
    device.enrolled_at = None
    code = _new_code(device)
    record(actor, "kiosk.device_code_renewed", device)
    db.session.commit()
    return code


def revoke_device(actor, device: KioskDevice) -> None:
    """Revoke a kiosk; its next request is treated as an ordinary browser."""
    require_village(actor, device.village_code)
    if device.revoked_at is None:
        device.revoked_at = utcnow()
        device.enrol_code_hash = None
        record(actor, "kiosk.device_revoked", device)
        db.session.commit()


def device_for_code(code: str) -> KioskDevice | None:
    """Return the device waiting for this enrolment code, if the code is still valid."""
    code = (code or "").strip().upper()
    if not code or len(code) > 20:
        return None
    device = db.session.scalar(
        select(KioskDevice).where(KioskDevice.enrol_code_hash == sha256_hex(code))
    )
    if device is None or device.revoked_at or device.enrol_expires_at < utcnow():
        return None
    return device


def enrol_device(code: str) -> tuple[KioskDevice, str]:
    """Use the one-time code: mark the device enrolled and return (device, cookie token)."""
    device = device_for_code(code)
    if device is None:
        raise DeviceError("invalid code")
    device.enrolled_at = utcnow()
    device.enrol_code_hash = None  # one time only
    record(None, "kiosk.device_enrolled", device)
    db.session.commit()
    return device, device_token(device)


def device_token(device: KioskDevice) -> str:
    """Return the signed value that names this device (cookie and start link)."""
    return _serializer().dumps({"d": device.id, "v": device.key_version})


def device_from_token(token: str | None) -> KioskDevice | None:
    """Return the enrolled, unrevoked device a signed token names, or None."""
    if not token or len(token) > 200:
        return None
    try:
        data = _serializer().loads(token)
        device_id, version = int(data["d"]), int(data["v"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    device = db.session.get(KioskDevice, device_id)
    if device is None or device.revoked_at or not device.enrolled_at:
        return None
    return device if device.key_version == version else None


def start_key(device: KioskDevice) -> str:
    """Return the key the launcher presents at every start: "<id>.<secret>".

    Derived from SECRET_KEY and the key version, so nothing secret is stored and "Kode baru"
    or revoking retires it. It travels in the URL fragment, which never reaches a server log.
    """
    message = f"kiosk-start:{device.id}:{device.key_version}".encode()
    secret = hmac.new(current_app.config["SECRET_KEY"].encode(), message, "sha256").hexdigest()
    return f"{device.id}.{secret[:32]}"


def device_for_start_key(key: str | None) -> KioskDevice | None:
    """Return the enrolled, unrevoked device a start key belongs to, or None."""
    key = key or ""
    device_id, _, _secret = key.partition(".")
    # ASCII only (compare_digest refuses other text) and an id that fits the database column.
    if not key.isascii() or len(key) > 60 or not device_id.isdigit() or len(device_id) > 9:
        return None
    device = db.session.get(KioskDevice, int(device_id))
    if device is None or device.revoked_at or not device.enrolled_at:
        return None
    return device if hmac.compare_digest(key, start_key(device)) else None


def touch_device(device: KioskDevice) -> None:
    """Record that the device was seen, at most once a minute to spare the database."""
    now = utcnow()
    if device.last_seen_at is None or now - device.last_seen_at > timedelta(seconds=60):
        device.last_seen_at = now
        db.session.commit()
