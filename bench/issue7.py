"""Issue 7's performance targets on PostgreSQL with 250,000 households (about 1,000,000 persons).

Prints one line per figure with its target: full re-evaluation (twice: first run inserts,
second rewrites only changes), one household's re-evaluation, a rule change's impact preview,
registry search by name, and the compressed size of each registry list fragment. A measurement
whose code has not landed yet prints "not available yet".

Usage: python -m bench.issue7 [--households 250000] [--db bansos_bench] [--fresh] [--samples 50]
"""

import argparse
import importlib
import random
import statistics
import time
from datetime import date

from sqlalchemy import func, select, text

from bansos_app.extensions import db
from bansos_app.registry.demo_names import FEMALE, MALE, SECOND
from bansos_app.registry.models import Household, Person

from .fragments import fragment_sizes

USERNAME, PASSWORD = "bench_dinsos", "bench-dinsos-pass-1"


def _optional(module: str, name: str):
    """The function if its module and name exist yet, else None (others are writing them)."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _median_p95(times: list[float]) -> str:
    ordered = sorted(times)
    return f"median {_ms(statistics.median(ordered))}, p95 {_ms(ordered[int(len(ordered) * 0.95)])}"


def bench_user():
    """Return the Dinsos admin the measurements act as, created on first use."""
    from bansos_app.auth.models import User
    from bansos_app.auth.services import create_user

    user = db.session.scalar(select(User).where(User.username == USERNAME))
    if user is None:
        user = create_user(None, USERNAME, PASSWORD, "dinsos_admin")
        db.session.commit()
    return user


def _forget_answers() -> None:
    """Empty the stored answers so that every run's first evaluation inserts them all."""
    from bansos_app.eligibility.models import Eligibility

    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("TRUNCATE eligibility"))
    else:
        db.session.execute(Eligibility.__table__.delete())
    db.session.commit()


def measure_evaluate_all(out=print) -> None:
    """Full re-evaluation of every program, twice (target 30 s each)."""
    evaluate_all = _optional("bansos_app.eligibility.evaluation", "evaluate_all")
    if evaluate_all is None:
        out("full re-evaluation (evaluate_all): not available yet")
        return
    _forget_answers()
    for label in ("first run, empty table", "second run, unchanged data"):
        started = time.perf_counter()
        run = evaluate_all()
        took = time.perf_counter() - started
        changed = getattr(run, "changed", "?")
        out(f"full re-evaluation, {label}: {took:.1f} s ({changed} rows changed; target 30 s)")


def _random_households(n: int, seed: int = 5) -> list[int]:
    top = db.session.scalar(select(func.max(Household.id))) or 0
    rng = random.Random(seed)
    wanted = {rng.randint(1, top) for _ in range(n * 2)} if top else set()
    ids = db.session.scalars(select(Household.id).where(Household.id.in_(wanted))).all()
    return sorted(ids)[:n]


def measure_household(samples: int, out=print) -> None:
    """One household's re-evaluation after an edit (target 20 ms median); nothing is kept."""
    evaluate_household = _optional("bansos_app.eligibility.evaluation", "evaluate_household")
    if evaluate_household is None:
        out("one household's re-evaluation (evaluate_household): not available yet")
        return
    times = []
    for hid in _random_households(samples):
        household = db.session.get(Household, hid)
        member = household.members[-1]
        # An edit like the registry page's (a disability recorded), so answers really change.
        member.severe_disability = not member.severe_disability
        db.session.flush()
        started = time.perf_counter()
        evaluate_household(household)
        db.session.flush()
        times.append(time.perf_counter() - started)
        db.session.rollback()
    out(
        f"one household's re-evaluation after an edit, {len(times)} households: "
        f"{_median_p95(times)} (target 20 ms)"
    )


def _next_month(today: date) -> date:
    return date(today.year + today.month // 12, today.month % 12 + 1, 1)


def measure_preview(out=print) -> None:
    """Impact preview of Sembako limited to desil 1-4 from next month (target 5 s)."""
    preview = _optional("bansos_app.eligibility.rules", "preview_rule_change")
    if preview is None:
        out("rule change impact preview (preview_rule_change): not available yet")
        return
    from bansos_app.eligibility.rules import RuleDraft

    draft = RuleDraft(
        effective_from=_next_month(date.today()),
        desil_min=1,
        desil_max=4,
        note="bench",
        amount=200_000,
    )
    times = []
    for _ in range(2):  # the first run also warms PostgreSQL's cache
        started = time.perf_counter()
        result = preview("SEMBAKO", draft)
        times.append(time.perf_counter() - started)
        db.session.rollback()
    out(
        f"rule change impact preview, Sembako to desil 1-4: {times[0]:.2f} s, again "
        f"{times[1]:.2f} s ({result.lose:,} households lose it in {len(result.villages)} "
        f"villages; target 5 s)"
    )


def search_terms(n: int = 30, seed: int = 3) -> list[str]:
    """Realistic name searches: a given name, a full name, a second name, a fragment."""
    rng = random.Random(seed)
    terms = []
    for i in range(n):
        given = rng.choice(MALE + FEMALE)
        kind = i % 4
        term = (given, f"{given} {rng.choice(SECOND)}", rng.choice(SECOND), given[:4].lower())
        terms.append(term[kind])
    return terms


def measure_search(actor, terms: list[str], out=print) -> None:
    """Registry search by name through the service, one page of rows (target 50 ms median)."""
    search = _optional("bansos_app.registry.services", "search_households")
    if search is None:
        out("registry search by name (search_households): not available yet")
        return
    from bansos_app.registry.services import Filters

    search(actor, Filters(q=terms[0]))  # warm-up: the first query plans and caches
    times = []
    for term in terms:
        started = time.perf_counter()
        search(actor, Filters(q=term))
        times.append(time.perf_counter() - started)
        db.session.rollback()
    out(
        f"registry search by name (search_households, Dinsos: every village), {len(terms)} "
        f"names: {_median_p95(times)} (target 50 ms median)"
    )


def _sample_numbers() -> tuple[str, str]:
    """A NIK and a KK number from the registry, for the number searches (never printed)."""
    row = db.session.execute(
        select(Person.nik, Household.kk_number)
        .join(Household, Household.id == Person.household_id)
        .order_by(Person.id)
        .limit(1)
    ).first()
    return (row.nik, row.kk_number) if row else ("", "")


def run(app, samples: int = 50, search_count: int = 30, out=print) -> None:
    """Run every measurement against the app's database."""
    with app.app_context():
        actor = bench_user()
        households = db.session.scalar(select(func.count(Household.id)))
        persons = db.session.scalar(select(func.count(Person.id)))
        out(f"database {db.engine.dialect.name}: {households:,} households, {persons:,} persons")
        measure_evaluate_all(out)
        measure_household(samples, out)
        measure_preview(out)
        terms = search_terms(search_count)
        measure_search(actor, terms, out)
        nik, kk = _sample_numbers()
        village = db.session.scalar(select(Household.village_code).limit(1))
    fragment_sizes(app, USERNAME, PASSWORD, terms, nik, kk, village, out)


def main() -> None:
    """Build or reuse the 250,000-household database, then print every figure."""
    from .scale import ensure_registry

    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=250_000)
    parser.add_argument("--db", default="bansos_bench")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    app = ensure_registry(args.db, args.households, args.fresh)
    run(app, args.samples)


if __name__ == "__main__":
    main()
