"""Rule versions as services: validation, the impact preview per village, saving with audit."""

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bansos_app.audit.models import AuditEvent
from bansos_app.auth.models import User
from bansos_app.eligibility.evaluation import answers, local_today, rules_in_force
from bansos_app.eligibility.models import COMPONENT_CODES, RuleVersion
from bansos_app.eligibility.rules import (
    RuleDraft,
    RuleError,
    add_rule_version,
    preview_rule_change,
    programs_overview,
    rule_versions,
    validate_draft,
    version_state,
)
from bansos_app.extensions import db
from bansos_app.registry.models import Household

PKH_AMOUNTS = {
    "pregnant": 3_000_000,
    "child_0_6": 3_000_000,
    "SD": 900_000,
    "SMP": 1_500_000,
    "SMA": 2_000_000,
    "disability": 2_400_000,
    "elderly": 2_400_000,
}


@pytest.fixture
def ctx(app):
    """A request context: messages are lazy and render in the request's language."""
    with app.test_request_context("/"):
        yield
        db.session.rollback()


def next_month() -> date:
    """The first day of next month, Indonesian time."""
    return (local_today().replace(day=1) + timedelta(days=32)).replace(day=1)


def sembako(**changes) -> RuleDraft:
    base = RuleDraft(next_month(), 1, 4, "Kepmensos 12/HUK/2027", amount=200_000)
    return replace(base, **changes)


def pkh(**changes) -> RuleDraft:
    base = RuleDraft(next_month(), 1, 4, "Kepmensos 13/HUK/2027", None, 4, 60, dict(PKH_AMOUNTS))
    return replace(base, **changes)


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _desil_households(desil: int) -> dict[str, int]:
    """Active households of one desil, counted per village (each demo household has members)."""
    rows = db.session.execute(
        select(Household.village_code, func.count())
        .where(Household.desil == desil, Household.status == "active")
        .group_by(Household.village_code)
    )
    return dict(rows.all())


def test_seeded_versions_are_listed_and_the_one_in_force_is_marked(ctx):
    versions = rule_versions("SEMBAKO")
    assert [(v.desil_min, v.desil_max, v.amount) for v in versions] == [(1, 5, 200_000)]
    today = local_today()
    in_force = rules_in_force(today)["SEMBAKO"]
    assert version_state(versions[0], in_force, today) == "berlaku"
    overview = {row["program"].code: row for row in programs_overview(today)}
    assert list(overview) == ["PKH", "SEMBAKO", "LPG", "LISTRIK", "PBI"]
    assert overview["PKH"]["in_force"].member_cap == 4
    assert overview["SEMBAKO"]["upcoming"] == []


def test_a_good_draft_has_no_errors(ctx):
    assert validate_draft("SEMBAKO", sembako()) == []
    assert validate_draft("PKH", pkh()) == []
    assert validate_draft("PBI", sembako(amount=None)) == []  # insurance: no sum per distribution


@pytest.mark.parametrize(
    ("program", "draft", "field", "message"),
    [
        ("SEMBAKO", sembako(desil_min=5, desil_max=4), "desil_min", "tidak boleh di atas"),
        ("SEMBAKO", sembako(desil_max=11), "desil_max", "antara 1 dan 10"),
        ("SEMBAKO", sembako(desil_min=0), "desil_min", "antara 1 dan 10"),
        ("SEMBAKO", sembako(effective_from=date(2020, 1, 1)), "effective_from", "sebelum hari"),
        ("SEMBAKO", sembako(effective_from=date(2025, 4, 1)), "effective_from", "sebelum hari"),
        ("SEMBAKO", sembako(amount=-1), "amount", "tidak boleh negatif"),
        ("SEMBAKO", sembako(amount=None), "amount", "Isi nilai"),
        ("SEMBAKO", sembako(note="  "), "note", "dasar perubahan"),
        ("PKH", pkh(member_cap=0), "member_cap", "paling sedikit 1"),
        ("PKH", pkh(elderly_age=5), "elderly_age", "Usia lansia"),
        ("PKH", pkh(components={**PKH_AMOUNTS, "SD": -900}), "comp_SD", "tidak boleh negatif"),
        ("PKH", pkh(components=dict.fromkeys(PKH_AMOUNTS, 0)), "comp_pregnant", "komponen"),
        ("NOPE", sembako(), "program", "tidak dikenal"),
    ],
)
def test_bad_drafts_are_refused_with_a_reason(ctx, program, draft, field, message):
    errors = validate_draft(program, draft)
    assert [f for f, _ in errors] == [field]
    assert message in str(errors[0][1])


def test_a_date_taken_by_an_upcoming_version_or_not_after_the_one_in_force(ctx, demo):
    add_rule_version(_user("dinsos"), "SEMBAKO", sembako())
    errors = validate_draft("SEMBAKO", sembako(desil_max=3))
    assert [(f, str(m)) for f, m in errors] == [
        ("effective_from", "Sudah ada versi yang berlaku mulai tanggal itu.")
    ]
    # A version in force from today: the next one must come after today.
    today = local_today()
    db.session.get(RuleVersion, 2).effective_from = today
    assert validate_draft("SEMBAKO", sembako(effective_from=today))[0][0] == "effective_from"


def test_preview_of_sembako_for_desil_1_to_4_counts_desil_5_as_losing(ctx, demo):
    preview = preview_rule_change("SEMBAKO", sembako())
    assert preview.baseline.id == rules_in_force(next_month())["SEMBAKO"].id
    assert {v.code: v.lose for v in preview.villages} == _desil_households(5)
    assert preview.gain == 0 and preview.lose == sum(_desil_households(5).values()) == 2
    village = preview.villages[0]
    assert village.name and village.name != village.code
    (person,) = village.lose_sample
    assert person["is_nik"] and "********" in person["number"] and person["name"]


def test_preview_of_a_wider_range_counts_gains_with_a_limited_sample(ctx, demo):
    preview = preview_rule_change("SEMBAKO", sembako(desil_max=9), sample=1)
    expected = {}
    for desil in (6, 7, 8, 9):
        for code, n in _desil_households(desil).items():
            expected[code] = expected.get(code, 0) + n
    assert {v.code: v.gain for v in preview.villages} == expected
    assert preview.lose == 0
    assert all(len(v.gain_sample) <= 1 for v in preview.villages)


def test_preview_of_pkh_compares_the_draft_components_and_range(ctx, demo):
    unchanged = preview_rule_change("PKH", pkh())
    assert (unchanged.gain, unchanged.lose) == (0, 0) and unchanged.villages == []
    day = next_month()
    current = select(answers(rules_in_force(day)["PKH"], day).subquery())
    desil = {h.id: h.desil for h in db.session.scalars(select(Household))}
    desil_4 = [
        r
        for r in db.session.execute(current)
        if r.state == "eligible" and desil[r.household_id] == 4
    ]
    narrower = preview_rule_change("PKH", pkh(desil_max=3))
    assert (narrower.gain, narrower.lose) == (0, len(desil_4))
    assert len(desil_4) > 0


def test_saving_keeps_the_old_version_and_audits_the_impact(ctx, demo):
    dinsos = _user("dinsos")
    version = add_rule_version(dinsos, "SEMBAKO", sembako())
    versions = rule_versions("SEMBAKO")
    assert [v.id for v in versions] == [version.id, 2]
    assert (version.desil_min, version.desil_max, version.created_by_id) == (1, 4, dinsos.id)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "rules.version_added"))
    details = json.loads(event.details)
    assert details["program"] == "SEMBAKO"
    assert details["effective_from"] == next_month().isoformat()
    assert (details["desil_min"], details["desil_max"], details["amount"]) == (1, 4, 200_000)
    assert (details["gain"], details["lose"], details["replaces"]) == (0, 2, 2)
    assert details["note"] == "Kepmensos 12/HUK/2027"
    assert event.object_id == str(version.id)
    # Still the old rule today; the new one is upcoming.
    assert rules_in_force(local_today())["SEMBAKO"].id == 2
    assert rules_in_force(next_month())["SEMBAKO"].id == version.id


def test_saving_pkh_stores_every_component(ctx, demo):
    version = add_rule_version(_user("admin"), "PKH", pkh(member_cap=3))
    assert {c.code: c.yearly_amount for c in version.components} == PKH_AMOUNTS
    assert [c.code for c in version.components] == list(COMPONENT_CODES)
    assert version.member_cap == 3 and version.amount is None


@pytest.mark.parametrize("username", ["operator", "auditor", "pendamping"])
def test_only_dinsos_may_save(ctx, demo, username):
    with pytest.raises(PermissionError):
        add_rule_version(_user(username), "SEMBAKO", sembako())
    assert len(rule_versions("SEMBAKO")) == 1


def test_a_bad_draft_changes_nothing(ctx, demo):
    with pytest.raises(RuleError) as caught:
        add_rule_version(_user("dinsos"), "SEMBAKO", sembako(desil_min=6))
    assert caught.value.errors[0][0] == "desil_min"
    db.session.rollback()
    assert len(rule_versions("SEMBAKO")) == 1
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "rules.version_added")
        )
        == 0
    )


def test_a_draft_after_an_upcoming_version_is_compared_with_that_version(ctx, demo):
    first = add_rule_version(_user("dinsos"), "SEMBAKO", sembako())
    later = next_month() + timedelta(days=40)
    preview = preview_rule_change("SEMBAKO", sembako(effective_from=later, desil_max=5))
    assert preview.baseline.id == first.id
    assert (preview.gain, preview.lose) == (2, 0)


def test_on_its_date_the_new_version_names_the_answers_it_produces(ctx, demo):
    from bansos_app.eligibility.evaluation import evaluate_all
    from bansos_app.eligibility.models import Eligibility

    version = add_rule_version(_user("dinsos"), "SEMBAKO", sembako())
    evaluate_all(None, as_of=next_month())
    rows = db.session.scalars(select(Eligibility).where(Eligibility.program_code == "SEMBAKO"))
    by_desil = {}
    for row in rows:
        desil = db.session.get(Household, row.household_id).desil
        by_desil.setdefault(desil, set()).add((row.rule_version_id, row.state, row.reasons))
    assert all(v == version.id for answers_ in by_desil.values() for v, _, _ in answers_)
    assert by_desil[5] == {(version.id, "not_eligible", "desil_out_of_range")}


@pytest.mark.parametrize(
    ("code", "draft"),
    [
        ("SEMBAKO", sembako()),
        ("SEMBAKO", sembako(desil_min=3, desil_max=8)),
        ("LPG", sembako(desil_min=2, desil_max=2, amount=60_000)),
        ("PKH", pkh(desil_max=6)),
        ("PKH", pkh(elderly_age=100)),
        ("PKH", pkh(desil_min=2, elderly_age=45, member_cap=1)),
        ("PKH", pkh(components={**PKH_AMOUNTS, "SD": 1})),
        ("PKH", pkh(components={**PKH_AMOUNTS, "elderly": 0, "SMA": 0}, member_cap=1)),
        ("PKH", pkh(desil_max=3, member_cap=2)),
        ("PKH", pkh(desil_max=5, elderly_age=70)),
        ("PKH", pkh(elderly_age=50)),
    ],
)
def test_preview_matches_a_plain_comparison_of_every_household(ctx, demo, code, draft):
    """The preview looks only at households whose desil can matter: check it against both
    answers for every household, compared one by one."""
    from bansos_app.eligibility.rule_preview import draft_version

    day = draft.effective_from
    baseline = rules_in_force(day)[code]
    components = draft.components if code == "PKH" else None
    new = answers(draft_version(code, draft), day, components=components).subquery()
    old = answers(baseline, day).subquery()
    before = {r.household_id: r.state for r in db.session.execute(select(old))}
    expected = {}
    for r in db.session.execute(select(new)):
        if r.state != before[r.household_id]:
            key = (r.village_code, "gain" if r.state == "eligible" else "lose")
            expected[key] = expected.get(key, 0) + 1
    preview = preview_rule_change(code, draft)
    got = {(v.code, c): getattr(v, c) for v in preview.villages for c in ("gain", "lose")}
    assert {k: n for k, n in got.items() if n} == expected
