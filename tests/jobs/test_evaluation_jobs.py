"""The real wiring: the queued job, the command and the schedule call the lead's evaluation."""

import json

from sqlalchemy import func, select

from bansos_app.auth.services import create_user
from bansos_app.eligibility.models import Eligibility, EvaluationRun, Program
from bansos_app.extensions import db
from bansos_app.jobs.models import Job
from bansos_app.jobs.tasks import evaluate_if_due_task
from tests.conftest import csrf_from, page_text


def test_the_dinsos_button_runs_a_full_evaluation(app, client, auth, make_household):
    for desil in (1, 3, 8):
        make_household(desil=desil)
    with app.app_context():
        create_user(None, "kadis", "kadis-pass-1234", "dinsos_admin", ())
        programs = db.session.scalar(select(func.count()).select_from(Program))
    auth.login("kadis", "kadis-pass-1234")
    token = csrf_from(client.get("/staf/").data)
    response = client.post("/staf/tugas/evaluasi", data={"csrf_token": token})
    assert response.status_code == 303
    with app.app_context():
        job = db.session.scalar(select(Job))
        run = db.session.scalar(select(EvaluationRun))
        answers = db.session.scalar(select(func.count()).select_from(Eligibility))
        assert job.state == "done" and job.done == job.total > 0
        assert answers == 3 * programs
        result = json.loads(job.result)
        assert result["changed"] == run.changed == answers and result["run_id"] == run.id
        assert run.actor_id == job.created_by_id
    html = page_text(client.get(response.headers["Location"]))
    assert f"{answers} jawaban kelayakan berubah" in html


def test_the_command_evaluates_now_and_says_how_much_changed(app, runner, make_household):
    make_household(desil=2)
    result = runner.invoke(args=["bansos", "evaluate", "--as-of", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert "Evaluated for 2026-12-01:" in result.output and "rows changed in" in result.output
    with app.app_context():
        assert db.session.scalar(select(EvaluationRun.as_of)).isoformat() == "2026-12-01"


def test_the_schedule_runs_once_a_day_unless_a_rule_takes_effect(app, make_household):
    make_household(desil=2)
    with app.app_context():
        assert evaluate_if_due_task.call_local() is not None  # no run today yet
        assert evaluate_if_due_task.call_local() is None  # nothing new since
        assert db.session.scalar(select(func.count()).select_from(EvaluationRun)) == 1
