"""Settings from the environment, with safe defaults."""

import hashlib
import hmac
import os
import secrets
from pathlib import Path


def _secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY from the environment, or one generated once into instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        # Written with 0600 so that other users of a shared kiosk server cannot forge sessions.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def _database_url(instance_path: Path) -> str:
    """Return DATABASE_URL, defaulting to SQLite in instance/; postgres:// means psycopg 3."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'bansos.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _list(value: str | None) -> list[str] | None:
    """Split a comma-separated setting; None when unset or empty."""
    items = [v.strip() for v in (value or "").split(",") if v.strip()]
    return items or None


def load_config(instance_path: Path) -> dict:
    """Build the configuration mapping for create_app."""
    redis_url = os.environ.get("REDIS_URL") or None
    return {
        "SECRET_KEY": _secret_key(instance_path),
        # Signs the audit chain's head. Set it apart from SECRET_KEY in production and keep it
        # out of the database's reach; by default it is derived from SECRET_KEY.
        "AUDIT_KEY": os.environ.get("AUDIT_KEY"),
        # Voucher signing keys; every app server and worker must read the same directory.
        "VOUCHER_KEY_DIR": os.environ.get("VOUCHER_KEY_DIR") or None,
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta",
        "LANGUAGES": ("id", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": 3600,
        # The token is still required; guards.check_same_origin replaces Flask-WTF's HTTPS
        # Referer check with one that also accepts the Origin header.
        "WTF_CSRF_SSL_STRICT": False,
        # Forms here are a few short fields; views that take files raise this themselves
        # (guards.upload_limit). Refused before the body is read.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 256 * 1024)),
        "MAX_FORM_MEMORY_SIZE": 64 * 1024,
        "MAX_FORM_PARTS": 200,
        # Per kiosk device (or phone address) and per client address; see kiosk/views.py.
        "RATELIMIT_STATUS_DEVICE": os.environ.get("RATELIMIT_STATUS_DEVICE", "10 per minute"),
        "RATELIMIT_STATUS_ADDRESS": os.environ.get("RATELIMIT_STATUS_ADDRESS", "30 per minute"),
        "RATELIMIT_PIN": os.environ.get("RATELIMIT_PIN", "10 per minute"),
        "RATELIMIT_PIN_ADDRESS": os.environ.get("RATELIMIT_PIN_ADDRESS", "30 per minute"),
        # Ticket submissions per kiosk/phone (a kiosk serves many residents an hour), and per
        # household at a kiosk or per address on a phone: a family needs a few, not dozens.
        "RATELIMIT_TICKET_DEVICE": os.environ.get("RATELIMIT_TICKET_DEVICE", "60 per hour"),
        "RATELIMIT_TICKET_ADDRESS": os.environ.get("RATELIMIT_TICKET_ADDRESS", "20 per hour"),
        # Cek Tiket lookups: number + NIK, guarded like the status check.
        "RATELIMIT_TICKET_LOOKUP": os.environ.get("RATELIMIT_TICKET_LOOKUP", "20 per minute"),
        # Days for each ticket stage (village verification, Dinsos decision) before overdue.
        "TICKET_DUE_DAYS": int(os.environ.get("TICKET_DUE_DAYS", "14")),
        "TICKET_OPEN_PER_NIK": int(os.environ.get("TICKET_OPEN_PER_NIK", "3")),
        # A phone photo of the house: refused above this size, re-encoded to at most 1280 px.
        "TICKET_PHOTO_MAX_BYTES": 8 * 1024 * 1024,
        # Staff login POSTs per client address; see auth/views.py.
        "RATELIMIT_LOGIN": os.environ.get("RATELIMIT_LOGIN", "20 per minute"),
        "RESIDENT_VISIT_MINUTES": 10,
        # Links that leave the app (enrolment URL, start link, printed links) use this base
        # instead of the request's Host header, e.g. https://bansos.bengkuluutarakab.go.id
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL") or None,
        # Host names this app answers to (comma-separated); others get 400. Unset: any.
        "TRUSTED_HOSTS": _list(os.environ.get("TRUSTED_HOSTS")),
        "TRUST_PROXY_HOPS": int(os.environ.get("TRUST_PROXY_HOPS", "0") or 0),
        "KIOSK_COUNTDOWN_SECONDS": 10,
        # Static files are streamed, and Flask-Compress streams only br/deflate, not gzip.
        "COMPRESS_ALGORITHM": ["br", "gzip", "deflate"],
        # Brotli 6 instead of 4: about 5% smaller pages for the same CPU at these sizes.
        "COMPRESS_BR_LEVEL": 6,
        "COMPRESS_REGISTER": False,  # assets.compress_any_status also compresses 4xx/5xx
        "COMPRESS_ALGORITHM_STREAMING": ["br", "deflate"],
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "application/javascript",
            "text/javascript",
            "application/json",
        ],
        "PASSWORD_HASH_METHOD": "scrypt",  # werkzeug's default cost: N=32768, r=8, p=1
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_LOCK_MINUTES": 15,
    }


def derive_audit_key(secret_key: str) -> str:
    """AUDIT_KEY when none is set: derived from the final SECRET_KEY."""
    return hmac.new(secret_key.encode(), b"audit-head", hashlib.sha256).hexdigest()
