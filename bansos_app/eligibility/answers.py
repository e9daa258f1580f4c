"""The SQL that answers "does this household qualify?" for every household and program at once.

Households are crossed with a small table of the rules in force (one row per program), so one
pass over households and persons answers every program; PKH's member totals are computed once.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import reduce

from sqlalchemy import Integer, String, and_, case, func, literal, or_, select, union_all

from ..registry.models import Household, Person
from .models import RuleVersion

STATUS_REASONS = ("blocked", "graduated", "inactive")


@dataclass
class Rule:
    """A program's rule for one evaluation: its version (None: no rule yet) and components."""

    program_code: str
    version: RuleVersion | None
    components: dict = field(default_factory=dict)  # code -> yearly rupiah (PKH)


def rule_for(version: RuleVersion, components: dict | None = None) -> Rule:
    """The Rule of a saved version, or of a draft with its own component amounts."""
    if components is None:
        components = {c.code: c.yearly_amount for c in version.components}
    # A component worth Rp0 is switched off: it must not make anyone eligible for nothing.
    return Rule(version.program_code, version, {c: a for c, a in components.items() if a > 0})


def _years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _living(as_of: date):
    return or_(Person.deceased_date.is_(None), Person.deceased_date > as_of)


def _sum_of(terms):
    """Add SQL terms with +, without a leading 0 bound parameter."""
    return reduce(lambda a, b: a + b, terms)


def _component_conditions(version: RuleVersion, as_of: date) -> dict:
    """Who counts for each PKH component on `as_of`, as SQL conditions on a person."""
    # A child 0-6 was born after the day seven years ago; an elderly person on or before the
    # day `elderly_age` years ago: the same whole-years age the kiosk shows.
    return {
        "pregnant": Person.pregnant.is_(True),
        "child_0_6": Person.birth_date > _years_before(as_of, 7),
        "SD": Person.school_level == "SD",
        "SMP": Person.school_level == "SMP",
        "SMA": Person.school_level == "SMA",
        "disability": Person.severe_disability.is_(True),
        "elderly": Person.birth_date <= _years_before(as_of, version.elderly_age or 60),
    }


def _component_totals(rule: Rule, as_of: date, household_ids):
    """Per household: yearly total of the `member_cap` highest-valued counted members."""
    conditions = _component_conditions(rule.version, as_of)
    pairs = rule.components.items()
    value = _sum_of(case((conditions[c], literal(a)), else_=literal(0)) for c, a in pairs)
    counts = _sum_of(case((conditions[c], literal(1)), else_=literal(0)) for c, _ in pairs)
    people = select(
        Person.household_id, Person.id, value.label("value"), counts.label("counts")
    ).where(_living(as_of))
    if household_ids is not None:
        people = people.where(Person.household_id.in_(household_ids))
    people = people.subquery()
    ranked = (
        select(
            people.c.household_id,
            people.c.value,
            func.row_number()
            .over(partition_by=people.c.household_id, order_by=(people.c.value.desc(), people.c.id))
            .label("rn"),
        )
        .where(people.c.counts > 0)
        .subquery()
    )
    return (
        select(
            ranked.c.household_id,
            func.sum(ranked.c.value).label("yearly"),
            func.count().label("counted"),
        )
        .where(ranked.c.rn <= (rule.version.member_cap or 4))
        .group_by(ranked.c.household_id)
        .subquery()
    )


def _rules_table(rules: list[Rule]):
    """The rules as a tiny derived table: one row per program (UNION ALL works everywhere)."""
    rows = [
        select(
            literal(r.program_code, String).label("program_code"),
            literal(r.version.id if r.version else None, Integer).label("rule_version_id"),
            literal(r.version.desil_min if r.version else 0, Integer).label("desil_min"),
            literal(r.version.desil_max if r.version else 0, Integer).label("desil_max"),
            literal(r.version.amount if r.version else None, Integer).label("amount"),
            literal(1 if r.version is None else 0, Integer).label("no_rule"),
        )
        for r in rules
    ]
    return (union_all(*rows) if len(rows) > 1 else rows[0]).subquery("rules")


def answers_for(rules: list[Rule], as_of: date, household_ids=None):
    """Return a SELECT of every household's answer for each rule (or only `household_ids`).

    Columns: household_id, village_code, program_code, state, reasons, rule_version_id,
    amount, members_counted.
    """
    table = _rules_table(rules)
    living = select(Person.household_id, func.count().label("n")).where(_living(as_of))
    if household_ids is not None:
        living = living.where(Person.household_id.in_(household_ids))
    living = living.group_by(Person.household_id).subquery()
    parts = [
        case((Household.status == s, literal(f"{s} ")), else_=literal("")) for s in STATUS_REASONS
    ]
    parts.append(case((func.coalesce(living.c.n, 0) == 0, literal("no_living_member ")), else_=""))
    parts.append(
        case(
            (Household.desil.between(table.c.desil_min, table.c.desil_max), literal("")),
            else_=literal("desil_out_of_range "),
        )
    )
    query = select(Household).select_from(Household).join(table, literal(True))
    query = query.outerjoin(living, living.c.household_id == Household.id)
    yearly, counted = [], []
    for rule in rules:
        if rule.version is None or not rule.components:
            continue
        totals = _component_totals(rule, as_of, household_ids)
        query = query.outerjoin(
            totals,
            and_(totals.c.household_id == Household.id, table.c.program_code == rule.program_code),
        )
        parts.append(
            case(
                (
                    and_(table.c.program_code == rule.program_code, totals.c.counted.is_(None)),
                    literal("no_pkh_component "),
                ),
                else_=literal(""),
            )
        )
        yearly.append(totals.c.yearly)
        counted.append(totals.c.counted)
    reasons = func.rtrim(reduce(lambda a, b: a.concat(b), parts))
    reasons = case((table.c.no_rule == 1, literal("no_rule")), else_=reasons)
    eligible = reasons == ""
    amount = func.coalesce(*yearly, table.c.amount) if yearly else table.c.amount
    members = func.coalesce(*counted, literal(0)) if counted else literal(0)
    query = query.with_only_columns(
        Household.id.label("household_id"),
        Household.village_code.label("village_code"),
        table.c.program_code.label("program_code"),
        case((eligible, literal("eligible")), else_=literal("not_eligible")).label("state"),
        reasons.label("reasons"),
        table.c.rule_version_id.label("rule_version_id"),
        case((eligible, amount), else_=None).label("amount"),
        members.label("members_counted"),
        maintain_column_froms=False,
    )
    if household_ids is not None:
        query = query.where(Household.id.in_(household_ids))
    return query


def answers(version: RuleVersion, as_of: date, household_ids=None, components=None):
    """Every household's answer under one version; `components` stands in for a draft's own."""
    return answers_for([rule_for(version, components)], as_of, household_ids)
