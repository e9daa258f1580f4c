"""Small helpers shared by the models of every package."""

import hashlib
from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime (stored as UTC everywhere)."""
    return datetime.now(UTC).replace(tzinfo=None)


def sha256_hex(text: str) -> str:
    """Return the SHA-256 hex digest of a one-time code or token (stored instead of it)."""
    return hashlib.sha256(text.encode()).hexdigest()
