"""`flask bansos evaluate` and `flask bansos worker`."""

from sqlalchemy import select

from bansos_app.extensions import db
from bansos_app.jobs import tasks
from bansos_app.jobs.models import Job


def test_evaluate_queue_hands_the_day_to_the_job(app, runner, monkeypatch):
    seen = []

    def fake(job, params, progress):
        seen.append(params)
        progress(1, 1)
        return {"changed": 0, "seconds": 0.0}

    monkeypatch.setattr(tasks, "_evaluate_all", fake)
    result = runner.invoke(args=["bansos", "evaluate", "--queue", "--as-of", "2027-01-01"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        job = db.session.scalar(select(Job))
    assert f"Queued job {job.id}: follow it at /staf/tugas/{job.id}" in result.output
    assert seen == [{"as_of": "2027-01-01"}] and job.state == "done"


def test_evaluate_refuses_a_bad_date(app, runner):
    result = runner.invoke(args=["bansos", "evaluate", "--as-of", "2027-13-01"])
    assert result.exit_code == 2 and "--as-of" in result.output


def test_worker_refuses_immediate_mode(app, runner):
    result = runner.invoke(args=["bansos", "worker"])
    assert result.exit_code == 1 and "HUEY_IMMEDIATE" in result.output
