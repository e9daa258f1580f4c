"""With Redis, every worker process counts against the same rate limit."""

import socket
import uuid

import pytest

from bansos_app import create_app

REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(REDIS) == 0


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_two_workers_share_one_limit_through_redis(app):
    """Five checks allowed per device: three on one worker and three on another hit the limit."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
        # A fresh prefix per run, so earlier runs' counters never interfere.
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        "RATELIMIT_STATUS_DEVICE": "5 per minute",
    }
    workers = [create_app(dict(settings)).test_client() for _ in range(2)]
    codes = []
    for i in range(6):
        response = workers[i % 2].post("/cek-status", data={"nik": "123", "kk": "456"})
        codes.append(response.status_code)
    assert codes[:5] == [422] * 5  # bad input is answered, and counted
    assert codes[5] == 429
