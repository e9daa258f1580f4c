"""Registry page fixtures; a stand-in for the lead's evaluation until it is merged from main.

The stand-in is used only when `bansos_app.eligibility.evaluation` cannot be imported: it
applies the rules in force (desil range, status, living members, PKH components with the
member cap) to one household, so that the edit tests exercise re-evaluation either way.
"""

import sys
import types

import pytest

from bansos_app.eligibility.services import age_on

STATUS_REASON = {"blocked": "blocked", "graduated": "graduated", "inactive": "inactive"}


def _evaluate_household(household, actor=None, as_of=None):
    from sqlalchemy import select

    from bansos_app.eligibility.models import Eligibility, RuleVersion
    from bansos_app.extensions import db
    from bansos_app.registry.services import local_today

    as_of = as_of or local_today()
    versions = {}
    for v in db.session.scalars(
        select(RuleVersion)
        .where(RuleVersion.effective_from <= as_of)
        .order_by(RuleVersion.effective_from)
    ):
        versions[v.program_code] = v
    living = [m for m in household.members if not m.deceased_date]
    for code, v in versions.items():
        reasons = [STATUS_REASON[household.status]] if household.status in STATUS_REASON else []
        if not living:
            reasons.append("no_living_member")
        if not v.desil_min <= household.desil <= v.desil_max:
            reasons.append("desil_out_of_range")
        amount, counted = v.amount, 0
        if code == "PKH":
            values = {c.code: c.yearly_amount for c in v.components}
            per_member = []
            for m in living:
                age = age_on(m.birth_date, as_of)
                codes = [
                    "pregnant" if m.pregnant else None,
                    "child_0_6" if age <= 6 else None,
                    m.school_level,
                    "disability" if m.severe_disability else None,
                    "elderly" if age >= (v.elderly_age or 60) else None,
                ]
                best = max((values.get(c, 0) for c in codes if c), default=0)
                if best:
                    per_member.append(best)
            per_member = sorted(per_member, reverse=True)[: v.member_cap or 4]
            amount, counted = sum(per_member), len(per_member)
            if not per_member:
                reasons.append("no_pkh_component")
        row = db.session.get(Eligibility, (household.id, code))
        if row is None:
            row = Eligibility(household_id=household.id, program_code=code)
            db.session.add(row)
        row.state = "not_eligible" if reasons else "eligible"
        row.reasons = " ".join(reasons)
        row.rule_version_id = v.id
        row.amount = amount if not reasons else None
        row.members_counted = counted
        row.as_of = as_of
    db.session.flush()


def _explain(row, household) -> str:
    if row.state == "eligible":
        return "Memenuhi syarat."
    return "Tidak memenuhi syarat: " + ", ".join(row.reason_codes) + "."


@pytest.fixture(autouse=True, scope="session")
def _lead_evaluation():
    """Use the lead's evaluation when merged; otherwise install the stand-in above."""
    try:
        import bansos_app.eligibility.evaluation  # noqa: F401
        import bansos_app.eligibility.reasons  # noqa: F401
    except ImportError:
        evaluation = types.ModuleType("bansos_app.eligibility.evaluation")
        evaluation.evaluate_household = _evaluate_household
        reasons = types.ModuleType("bansos_app.eligibility.reasons")
        reasons.explain = _explain
        sys.modules["bansos_app.eligibility.evaluation"] = evaluation
        sys.modules["bansos_app.eligibility.reasons"] = reasons
        yield
        del sys.modules["bansos_app.eligibility.evaluation"]
        del sys.modules["bansos_app.eligibility.reasons"]
        return
    yield


@pytest.fixture
def evaluate(app):
    """Evaluate households by id (demo data carries no stored answers of its own)."""
    from sqlalchemy import select

    from bansos_app.extensions import db
    from bansos_app.registry.models import Household

    def run(*ids):
        with app.app_context():
            query = select(Household)
            if ids:
                query = query.where(Household.id.in_(ids))
            for household in db.session.scalars(query):
                sys.modules["bansos_app.eligibility.evaluation"].evaluate_household(household)
            db.session.commit()

    return run
