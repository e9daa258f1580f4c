"""With Redis, every worker process counts against the same rate limit."""

import json
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

REDIS = ("127.0.0.1", 6379)
ROOT = Path(__file__).resolve().parents[2]

# One worker: its own process and app, posting `n` bad status checks; prints the codes.
WORKER = """
import json, sys
from bansos_app import create_app
settings = json.loads(sys.argv[1])
client = create_app(settings).test_client()
codes = [client.post("/cek-status", data={"nik": "123", "kk": "456"}).status_code
         for _ in range(int(sys.argv[2]))]
print(json.dumps(codes))
"""


def _redis_up() -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(REDIS) == 0


def _worker(settings: dict, n: int) -> list[int]:
    out = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps(settings), str(n)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("storage", "shared"), [("redis://127.0.0.1:6379/15", True), ("memory://", False)]
)
def test_worker_processes_share_limits_only_through_redis(app, storage, shared):
    """Five checks per device: three in one process and three in another hit it via Redis."""
    if storage.startswith("redis") and not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": storage,
        # A fresh prefix per run, so earlier runs' counters never interfere.
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        "RATELIMIT_STATUS_DEVICE": "5 per minute",
    }
    first, second = _worker(settings, 3), _worker(settings, 3)
    assert first == [422, 422, 422]  # bad input is answered, and counted
    assert second == ([422, 422, 429] if shared else [422, 422, 422])
