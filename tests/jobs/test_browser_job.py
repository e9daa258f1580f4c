"""The progress page in Debian's Chromium: htmx polls while the job runs, then stops."""

import time

from sqlalchemy import select, update

from bansos_app.auth.models import User
from bansos_app.extensions import db
from bansos_app.jobs.models import Job
from tests.browser import needs_chromium, screenshot

pytestmark = needs_chromium


def _wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll through DevTools: the CSP forbids the eval behind Playwright's wait_for_function."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.1)


def test_the_bar_moves_and_polling_stops_when_done(app, demo, browser, live_server):
    with app.app_context():
        dinsos = db.session.scalar(select(User).where(User.username == "dinsos"))
        job = Job(kind="evaluate_all", state="running", done=1, total=5, created_by_id=dinsos.id)
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{live_server}/staf/masuk")
    page.fill("#username", "dinsos")
    page.fill("#password", "demo-dinsos-admin")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server}/staf/")
    page.goto(f"{live_server}/staf/tugas/{job_id}")
    assert "1 dari 5 langkah" in page.inner_text("#job-progress")
    screenshot(page, "jobs-running-360")
    page.evaluate("window.sameDocument = true")  # gone if the page reloaded itself
    with app.app_context():
        db.session.execute(update(Job).where(Job.id == job_id).values(done=3))
        db.session.commit()
    _wait_until(page, "document.querySelector('#job-progress').innerText.includes('3 dari 5')")
    assert page.evaluate("document.querySelector('progress').value") == 3
    with app.app_context():
        db.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(state="done", done=5, result='{"changed": 1520, "seconds": 12.5}')
        )
        db.session.commit()
    _wait_until(page, "document.querySelector('#job-progress').innerText.includes('Selesai')")
    assert page.evaluate("window.sameDocument === true")
    assert page.get_attribute("#job-progress", "hx-trigger") is None
    assert "1.520 jawaban kelayakan berubah" in page.inner_text("#job-progress")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    screenshot(page, "jobs-done-360")
    context.close()
