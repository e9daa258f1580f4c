"""Build a large PostgreSQL registry fast (COPY), kept between runs as a cache.

The households come from the demo generator (valid NIK/KK numbers, plausible families, desil
1-10, statuses, school levels, pregnancy, disability), with a few more deaths so that
"no living member" occurs. PostgreSQL gets them through COPY; any other database (the smoke
test's SQLite) through Core executemany batches.

Usage: python -m bench.scale [--households 250000] [--db bansos_bench] [--fresh]
"""

import argparse
import hashlib
import os
import random
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import func, select, text

from bansos_app.extensions import db
from bansos_app.models_base import utcnow
from bansos_app.registry.demo import PILOTS, REGENCY
from bansos_app.registry.demo_generator import Generator, Numbers
from bansos_app.registry.models import DesilHistory, Household, Person, Region
from bansos_app.registry.regions import load_regions

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations" / "versions"
SERVER = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
BATCH = 25_000
HOUSEHOLD_COLS = (
    *("id", "kk_number", "village_code", "address", "desil", "status", "status_reason"),
    *("status_changed_at", "created_at", "pin_failures"),
)
PERSON_COLS = (
    *("id", "nik", "household_id", "name", "birth_date", "sex", "relation", "deceased_date"),
    *("deceased_source", "pregnant", "school_level", "severe_disability"),
)
HISTORY_COLS = ("household_id", "desil", "source", "effective_date")
MODELS = {"household": Household, "person": Person}


def database_url(name: str) -> str:
    """Return the SQLAlchemy URL (psycopg 3) of a bench database on the local server."""
    return SERVER.replace("postgresql://", "postgresql+psycopg://", 1) + "/" + name


def migrations_fingerprint() -> str:
    """A hash of the migration files: a cached database built by other migrations is stale."""
    digest = hashlib.sha256()
    for path in sorted(MIGRATIONS.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def create_database(name: str, fresh: bool = False) -> bool:
    """Create the database if missing, dropping it first when fresh or stale; True when created.

    The migrations' fingerprint is kept as the database's comment: a migration edited in
    place (same revision, other schema) would otherwise go unnoticed by `upgrade()`.
    """
    stamp = migrations_fingerprint()
    with psycopg.connect(SERVER + "/postgres", autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (name,),
        ).fetchone()
        ident = sql.Identifier(name)
        if row and (fresh or row[0] != stamp):
            if not fresh:
                print(f"registry {name}: the migrations changed since it was built; rebuilding")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(ident))
            row = None
        if not row:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
            conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(ident, sql.Literal(stamp)))
        return not row


def _generator(seed: int, today: date) -> Generator:
    codes = db.session.scalars(
        select(Region.code)
        .where(Region.level == 4, Region.code.like(REGENCY + ".%"))
        .order_by(Region.code)
    ).all()
    kecamatans = sorted({c.replace(".", "")[:6] for c in codes})
    # As in the demo data: pilot villages, where the kiosks stand, hold more households.
    villages = list(codes) + [c for c in PILOTS for _ in range(10)]
    return Generator(random.Random(seed), today, villages, kecamatans, Numbers())


def _rows(gen: Generator, n: int, first_hid: int, first_pid: int, today: date):
    """Yield batches of (households, persons, history) as tuples in the COPY column order."""
    rng, now = gen.rng, utcnow()
    hid, pid = first_hid, first_pid
    households, persons, history = [], [], []
    for _ in range(n):
        row, members, hist = gen.household()
        if rng.random() < 0.005:
            # A head who died: single-person households end up with no living member.
            members[0]["deceased_date"] = today - timedelta(days=rng.randrange(10, 400))
        households.append(
            (hid, row["kk_number"], row["village_code"], row["address"], row["desil"])
            + (row["status"], row["status_reason"], row["status_changed_at"], now, 0)
        )
        for m in members:
            dead = m["deceased_date"]
            persons.append(
                (pid, m["nik"], hid, m["name"], m["birth_date"], m["sex"], m["relation"], dead)
                + ("desa" if dead else "", m["pregnant"], m["school_level"])
                + (m["severe_disability"],)
            )
            pid += 1
        history += [(hid, d, s, e) for d, s, e in hist]
        hid += 1
        if len(households) >= BATCH:
            yield households, persons, history
            households, persons, history = [], [], []
    if households:
        yield households, persons, history


def _copy(cursor, table: str, cols, rows) -> None:
    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, cols))
    )
    with cursor.copy(stmt) as copy:
        for row in rows:
            copy.write_row(row)


def _insert(table, cols, rows) -> None:
    if rows:
        db.session.execute(table.insert(), [dict(zip(cols, r, strict=True)) for r in rows])


def load_households(n: int, seed: int = 11, today: date | None = None) -> dict:
    """Add `n` generated households (and their members) to the bound database; return counts."""
    today = today or date.today()
    load_regions(REGENCY)
    gen = _generator(seed, today)
    # Numbers already in the database must not be handed out again.
    gen.numbers.used.update(db.session.scalars(select(Household.kk_number)))
    gen.numbers.used.update(db.session.scalars(select(Person.nik)))
    first_hid = (db.session.scalar(select(func.max(Household.id))) or 0) + 1
    first_pid = (db.session.scalar(select(func.max(Person.id))) or 0) + 1
    postgres = db.engine.dialect.name == "postgresql"
    counts = {"households": 0, "persons": 0}
    for households, persons, history in _rows(gen, n, first_hid, first_pid, today):
        if postgres:
            cursor = db.session.connection().connection.driver_connection.cursor()
            _copy(cursor, "household", HOUSEHOLD_COLS, households)
            _copy(cursor, "person", PERSON_COLS, persons)
            _copy(cursor, "desil_history", HISTORY_COLS, history)
        else:
            _insert(Household.__table__, HOUSEHOLD_COLS, households)
            _insert(Person.__table__, PERSON_COLS, persons)
            _insert(DesilHistory.__table__, HISTORY_COLS, history)
        counts["households"] += len(households)
        counts["persons"] += len(persons)
    if postgres:
        for table in ("household", "person"):
            # Explicit ids were written: move each id sequence past them.
            last = db.session.scalar(select(func.max(MODELS[table].id)))
            db.session.execute(
                text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"), {"t": table, "v": last}
            )
    db.session.commit()
    if postgres:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # Only what was loaded: an ANALYZE of the still empty eligibility table makes the
            # first full evaluation pick a quadratic anti-join (reported to the lead).
            conn.execute(text("ANALYZE household, person, desil_history, region"))
    return counts


def ensure_registry(name: str, households: int, fresh: bool = False, quiet: bool = False):
    """Return an app on database `name` holding at least `households` households.

    The load is skipped when the database already has them, so repeated runs are quick.
    """
    from flask_migrate import upgrade

    from bansos_app import create_app

    create_database(name, fresh)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url(name),
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "bench-secret",
        }
    )
    with app.app_context():
        upgrade()
        have = db.session.scalar(select(func.count(Household.id)))
        if have >= households:
            if not quiet:
                print(f"registry {name}: {have:,} households already loaded (--fresh rebuilds)")
            return app
        started = time.perf_counter()
        counts = load_households(households - have)
        if not quiet:
            print(
                f"registry {name}: loaded {counts['households']:,} households, "
                f"{counts['persons']:,} persons in {time.perf_counter() - started:.1f} s"
            )
    return app


def main() -> None:
    """Build (or reuse) the bench database from the command line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=250_000)
    parser.add_argument("--db", default="bansos_bench")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the database")
    args = parser.parse_args()
    ensure_registry(args.db, args.households, args.fresh)


if __name__ == "__main__":
    main()
