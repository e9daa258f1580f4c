"""Evaluate every household against the rules in force, set-based in SQL, and store the answers.

One INSERT ... SELECT ... ON CONFLICT per program computes the answer for every household (or
for a few), so that 250,000 households take seconds and one household takes milliseconds. Rows
are rewritten only when the answer changes, so `changed_at` says since when it holds.
"""

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from ..audit.services import record
from ..extensions import db
from ..models_base import utcnow
from .answers import Rule, answers, answers_for, rule_for
from .models import Eligibility, EvaluationRun, Program, RuleVersion

__all__ = ["answers", "evaluate_all", "evaluate_household", "evaluate_if_due", "local_today"]

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


# The answer's columns, as the upsert and the scratch table both write them.
_COLUMNS = ["state", "reasons", "rule_version_id", "amount", "members_counted"]


def _differs(new):
    """Whether a stored answer differs from the fresh one in `new` (its columns by name)."""
    return or_(
        Eligibility.state != new.state,
        Eligibility.reasons != new.reasons,
        Eligibility.rule_version_id.is_distinct_from(new.rule_version_id),
        Eligibility.amount.is_distinct_from(new.amount),
        Eligibility.members_counted != new.members_counted,
    )


def _upsert(source, as_of: date) -> int:
    """Store the answers of `source`, rewriting a row only when its answer changed."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    columns = ["household_id", "program_code", *_COLUMNS]
    rows = select(*(source.c[name] for name in columns), literal(as_of), literal(utcnow()))
    rows = rows.where(source.c.household_id > 0)  # SQLite needs a WHERE before ON CONFLICT
    insert = dialect.insert(Eligibility).from_select(columns + ["as_of", "changed_at"], rows)
    new = insert.excluded
    changed = _differs(new)
    insert = insert.on_conflict_do_update(
        index_elements=["household_id", "program_code"],
        set_={name: new[name] for name in columns[2:] + ["as_of", "changed_at"]},
        where=changed,
    )
    # An INSERT's rowcount is kept only when asked for (it counts rows inserted or changed).
    result = db.session.execute(insert.execution_options(preserve_rowcount=True))
    return max(result.rowcount, 0)


# Scratch table for a full run, one per connection (TEMPORARY): the fresh answers go here
# first, then only the rows that differ are written to `eligibility`.
_scratch = Table(
    "eligibility_new",
    MetaData(),
    Column("household_id", Integer),
    Column("program_code", String(12)),
    Column("state", String(12)),
    Column("reasons", String(120)),
    Column("rule_version_id", Integer),
    Column("amount", Integer),
    Column("members_counted", Integer),
    prefixes=["TEMPORARY"],
)


def _store_all(source, as_of: date, progress) -> int:
    """Store every household's answers: compute once, update what changed, add what is new.

    An upsert over 1.25 million rows locks and rewrites every row even when nothing changed;
    an UPDATE ... FROM a scratch table touches only the rows whose answer differs.
    """
    connection = db.session.connection()
    _scratch.drop(connection, checkfirst=True)
    _scratch.create(connection)
    keys = ["household_id", "program_code"]
    connection.execute(
        insert(_scratch).from_select(
            keys + _COLUMNS, select(*(source.c[k] for k in keys + _COLUMNS))
        )
    )
    if connection.dialect.name == "postgresql":
        connection.execute(text("ANALYZE eligibility_new"))  # so the joins below hash
    progress(1, 3)
    new = _scratch.c
    same_row = and_(
        Eligibility.household_id == new.household_id, Eligibility.program_code == new.program_code
    )
    changed = _differs(new)
    updated = connection.execute(
        update(Eligibility)
        .where(same_row, changed)
        .values({**{c: new[c] for c in _COLUMNS}, "as_of": as_of, "changed_at": utcnow()})
    ).rowcount
    progress(2, 3)
    rows = select(*(new[k] for k in keys + _COLUMNS), literal(as_of), literal(utcnow()))
    # New rows by ON CONFLICT DO NOTHING rather than NOT EXISTS: on an empty, analysed table
    # PostgreSQL plans NOT EXISTS as a nested loop that rescans what it inserts (quadratic).
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    added = connection.execute(
        dialect.insert(Eligibility)
        .from_select(keys + _COLUMNS + ["as_of", "changed_at"], rows.where(new.household_id > 0))
        .on_conflict_do_nothing(index_elements=keys)
        .execution_options(preserve_rowcount=True)
    ).rowcount
    _scratch.drop(connection)
    progress(3, 3)
    return max(updated, 0) + max(added, 0)


def evaluate(as_of: date, household_ids=None, progress: Callable | None = None) -> int:
    """Recompute and store the answers of every program; return the rows changed."""
    in_force = rules_in_force(as_of)
    codes = db.session.scalars(select(Program.code).order_by(Program.sort_order)).all()
    rules = [rule_for(in_force[c]) if c in in_force else Rule(c, None) for c in codes]
    source = answers_for(rules, as_of, household_ids).subquery()
    if household_ids is None:
        return _store_all(source, as_of, progress or (lambda done, total: None))
    return _upsert(source, as_of)


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
    run.changed = evaluate(as_of, progress=progress)
    run.finished_at = utcnow()
    db.session.execute(
        update(RuleVersion)
        .where(RuleVersion.effective_from <= as_of, RuleVersion.applied_at.is_(None))
        .values(applied_at=utcnow())
    )
    db.session.flush()
    record(actor, "eligibility.evaluated", run, as_of=as_of.isoformat(), changed=run.changed)
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
