"""Stored answers: a rule version taking effect, receiving versus eligible, stale answers."""

from datetime import date

import pytest
from sqlalchemy import func, select

from bansos_app.audit.models import AuditEvent
from bansos_app.eligibility.evaluation import evaluate_all, evaluate_if_due, rules_in_force
from bansos_app.eligibility.models import Eligibility, EvaluationRun, RuleVersion
from bansos_app.eligibility.recipient_models import Recipient, RecipientList
from bansos_app.eligibility.services import program_lines
from bansos_app.extensions import db
from bansos_app.registry.models import Household

TODAY = date(2026, 12, 3)
NEXT_MONTH = date(2027, 1, 1)


@pytest.fixture
def household_at(ctx, make_household):
    """Make a household and return it loaded in the test's session."""

    def make(**kwargs):
        return db.session.get(Household, make_household(**kwargs))

    return make


def _sembako_from_next_month(desil_max=4) -> RuleVersion:
    current = rules_in_force(TODAY)["SEMBAKO"]
    version = RuleVersion(
        program_code="SEMBAKO",
        effective_from=NEXT_MONTH,
        desil_min=1,
        desil_max=desil_max,
        amount=current.amount,
        note="Kepmensos (contoh) desil 1-4",
    )
    db.session.add(version)
    db.session.commit()
    return version


def _by_code(lines):
    return {line.program.code: line for line in lines}


def test_a_new_version_changes_the_answer_on_its_date_with_its_reason(app, household_at):
    hh = household_at(desil=5, members=2)
    evaluate_all(None, TODAY)
    _sembako_from_next_month()
    with app.test_request_context("/"):
        before = _by_code(program_lines(hh, TODAY))["SEMBAKO"]
        assert before.state == "eligible"
        assert before.version.effective_from == date(2025, 4, 1)
        on_the_day = _by_code(program_lines(hh, NEXT_MONTH))["SEMBAKO"]
        assert on_the_day.state == "not_eligible"
        assert on_the_day.reason == (
            "Sejak 1 Januari 2027 program ini untuk desil 1–4; keluarga Anda desil 5."
        )
        assert on_the_day.version.effective_from == NEXT_MONTH
    row = db.session.get(Eligibility, (hh.id, "SEMBAKO"))
    assert (row.state, row.reasons, row.rule_version.effective_from) == (
        "not_eligible",
        "desil_out_of_range",
        NEXT_MONTH,
    )


def test_the_scheduled_run_applies_a_version_once_on_its_date(app, household_at):
    household_at(desil=5)
    household_at(desil=2)
    assert evaluate_if_due(TODAY) is not None  # no run yet today
    assert evaluate_if_due(TODAY) is None  # nothing new
    version = _sembako_from_next_month()
    assert evaluate_if_due(TODAY) is None  # not in force yet
    run = evaluate_if_due(NEXT_MONTH)
    assert run is not None and run.changed == 2  # both households' Sembako rows name it now
    assert db.session.get(RuleVersion, version.id).applied_at is not None
    states = dict(
        db.session.execute(
            select(Household.desil, Eligibility.state)
            .join(Eligibility, Eligibility.household_id == Household.id)
            .where(Eligibility.program_code == "SEMBAKO")
        ).all()
    )
    assert states == {5: "not_eligible", 2: "eligible"}
    assert evaluate_if_due(NEXT_MONTH) is None
    events = db.session.scalar(
        select(func.count()).where(AuditEvent.action == "eligibility.evaluated")
    )
    assert events == db.session.scalar(select(func.count()).select_from(EvaluationRun)) == 2


def test_a_second_full_run_changes_nothing(household_at):
    household_at(desil=3, members=3)
    first = evaluate_all(None, TODAY)
    assert first.changed == 5
    assert evaluate_all(None, TODAY).changed == 0


def _recipient_list(program_code, hh, valid_until=date(2027, 12, 31)):
    listing = RecipientList(
        program_code=program_code,
        valid_from=date(2026, 1, 1),
        valid_until=valid_until,
        sk_number="SK-7/2026",
        sk_date=date(2025, 12, 20),
        mode="all",
    )
    db.session.add(listing)
    db.session.flush()
    db.session.add(
        Recipient(
            list_id=listing.id,
            household_id=hh.id,
            program_code=program_code,
            village_code=hh.village_code,
            desil=hh.desil,
        )
    )
    db.session.commit()


def test_the_kiosk_tells_a_recipient_from_an_eligible_non_recipient(app, household_at):
    hh = household_at(desil=2, members=1)
    _recipient_list("SEMBAKO", hh)
    with app.test_request_context("/"):
        lines = _by_code(program_lines(hh, TODAY))
    assert lines["SEMBAKO"].state == "receiving"
    assert lines["SEMBAKO"].recipient.recipient_list.sk_number == "SK-7/2026"
    assert lines["LPG"].state == "eligible"
    assert lines["PKH"].state == "not_eligible"  # one adult of 46: no component
    assert lines["PKH"].reason_codes == ["no_pkh_component"]


def test_a_recipient_who_stops_qualifying_is_flagged_not_dropped(app, household_at):
    hh = household_at(desil=2)
    _recipient_list("SEMBAKO", hh)
    hh.status = "graduated"
    db.session.commit()
    evaluate_all(None, TODAY)
    with app.test_request_context("/"):
        sembako = _by_code(program_lines(hh, TODAY))["SEMBAKO"]
    assert sembako.state == "receiving"
    assert sembako.needs_review
    assert db.session.scalar(select(Recipient.state)) == "active"


def test_a_list_out_of_its_period_does_not_count(app, household_at):
    hh = household_at(desil=2)
    _recipient_list("SEMBAKO", hh, valid_until=date(2026, 6, 30))
    with app.test_request_context("/"):
        assert _by_code(program_lines(hh, TODAY))["SEMBAKO"].state == "eligible"
