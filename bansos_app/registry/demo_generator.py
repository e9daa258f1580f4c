"""Random but reproducible demo households: unique numbers, plausible families and statuses."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .demo_names import FEMALE, MALE, SECOND, STREETS
from .identity import kk_for, nik_for

DESIL_WEIGHTS = (14, 14, 13, 12, 11, 10, 8, 7, 6, 5)


@dataclass
class Numbers:
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


@dataclass
class Generator:
    """Builds random but reproducible households for the villages of the regency."""

    rng: random.Random
    today: date
    villages: list
    kecamatans: list
    numbers: Numbers

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
