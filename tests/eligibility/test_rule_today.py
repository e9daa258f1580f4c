"""A version in force today is applied at once (a queued re-evaluation), and far dates refused."""

from sqlalchemy import func, select

from bansos_app.eligibility.evaluation import local_today
from bansos_app.eligibility.models import Eligibility, RuleVersion
from bansos_app.extensions import db
from bansos_app.jobs.models import Job
from tests.eligibility.test_rule_pages import SEMBAKO, _form, dinsos  # noqa: F401


def test_a_version_from_today_re_evaluates_everyone_at_once(app, dinsos):  # noqa: F811
    today = local_today().isoformat()
    response = dinsos.post(f"{SEMBAKO}/simpan", data=_form(dinsos, effective_from=today))
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/staf/tugas/")
    with app.app_context():
        assert db.session.scalar(select(Job.state)) == "done"
        version = db.session.scalar(
            select(RuleVersion)
            .where(RuleVersion.program_code == "SEMBAKO")
            .order_by(RuleVersion.id.desc())
        )
        assert version.applied_at is not None
        stale = select(func.count()).where(
            Eligibility.program_code == "SEMBAKO", Eligibility.rule_version_id != version.id
        )
        assert db.session.scalar(stale) == 0


def test_a_date_years_away_is_refused(app, dinsos):  # noqa: F811
    far = local_today().replace(year=local_today().year + 6).isoformat()
    response = dinsos.post(f"{SEMBAKO}/simpan", data=_form(dinsos, effective_from=far))
    assert response.status_code == 422
    assert "paling lambat lima tahun" in response.get_data(as_text=True)
