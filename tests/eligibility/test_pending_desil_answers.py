"""A family waiting for its DTSEN assessment (desil NULL): never eligible, told in plain words."""

from datetime import date
from types import SimpleNamespace

from flask_babel import force_locale
from sqlalchemy import select

from bansos_app.eligibility.evaluation import evaluate_household, local_today
from bansos_app.eligibility.models import Eligibility
from bansos_app.eligibility.reasons import explain
from bansos_app.eligibility.recipient_lists import fix_recipient_list, preview_recipient_list
from bansos_app.eligibility.recipient_models import Recipient
from bansos_app.eligibility.summary import summarise
from bansos_app.extensions import db
from bansos_app.registry.models import Household
from tests.eligibility.test_summary import lines

GIRI = "17.03.12.2003"


def test_the_reason_says_waiting_not_none(app):
    version = SimpleNamespace(effective_from=date(2026, 1, 1), desil_min=1, desil_max=5)
    row = SimpleNamespace(reason_codes=["desil_out_of_range"], rule_version=version)
    with app.test_request_context("/"):
        text = explain(row, SimpleNamespace(desil=None))
        assert "menunggu pemeringkatan" in text and "None" not in text
        assert "desil 4" in explain(row, SimpleNamespace(desil=4)).replace("Anda desil", "desil")
        with force_locale("en"):
            assert "waiting for its assessment" in explain(row, SimpleNamespace(desil=None))


def test_the_summary_does_not_crash_and_says_waiting(app):
    household = SimpleNamespace(desil=None, status="active", status_reason="")
    with app.test_request_context("/"):
        s = summarise(household, lines())
        assert s.tone == "none"
        assert "menunggu pemeringkatan" in str(s.answer) and "None" not in str(s.answer)
        assert "DTSEN" in str(s.next_step)
        with force_locale("en"):
            assert "waiting for its assessment" in str(summarise(household, lines()).answer)


def _households(make_household) -> tuple[int, int]:
    """A family waiting for its desil and one at desil 1, both evaluated."""
    pending = make_household(village=GIRI, desil=None, members=2)
    poor = make_household(village=GIRI, desil=1, members=1)
    for hh_id in (pending, poor):
        evaluate_household(db.session.get(Household, hh_id))
    db.session.commit()
    return pending, poor


def test_never_eligible(app, make_household):
    with app.app_context():
        pending, _poor = _households(make_household)
        answers = db.session.scalars(
            select(Eligibility).where(Eligibility.household_id == pending)
        ).all()
        assert answers and all(a.state == "not_eligible" for a in answers)
        assert all("desil_out_of_range" in a.reasons for a in answers)
        preview = preview_recipient_list("SEMBAKO", "all")
        assert [v["eligible"] for v in preview] == [1]  # the desil 1 family only


def test_never_ranked_even_with_a_stale_answer(app, make_household):
    with app.app_context():
        pending, poor = _households(make_household)
        # An answer stored before the desil was cleared (say, by a correction): still no place.
        stale = db.session.get(Eligibility, (pending, "SEMBAKO"))
        stale.state, stale.reasons = "eligible", ""
        db.session.commit()
        today = local_today()
        for year, mode, quotas in ((today.year, "all", None), (today.year + 2, "quota", {GIRI: 1})):
            lst = fix_recipient_list(
                None,
                "SEMBAKO",
                max(date(year, 1, 1), today),
                date(year, 12, 31),
                f"SK {mode}",
                today,
                mode,
                quotas,
            )
            rows = db.session.scalars(select(Recipient).where(Recipient.list_id == lst.id)).all()
            assert [(r.household_id, r.desil, r.rank) for r in rows] == [
                (poor, 1, 1 if mode == "quota" else r.rank) for r in rows
            ]
