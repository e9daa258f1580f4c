"""The SQL evaluation agrees with a plain per-household reference, on random households."""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bansos_app.eligibility.evaluation import answers
from bansos_app.eligibility.models import COMPONENT_CODES, RuleVersion
from bansos_app.extensions import db
from bansos_app.registry.identity import kk_for, nik_for
from bansos_app.registry.models import Household, Person

AS_OF = date(2026, 12, 3)
STATUSES = ("active", "active", "active", "blocked", "graduated", "inactive")


def _age(born: date) -> int:
    return AS_OF.year - born.year - ((AS_OF.month, AS_OF.day) < (born.month, born.day))


def reference(hh: dict, rule: dict) -> tuple[str, set, int | None, int]:
    """What a clerk would work out by hand for one household: state, reasons, amount, counted."""
    reasons = set()
    if hh["status"] != "active":
        reasons.add(hh["status"])
    living = [p for p in hh["members"] if p["deceased"] is None or p["deceased"] > AS_OF]
    if not living:
        reasons.add("no_living_member")
    if not rule["lo"] <= hh["desil"] <= rule["hi"]:
        reasons.add("desil_out_of_range")
    values = []
    for p in living:
        age = _age(p["born"])
        has = {
            "pregnant": p["pregnant"],
            "child_0_6": age <= 6,
            "SD": p["school"] == "SD",
            "SMP": p["school"] == "SMP",
            "SMA": p["school"] == "SMA",
            "disability": p["disability"],
            "elderly": age >= rule["elderly_age"],
        }
        # A component worth Rp0 is switched off.
        counted = [code for code, amount in rule["components"].items() if has[code] and amount]
        if counted:
            values.append(sum(rule["components"][code] for code in counted))
    amount, counted = rule["amount"], 0
    if any(rule["components"].values()):
        top = sorted(values, reverse=True)[: rule["cap"]]
        counted, amount = len(top), sum(top)
        if not top:
            reasons.add("no_pkh_component")
    state = "not_eligible" if reasons else "eligible"
    return state, reasons, amount if state == "eligible" else None, counted


born_dates = st.one_of(
    st.dates(date(1930, 1, 1), AS_OF),
    # Birthdays right at the age limits are where an off-by-one would hide.
    st.sampled_from(
        [
            AS_OF.replace(year=AS_OF.year - n) + timedelta(days=d)
            for n in (6, 7, 60, 65)
            for d in (-1, 0, 1)
        ]
    ),
)
persons = st.fixed_dictionaries(
    {
        "born": born_dates,
        "deceased": st.one_of(st.none(), st.dates(date(2020, 1, 1), AS_OF + timedelta(days=30))),
        "pregnant": st.booleans(),
        "school": st.sampled_from([None, None, "SD", "SMP", "SMA"]),
        "disability": st.booleans(),
    }
)
households = st.fixed_dictionaries(
    {
        "desil": st.integers(1, 10),
        "status": st.sampled_from(STATUSES),
        "members": st.lists(persons, min_size=0, max_size=7),
    }
)
rules = st.fixed_dictionaries(
    {
        "lo": st.integers(1, 5),
        "hi": st.integers(5, 10),
        "cap": st.integers(1, 5),
        "elderly_age": st.sampled_from([60, 65, 70]),
        "amount": st.one_of(st.none(), st.integers(0, 500_000)),
        "components": st.one_of(
            st.just({}),
            st.dictionaries(
                st.sampled_from(COMPONENT_CODES), st.integers(0, 5_000_000), min_size=1
            ),
        ),
    }
)


def _store(hhs: list[dict]) -> list[int]:
    ids = []
    for n, hh in enumerate(hhs):
        household = Household(
            kk_number=kk_for("170312", date(2015, 1, 1), 100 + n),
            village_code="17.03.12.2003",
            desil=hh["desil"],
            status=hh["status"],
        )
        for i, p in enumerate(hh["members"]):
            household.members.append(
                Person(
                    nik=nik_for("170312", date(1990, 1, 1), "L", 1 + n * 10 + i),
                    name=f"P{n}-{i}",
                    birth_date=p["born"],
                    sex="L",
                    deceased_date=p["deceased"],
                    pregnant=p["pregnant"],
                    school_level=p["school"],
                    severe_disability=p["disability"],
                )
            )
        db.session.add(household)
        db.session.flush()
        ids.append(household.id)
    return ids


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(hhs=st.lists(households, min_size=1, max_size=6), rule=rules)
def test_sql_answers_match_the_reference(ctx, regions, hhs, rule):
    version = RuleVersion(
        id=999,
        program_code="PKH",
        effective_from=date(2025, 1, 1),
        desil_min=rule["lo"],
        desil_max=rule["hi"],
        amount=rule["amount"],
        member_cap=rule["cap"],
        elderly_age=rule["elderly_age"],
    )
    try:
        ids = _store(hhs)
        rows = db.session.execute(answers(version, AS_OF, ids, rule["components"])).all()
        got = {
            r.household_id: (r.state, set(r.reasons.split()), r.amount, r.members_counted)
            for r in rows
        }
        assert got == {i: reference(hh, rule) for i, hh in zip(ids, hhs, strict=True)}
    finally:
        db.session.rollback()
