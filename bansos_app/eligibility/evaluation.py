"""Evaluate every household against the rules in force, set-based in SQL, and store the answers.

One INSERT ... SELECT ... ON CONFLICT per program computes the answer for every household (or
for a few), so that 250,000 households take seconds and one household takes milliseconds. Rows
are rewritten only when the answer changes, so `changed_at` says since when it holds.
"""

from collections.abc import Callable
from datetime import date, datetime
from functools import reduce
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, case, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..audit.services import record
from ..extensions import db
from ..models_base import utcnow
from ..registry.models import Household, Person
from .models import Eligibility, EvaluationRun, Program, RuleVersion

JAKARTA = ZoneInfo("Asia/Jakarta")


def local_today() -> date:
    """Return today's date in Indonesia (WIB), the day rules and ages are taken from."""
    return datetime.now(JAKARTA).date()


def rules_in_force(as_of: date) -> dict[str, RuleVersion]:
    """Return, per program code, the latest version whose effective date has come."""
    versions = db.session.scalars(
        select(RuleVersion)
        .where(RuleVersion.effective_from <= as_of)
        .order_by(RuleVersion.program_code, RuleVersion.effective_from)
    )
    return {v.program_code: v for v in versions}  # later dates overwrite earlier ones


def _years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _living(as_of: date):
    return or_(Person.deceased_date.is_(None), Person.deceased_date > as_of)


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


def _sum_of(terms):
    """Add SQL terms with +, without a leading 0 bound parameter."""
    return reduce(lambda a, b: a + b, terms)


def _pkh_totals(version: RuleVersion, as_of: date, components: dict, household_ids):
    """Per household: yearly total of the `member_cap` highest-valued counted members."""
    conditions = _component_conditions(version, as_of)
    value = _sum_of(
        case((conditions[c], literal(amount)), else_=literal(0)) for c, amount in components.items()
    )
    counts = _sum_of(case((conditions[c], literal(1)), else_=literal(0)) for c in components)
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
        .where(ranked.c.rn <= (version.member_cap or 4))
        .group_by(ranked.c.household_id)
        .subquery()
    )


def answers(version: RuleVersion, as_of: date, household_ids=None, components=None):
    """Return a SELECT of every household's answer under `version` (or only `household_ids`).

    Columns: household_id, village_code, program_code, state, reasons, rule_version_id,
    amount, members_counted. `components` (code -> yearly rupiah) stands in for the version's
    own, for a draft that is not saved yet.
    """
    if components is None:
        components = {c.code: c.yearly_amount for c in version.components}
    living = (
        select(Person.household_id, func.count().label("n"))
        .where(_living(as_of))
        .group_by(Person.household_id)
    )
    if household_ids is not None:
        living = living.where(Person.household_id.in_(household_ids))
    living = living.subquery()
    reason_parts = [
        case((Household.status == status, literal(f"{status} ")), else_=literal(""))
        for status in ("blocked", "graduated", "inactive")
    ]
    reason_parts.append(
        case((func.coalesce(living.c.n, 0) == 0, literal("no_living_member ")), else_=literal(""))
    )
    reason_parts.append(
        case(
            (Household.desil.between(version.desil_min, version.desil_max), literal("")),
            else_=literal("desil_out_of_range "),
        )
    )
    pkh = _pkh_totals(version, as_of, components, household_ids) if components else None
    if pkh is not None:
        reason_parts.append(
            case((pkh.c.counted.is_(None), literal("no_pkh_component ")), else_=literal(""))
        )
    reasons = reason_parts[0]
    for part in reason_parts[1:]:
        reasons = reasons.concat(part)
    reasons = func.rtrim(reasons)
    eligible = reasons == ""
    amount = pkh.c.yearly if pkh is not None else literal(version.amount, Integer)
    query = select(
        Household.id.label("household_id"),
        Household.village_code.label("village_code"),
        literal(version.program_code).label("program_code"),
        case((eligible, literal("eligible")), else_=literal("not_eligible")).label("state"),
        reasons.label("reasons"),
        literal(version.id, Integer).label("rule_version_id"),
        case((eligible, amount), else_=None).label("amount"),
        (func.coalesce(pkh.c.counted, 0) if pkh is not None else literal(0)).label(
            "members_counted"
        ),
    ).outerjoin(living, living.c.household_id == Household.id)
    if pkh is not None:
        query = query.outerjoin(pkh, pkh.c.household_id == Household.id)
    if household_ids is not None:
        return query.where(Household.id.in_(household_ids))
    return query


def _no_rule_answers(program_code: str, household_ids=None):
    """Every household's answer for a program that has no version in force yet."""
    query = select(
        Household.id.label("household_id"),
        Household.village_code.label("village_code"),
        literal(program_code).label("program_code"),
        literal("not_eligible").label("state"),
        literal("no_rule").label("reasons"),
        literal(None, Integer).label("rule_version_id"),
        literal(None, Integer).label("amount"),
        literal(0).label("members_counted"),
    )
    if household_ids is not None:
        return query.where(Household.id.in_(household_ids))
    return query


def _upsert(source, as_of: date) -> int:
    """Store the answers of `source`, rewriting a row only when its answer changed."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    columns = ["household_id", "program_code", "state", "reasons", "rule_version_id", "amount"]
    columns += ["members_counted"]
    rows = select(*(source.c[name] for name in columns), literal(as_of), literal(utcnow()))
    rows = rows.where(source.c.household_id > 0)  # SQLite needs a WHERE before ON CONFLICT
    insert = dialect.insert(Eligibility).from_select(columns + ["as_of", "changed_at"], rows)
    new = insert.excluded
    changed = or_(
        Eligibility.state != new.state,
        Eligibility.reasons != new.reasons,
        Eligibility.rule_version_id.is_distinct_from(new.rule_version_id),
        Eligibility.amount.is_distinct_from(new.amount),
        Eligibility.members_counted != new.members_counted,
    )
    insert = insert.on_conflict_do_update(
        index_elements=["household_id", "program_code"],
        set_={name: new[name] for name in columns[2:] + ["as_of", "changed_at"]},
        where=changed,
    )
    # An INSERT's rowcount is kept only when asked for (it counts rows inserted or changed).
    result = db.session.execute(insert.execution_options(preserve_rowcount=True))
    return max(result.rowcount, 0)


def evaluate(as_of: date, household_ids=None, progress: Callable | None = None) -> dict:
    """Recompute and store the answers of every program; return rows changed per program."""
    in_force = rules_in_force(as_of)
    programs = db.session.scalars(select(Program.code).order_by(Program.sort_order)).all()
    changed = {}
    for done, code in enumerate(programs, start=1):
        version = in_force.get(code)
        source = (
            answers(version, as_of, household_ids)
            if version is not None
            else _no_rule_answers(code, household_ids)
        )
        changed[code] = _upsert(source.subquery(), as_of)
        if progress:
            progress(done, len(programs))
    return changed


def evaluate_household(household, actor=None, as_of: date | None = None) -> None:
    """Re-evaluate one household now, in the caller's transaction (the caller commits)."""
    db.session.flush()  # the edit that asked for this must be visible to the SQL below
    evaluate(as_of or local_today(), [household.id])
    db.session.expire(household)


def evaluate_all(actor=None, as_of: date | None = None, progress=None) -> EvaluationRun:
    """Re-evaluate every household for every program, record the run, audit it and commit."""
    as_of = as_of or local_today()
    run = EvaluationRun(as_of=as_of, actor_id=getattr(actor, "id", None))
    db.session.add(run)
    changed = evaluate(as_of, progress=progress)
    run.changed = sum(changed.values())
    run.finished_at = utcnow()
    db.session.execute(
        update(RuleVersion)
        .where(RuleVersion.effective_from <= as_of, RuleVersion.applied_at.is_(None))
        .values(applied_at=utcnow())
    )
    db.session.flush()
    record(actor, "eligibility.evaluated", run, as_of=as_of.isoformat(), changed=changed)
    db.session.commit()
    return run


def evaluation_due(as_of: date) -> bool:
    """Whether a full run is due: none yet for this day, or a version took effect unapplied."""
    ran_today = db.session.scalar(select(EvaluationRun.id).where(EvaluationRun.as_of == as_of))
    unapplied = db.session.scalar(
        select(RuleVersion.id).where(
            and_(RuleVersion.effective_from <= as_of, RuleVersion.applied_at.is_(None))
        )
    )
    return ran_today is None or unapplied is not None


def evaluate_if_due(as_of: date | None = None) -> EvaluationRun | None:
    """Run a full evaluation when one is due (the scheduled job calls this)."""
    as_of = as_of or local_today()
    return evaluate_all(None, as_of) if evaluation_due(as_of) else None
