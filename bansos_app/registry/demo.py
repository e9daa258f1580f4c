"""Deterministic demo data: Kabupaten Bengkulu Utara with the seeds' pilot villages."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, text

from ..extensions import db
from .demo_names import FEMALE, MALE, SECOND, STREETS
from .identity import kk_for, nik_for
from .models import DesilHistory, Household, Person, Region
from .regions import load_regions

REGENCY = "17.03"
PILOTS = ("17.03.12.2001", "17.03.12.2003", "17.03.14.2013", "17.03.14.2017")
DESIL_WEIGHTS = (14, 14, 13, 12, 11, 10, 8, 7, 6, 5)
BATCH = 20_000


@dataclass
class _Numbers:
    """Hands out unique NIK and KK numbers, never reusing a fixed demo number."""

    used: set = field(default_factory=set)
    serials: dict = field(default_factory=dict)

    def _next(self, make, prefix_key) -> str:
        serial = self.serials.get(prefix_key, 0)
        while True:
            serial += 1
            number = make(serial)
            if number not in self.used:
                self.serials[prefix_key] = serial
                self.used.add(number)
                return number

    def nik(self, region6: str, born: date, sex: str) -> str:
        """Return a fresh NIK for a person born in a kecamatan."""
        return self._next(lambda s: nik_for(region6, born, sex, s), ("n", region6, born, sex))

    def kk(self, region6: str, issued: date) -> str:
        """Return a fresh KK number issued in a kecamatan."""
        return self._next(lambda s: kk_for(region6, issued, s), ("k", region6, issued))


def _years_ago(today: date, years: int, rng: random.Random) -> date:
    """Return a random birth date that makes someone `years` old today."""
    start = today.replace(year=today.year - years - 1) + timedelta(days=1)
    return start + timedelta(days=rng.randrange(364))


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


@dataclass
class _Generator:
    """Builds random but reproducible households for the villages of the regency."""

    rng: random.Random
    today: date
    villages: list
    kecamatans: list
    numbers: _Numbers

    def _name(self, sex: str) -> str:
        given = self.rng.choice(MALE if sex == "L" else FEMALE)
        return f"{given} {self.rng.choice(SECOND)}" if self.rng.random() < 0.6 else given

    def _person(self, region6, age, sex, relation, school=None, **extra) -> dict:
        born = _years_ago(self.today, age, self.rng)
        return dict(
            nik=self.numbers.nik(region6, born, sex),
            name=self._name(sex),
            birth_date=born,
            sex=sex,
            relation=relation,
            school_level=school,
            pregnant=False,
            severe_disability=self.rng.random() < 0.02,
            deceased_date=None,
            **extra,
        )

    def _children(self, region6, parent_age) -> list[dict]:
        rng, kids = self.rng, []
        for _ in range(rng.choice((0, 1, 1, 2, 2, 2, 3, 3, 4))):
            age = rng.randrange(0, max(1, min(parent_age - 18, 24)))
            school = (
                "SD"
                if 7 <= age <= 12
                else "SMP"
                if 13 <= age <= 15
                else ("SMA" if 16 <= age <= 18 else None)
            )
            if school and rng.random() < 0.08:  # some children are out of school
                school = None
            kids.append(self._person(region6, age, rng.choice("LP"), "anak", school))
        return kids

    def household(self) -> tuple[dict, list[dict], list[tuple]]:
        """Return one household row, its members and its desil history."""
        rng = self.rng
        village = rng.choice(self.villages)
        region6 = village.replace(".", "")[:6]
        head_sex = "L" if rng.random() < 0.8 else "P"
        head_age = rng.randrange(22, 80)
        members = [self._person(region6, head_age, head_sex, "kepala")]
        if head_sex == "L" and rng.random() < 0.85:
            origin = region6 if rng.random() < 0.85 else rng.choice(self.kecamatans)
            spouse = self._person(origin, max(18, head_age + rng.randrange(-8, 3)), "P", "pasangan")
            young = 20 <= self.today.year - spouse["birth_date"].year <= 40
            spouse["pregnant"] = young and rng.random() < 0.06
            members.append(spouse)
        members += self._children(region6, head_age)
        if rng.random() < 0.08:
            elder = self._person(region6, rng.randrange(65, 90), rng.choice("LP"), "orang_tua")
            if rng.random() < 0.1:
                elder["deceased_date"] = self.today - timedelta(days=rng.randrange(10, 700))
            members.append(elder)
        issued_from = max(
            date(2005, 1, 1), members[0]["birth_date"].replace(day=1) + timedelta(days=17 * 366)
        )
        span = max(1, (self.today - timedelta(days=30) - issued_from).days)
        issued = issued_from + timedelta(days=rng.randrange(span))
        desil = rng.choices(range(1, 11), DESIL_WEIGHTS)[0]
        row = dict(
            kk_number=self.numbers.kk(region6, issued),
            village_code=village,
            desil=desil,
            address=f"Jl. {rng.choice(STREETS)} No. {rng.randrange(1, 120)}, "
            f"RT {rng.randrange(1, 12):02d}",
        )
        row.update(self._status())
        since = self.today - timedelta(days=rng.randrange(30, 540))
        history = [(desil, "DTSEN", since)]
        if rng.random() < 0.3:
            before = min(10, max(1, desil + rng.choice((-4, -3, -2, -1, 1, 2, 3))))
            history.insert(0, (before, "DTSEN", since - timedelta(days=365)))
        return row, members, history

    def _status(self) -> dict:
        roll = self.rng.random()
        when = datetime.combine(
            self.today - timedelta(days=self.rng.randrange(5, 300)), datetime.min.time()
        )
        if roll < 0.02:
            reason = "Dinyatakan mampu dalam musyawarah desa (musdes)."
            return dict(status="graduated", status_reason=reason, status_changed_at=when)
        if roll < 0.025:
            reason = "Rekening diblokir karena terindikasi judi online (judol)."
            return dict(status="blocked", status_reason=reason, status_changed_at=when)
        if roll < 0.035:
            reason = "Verifikasi otomatis: data tidak padan dengan Dukcapil."
            return dict(status="inactive", status_reason=reason, status_changed_at=when)
        return dict(status="active", status_reason="", status_changed_at=None)


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
    numbers = _Numbers()
    fixed = _fixed_households(today)
    batch = []
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
    gen = _Generator(random.Random(seed), today, villages, kecamatans, numbers)
    counts = {"households": 0, "persons": 0}
    for _ in range(max(0, households - len(fixed))):
        batch.append(gen.household())
        if len(batch) >= BATCH:
            _write(batch, counts)
            batch = []
    _write(batch, counts)
    _sync_sequence()
    return counts
