"""Deterministic demo data: Kabupaten Bengkulu Utara with the seeds' pilot villages."""

import random
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, text

from ..extensions import db
from .demo_generator import Generator, Numbers
from .models import DesilHistory, Household, Person, Region
from .regions import load_regions

REGENCY = "17.03"
PILOTS = ("17.03.12.2001", "17.03.12.2003", "17.03.14.2013", "17.03.14.2017")
BATCH = 20_000


def _fixed_households(today: date):
    """The three households the README promises, as (household, members, history)."""
    year_ago = today - timedelta(days=365)
    sri_child_sd = _fixed_birth(today, 9, 3, 14)
    sri_child_4 = _fixed_birth(today, 4, 6, 2)
    return [
        (
            dict(
                kk_number="1703122003180001",
                village_code="17.03.12.2003",
                desil=2,
                address="Jl. Merdeka No. 12, RT 02",
            ),
            [
                ("1703124107850001", "Sri Wahyuni", date(1985, 7, 1), "P", "kepala", None),
                (None, "Putri Wulandari", sri_child_sd, "P", "anak", "SD"),
                (None, "Rizky Ramadhan", sri_child_4, "L", "anak", None),
            ],
            [(2, "DTSEN", year_ago)],
        ),
        (
            dict(
                kk_number="1703121505190002",
                village_code="17.03.12.2001",
                desil=7,
                address="Jl. Lintas Barat No. 5, RT 01",
            ),
            [
                ("1703121203700003", "Bambang Sutrisno", date(1970, 3, 12), "L", "kepala", None),
                (None, "Suryani", date(1974, 9, 23), "P", "pasangan", None),
            ],
            [(3, "DTSEN", year_ago), (7, "DTSEN", today.replace(day=1))],
        ),
        (
            dict(
                kk_number="1703141010200003",
                village_code="17.03.14.2017",
                desil=3,
                address="Jl. Kebun Sawit No. 8, RT 03",
                status="blocked",
                status_reason="Rekening diblokir karena terindikasi judi online (judol).",
                status_changed_at=datetime(2026, 9, 15, 3, 0),
            ),
            [
                ("1703142208880002", "Dedi Kurniawan", date(1988, 8, 22), "L", "kepala", None),
                (None, "Marlina", date(1991, 2, 11), "P", "pasangan", None),
            ],
            [(3, "DTSEN", year_ago)],
        ),
    ]


def _fixed_birth(today: date, age: int, month: int, day: int) -> date:
    """Return a birthday with the given month/day that makes the person `age` today."""
    born = date(today.year - age, month, day)
    return (
        born if born <= today.replace(year=today.year - age) else born.replace(year=born.year - 1)
    )


class DemoDataExists(Exception):
    """Raised when households already exist; demo data only goes into an empty registry."""


def _write(batch, counts: dict) -> None:
    """Insert a batch of (household, members, history) with three Core executemany calls."""
    if not batch:
        return
    # Explicit ids let members point at their household without a RETURNING round trip,
    # which is several times slower for large batches.
    first = (db.session.scalar(select(func.max(Household.id))) or 0) + 1
    households, people, history = [], [], []
    for hid, (row, members, hist) in enumerate(batch, start=first):
        households.append(dict(row, id=hid))
        people += [dict(m, household_id=hid) for m in members]
        history += [dict(household_id=hid, desil=d, source=s, effective_date=e) for d, s, e in hist]
    db.session.execute(Household.__table__.insert(), households)
    db.session.execute(Person.__table__.insert(), people)
    db.session.execute(DesilHistory.__table__.insert(), history)
    counts["households"] += len(households)
    counts["persons"] += len(people)


def _sync_sequence() -> None:
    """On PostgreSQL, move the household id sequence past the explicit ids just written."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('household', 'id'), "
                "(SELECT MAX(id) FROM household))"
            )
        )


def load_demo_data(households: int = 2000, seed: int = 7, today: date | None = None) -> dict:
    """Fill an empty registry with `households` households (the three fixed ones included)."""
    today = today or date.today()
    if db.session.scalar(select(func.count(Household.id))):
        raise DemoDataExists("the registry already has households")
    load_regions(REGENCY)
    codes = db.session.scalars(
        select(Region.code)
        .where(Region.level == 4, Region.code.like(REGENCY + ".%"))
        .order_by(Region.code)
    ).all()
    kecamatans = sorted({c.replace(".", "")[:6] for c in codes})
    # Pilot villages get more households, as the seeds' pilots are where the kiosks stand.
    villages = list(codes) + [c for c in PILOTS for _ in range(10)]
    numbers = Numbers()
    fixed = _fixed_households(today)
    batch = []
    # The late family is added after the lists are fixed; its numbers are kept free now.
    numbers.used.add(LATE_FAMILY[0]["kk_number"])
    numbers.used.update(m[0] for m in LATE_FAMILY[1])
    for row, members, _hist in fixed:
        numbers.used.add(row["kk_number"])
        numbers.used.update(m[0] for m in members if m[0])
    for row, members, hist in fixed:
        region6 = row["kk_number"][:6]
        people = []
        for nik, name, born, sex, relation, school in members:
            nik = nik or numbers.nik(region6, born, sex)
            people.append(
                dict(
                    nik=nik,
                    name=name,
                    birth_date=born,
                    sex=sex,
                    relation=relation,
                    school_level=school,
                    pregnant=False,
                    severe_disability=False,
                    deceased_date=None,
                )
            )
        # Every row needs the same keys: executemany takes its columns from the first row and
        # silently drops any other key (status_changed_at was lost for every household).
        defaults = {"status": "active", "status_reason": "", "status_changed_at": None}
        batch.append((dict(defaults, **row), people, hist))
    gen = Generator(random.Random(seed), today, villages, kecamatans, numbers)
    counts = {"households": 0, "persons": 0}
    # The late family (added after the lists) makes up the total the caller asked for.
    for _ in range(max(0, households - len(fixed) - 1)):
        batch.append(gen.household())
        if len(batch) >= BATCH:
            _write(batch, counts)
            batch = []
    _write(batch, counts)
    _sync_sequence()
    return counts


# A family registered after the demo's recipient lists were fixed: eligible for Sembako but
# on no list and without a voucher, the household an usul (proposal) is for.
LATE_FAMILY = (
    dict(
        kk_number="1703120506250004",
        village_code="17.03.12.2003",
        desil=1,
        address="Jl. Durian No. 3, RT 04",
    ),
    [
        ("1703124203920004", "Rina Marlina", date(1992, 3, 2), "P", "kepala"),
        ("1703121408150005", "Fajar Nugroho", date(2015, 8, 14), "L", "anak"),
    ],
)


def add_late_family(today: date | None = None) -> Household:
    """Register the late family (after penetapan), with its desil history; the caller commits."""
    row, members = LATE_FAMILY
    household = Household(**row, status="active")
    for nik, name, born, sex, relation in members:
        household.members.append(
            Person(
                nik=nik,
                name=name,
                birth_date=born,
                sex=sex,
                relation=relation,
                school_level="SD" if relation == "anak" else None,
            )
        )
    db.session.add(household)
    db.session.flush()
    db.session.add(
        DesilHistory(
            household_id=household.id,
            desil=row["desil"],
            source="DTSEN",
            effective_date=(today or date.today()).replace(day=1),
        )
    )
    return household
