"""The queue's storage per setting, and real consumers on SQLite and Redis running a job."""

import time
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from huey.storage import MemoryStorage, PriorityRedisStorage, SqliteStorage

from bansos_app import create_app
from bansos_app.extensions import db
from bansos_app.jobs.models import Job
from bansos_app.jobs.queue import huey, init_app
from bansos_app.jobs.services import start_job
from bansos_app.jobs.tasks import hourly_and_after_midnight_wib
from tests.conftest import page_text
from tests.jobs import fake_work

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def queue_settings(app):
    """Change the queue's settings for a test; the immediate test queue comes back after."""
    keys = ("HUEY_IMMEDIATE", "HUEY_NAME", "HUEY_FILE", "REDIS_URL")
    saved = {k: app.config.get(k) for k in keys}

    def use(**settings):
        app.config.update(settings)
        init_app(app)
        return huey

    yield use
    app.config.update(saved)
    init_app(app)


def test_settings_choose_the_storage_without_opening_it(queue_settings):
    sqlite = create_app({"HUEY_IMMEDIATE": False, "REDIS_URL": None})
    assert huey.storage_class is SqliteStorage and not huey.immediate
    assert huey.storage_kwargs["filename"] == str(Path(sqlite.instance_path) / "huey.db")
    assert huey._storage is None  # opened on first use, not by create_app
    create_app({"HUEY_IMMEDIATE": False, "REDIS_URL": REDIS_URL})
    assert huey.storage_class is PriorityRedisStorage
    assert huey.storage_kwargs == {"url": REDIS_URL}
    create_app({"HUEY_IMMEDIATE": True, "REDIS_URL": REDIS_URL})
    assert huey.immediate and isinstance(huey.storage, MemoryStorage)


def test_each_app_enqueues_into_its_own_queue(app, queue_settings):
    # Another app built in the same process (other tests do) must not steal this one's queue.
    create_app({"HUEY_IMMEDIATE": False, "REDIS_URL": None})
    assert huey.storage_class is SqliteStorage
    with app.app_context():
        job = start_job(None, "test_count", {"steps": 1})
        assert huey.immediate
        db.session.expire_all()  # the job ran in a session of its own
        assert db.session.get(Job, job.id).state == "done"


def test_the_test_app_runs_jobs_at_once(app):
    with app.app_context():
        job = start_job(None, "test_count", {"steps": 2})
        db.session.expire_all()
        job = db.session.get(Job, job.id)
        assert (job.state, job.done, job.total) == ("done", 2, 2)
        assert job.started_at and job.finished_at


def test_the_periodic_evaluation_runs_every_hour_and_at_ten_past_midnight_wib():
    due = [
        hourly_and_after_midnight_wib(datetime(2026, 12, 2, h, m))
        for h, m in [(17, 10), (17, 11), (3, 0), (3, 30), (0, 10), (16, 59)]
    ]
    # 17:10 UTC is 00:10 WIB; 00:10 UTC is 07:10 WIB, not a run.
    assert due == [True, False, True, False, False, False]


def _run_with_consumer(app, client, auth, queue):
    """Start a waiting job, watch its page show the first step, let it finish."""
    consumer = queue.create_consumer(workers=1, periodic=False, initial_delay=0.05, max_delay=0.2)
    consumer._set_signal_handlers = lambda: None  # pytest keeps its own Ctrl-C handling
    fake_work.release.clear()
    with app.app_context():
        job_id = start_job(None, "test_count", {"steps": 3, "wait": True}).id
    auth.login("dinsos", "demo-dinsos-admin")
    consumer.start()
    try:
        deadline = time.monotonic() + 20
        while "1 dari 3 langkah" not in page_text(client.get(f"/staf/tugas/{job_id}")):
            assert time.monotonic() < deadline, "the worker never reported progress"
            time.sleep(0.05)
        fragment = page_text(client.get(f"/staf/tugas/{job_id}", headers={"HX-Request": "1"}))
        assert 'hx-trigger="every 2s"' in fragment and "Sedang berjalan" in fragment
        fake_work.release.set()
        while True:
            with app.app_context():
                job = db.session.get(Job, job_id)
                if job.state in ("done", "failed"):
                    break
            assert time.monotonic() < deadline, "the worker never finished the job"
            time.sleep(0.05)
    finally:
        fake_work.release.set()
        consumer.stop(graceful=True)
    assert (job.state, job.done, job.total) == ("done", 3, 3)
    assert '"changed": 7' in job.result
    html = page_text(client.get(f"/staf/tugas/{job_id}", headers={"HX-Request": "1"}))
    assert "Selesai" in html and "hx-trigger" not in html


def test_a_sqlite_queue_file_and_a_consumer_run_a_job(
    app, client, auth, demo, queue_settings, tmp_path
):
    queue = queue_settings(HUEY_IMMEDIATE=False, REDIS_URL=None, HUEY_FILE=str(tmp_path / "q.db"))
    assert isinstance(queue.storage, SqliteStorage)
    _run_with_consumer(app, client, auth, queue)
    assert (tmp_path / "q.db").exists()


def test_a_redis_queue_and_a_consumer_run_a_job(app, client, auth, demo, queue_settings):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    name = f"bansos-test-{uuid.uuid4().hex[:12]}"  # this test's own keys
    queue = queue_settings(HUEY_IMMEDIATE=False, REDIS_URL=REDIS_URL, HUEY_NAME=name)
    assert isinstance(queue.storage, PriorityRedisStorage)
    try:
        _run_with_consumer(app, client, auth, queue)
    finally:
        queue.storage.flush_all()
