"""Small helpers shared by the models of every package."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime (stored as UTC everywhere)."""
    return datetime.now(UTC).replace(tzinfo=None)
