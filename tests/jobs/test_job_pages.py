"""The progress page and its fragment, who may see it, the evaluate button, a failing job."""

import json

import pytest
from sqlalchemy import func, select

from bansos_app.audit.models import AuditEvent
from bansos_app.auth.models import User
from bansos_app.extensions import db
from bansos_app.jobs import tasks
from bansos_app.jobs.models import Job
from bansos_app.jobs.services import start_job
from bansos_app.registry.models import Household
from tests.conftest import csrf_from, page_text
from tests.jobs import fake_work  # noqa: F401  (registers the test job kinds)


def _job(app, username=None, state="running", done=1, total=4, **fields) -> int:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        job = Job(kind="evaluate_all", state=state, done=done, total=total, **fields)
        job.created_by_id = user.id if user else None
        db.session.add(job)
        db.session.commit()
        return job.id


def test_running_job_page_polls_its_fragment_and_works_without_js(app, client, auth, demo):
    job_id = _job(app, "operator")
    auth.login("operator", "demo-operator")
    url = f"/staf/tugas/{job_id}"
    response = client.get(url)
    html = page_text(response)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "Evaluasi ulang semua keluarga" in html and "1 dari 4 langkah" in html
    assert '<progress aria-label="Kemajuan" max="4" value="1">' in html
    assert f'hx-get="{url}" hx-trigger="every 2s" hx-swap="outerHTML"' in html
    # Without JavaScript: the page reloads itself, and a link does the same.
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert f'<a href="{url}">Muat ulang</a>' in html
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert page_text(fragment).lstrip().startswith('<div id="job-progress"')
    assert "<html" not in page_text(fragment)
    assert "HX-Request" in fragment.headers["Vary"]


def test_a_finished_job_stops_polling(app, client, auth, demo):
    result = json.dumps({"changed": 1234, "seconds": 2.5})
    job_id = _job(app, "dinsos", state="done", done=4, total=4, result=result)
    auth.login("dinsos", "demo-dinsos-admin")
    html = page_text(client.get(f"/staf/tugas/{job_id}"))
    assert "Selesai" in html and "1.234 jawaban kelayakan berubah, dalam 2,5 detik." in html
    assert "hx-trigger" not in html and "http-equiv" not in html and "Muat ulang" not in html


@pytest.mark.parametrize(
    ("username", "password", "status"),
    [
        ("operator", "demo-operator", 200),  # started it
        ("pendamping", "demo-pendamping", 403),
        ("auditor", "demo-auditor", 403),
        ("toko", "demo-merchant", 403),
        ("dinsos", "demo-dinsos-admin", 200),
        ("admin", "demo-superadmin", 200),
    ],
)
def test_only_the_creator_and_dinsos_follow_a_job(
    app, client, auth, demo, username, password, status
):
    job_id = _job(app, "operator")
    auth.login(username, password)
    assert client.get(f"/staf/tugas/{job_id}").status_code == status
    assert client.get(f"/staf/tugas/{job_id + 1}").status_code == 404


def test_logged_out_goes_to_login(app, client, demo):
    job_id = _job(app, "operator")
    response = client.get(f"/staf/tugas/{job_id}")
    assert response.status_code == 302 and "/staf/masuk" in response.headers["Location"]


def test_dinsos_starts_a_full_evaluation_and_follows_it(app, client, auth, demo, monkeypatch):
    calls = []

    def fake_evaluate(job, params, progress):
        for step in (1, 2, 3):
            progress(step, 3)
        calls.append(job.created_by_id)
        return {"changed": 5, "seconds": 0.2}

    monkeypatch.setattr(tasks, "_evaluate_all", fake_evaluate)
    auth.login("operator", "demo-operator")
    token = csrf_from(client.get("/staf/").data)
    assert client.post("/staf/tugas/evaluasi", data={"csrf_token": token}).status_code == 403
    auth.logout()
    auth.login("dinsos", "demo-dinsos-admin")
    page = client.get("/staf/")
    assert client.post("/staf/tugas/evaluasi").status_code == 400  # no CSRF token
    response = client.post("/staf/tugas/evaluasi", data={"csrf_token": csrf_from(page.data)})
    assert response.status_code == 303
    with app.app_context():
        job = db.session.scalar(select(Job))
        dinsos = db.session.scalar(select(User).where(User.username == "dinsos"))
        assert response.headers["Location"] == f"/staf/tugas/{job.id}"
        assert (job.kind, job.state, job.done, job.total) == ("evaluate_all", "done", 3, 3)
        assert calls == [dinsos.id] == [job.created_by_id]
        actions = list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.object_type == "job")
                .order_by(AuditEvent.seq)
            )
        )
        assert actions == ["job.started", "job.finished"]
    html = page_text(client.get(response.headers["Location"]))
    assert "5 jawaban kelayakan berubah" in html


def test_a_failing_job_ends_failed_and_keeps_only_its_progress(app, make_household):
    household_id = make_household()
    with app.app_context():
        job = start_job(None, "test_fail", {"household_id": household_id})
        db.session.expire_all()
        job = db.session.get(Job, job.id)
        assert job.state == "failed" and job.finished_at
        assert job.message == "RuntimeError: pembagian gagal di tengah jalan"
        assert (job.done, job.total) == (1, 2)  # the progress row was kept
        assert db.session.get(Household, household_id).status == "active"  # the work was not
        actions = list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.object_type == "job")
                .order_by(AuditEvent.seq)
            )
        )
        assert actions == ["job.started", "job.failed"]


def test_failed_page_says_so(app, client, auth, demo):
    job_id = _job(app, "dinsos", state="failed", message="RuntimeError: boom")
    auth.login("dinsos", "demo-dinsos-admin")
    html = page_text(client.get(f"/staf/tugas/{job_id}"))
    assert "Gagal" in html and "Tugas ini gagal dan tidak mengubah data. RuntimeError: boom" in html
    assert "hx-trigger" not in html


def test_unknown_job_kind_is_refused_before_anything_is_stored(app):
    from bansos_app.jobs.services import JobError

    with app.app_context():
        with pytest.raises(JobError):
            start_job(None, "no_such_kind")
        assert db.session.scalar(select(Job)) is None


def test_a_double_click_follows_the_run_already_under_way(app, client, auth, demo):
    with app.app_context():
        dinsos = db.session.scalar(select(User).where(User.username == "dinsos"))
        running = Job(kind="evaluate_all", state="running", params="{}", created_by_id=dinsos.id)
        db.session.add(running)
        db.session.commit()
        running_id = running.id
    auth.login("dinsos", "demo-dinsos-admin")
    token = csrf_from(client.get("/staf/").data)
    for _ in range(2):
        response = client.post("/staf/tugas/evaluasi", data={"csrf_token": token})
        assert response.headers["Location"] == f"/staf/tugas/{running_id}"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job)) == 1
