"""Demo data: the three promised households, valid numbers, determinism and demo accounts."""

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bansos_app.auth.models import ROLES, User
from bansos_app.extensions import db
from bansos_app.registry.demo import DemoDataExists, load_demo_data
from bansos_app.registry.identity import (
    check_kk,
    check_nik,
    check_nik_matches_person,
    kecamatan_known_in_lokal,
)
from bansos_app.registry.models import DesilHistory, Household, Person


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@pytest.fixture(scope="module")
def loaded(app):
    """One demo load (as the `demo` fixture does), read back detached for read-only tests.

    Loading takes about a second, mostly hashing the six demo passwords; sharing one load
    keeps this module fast. The rows are emptied after the first test as usual.
    """
    result = app.test_cli_runner().invoke(
        args=["bansos", "demo-data", "--households", "40", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        households = db.session.scalars(
            select(Household).options(
                selectinload(Household.members),
                selectinload(Household.desil_history),
                selectinload(Household.village),
            )
        ).all()
        users = db.session.scalars(select(User).options(selectinload(User.villages))).all()
        db.session.expunge_all()
    return SimpleNamespace(
        output=result.output,
        households={hh.kk_number: hh for hh in households},
        people=[m for hh in households for m in hh.members],
        users=users,
    )


def _household(loaded, kk: str) -> Household:
    assert kk in loaded.households, f"demo household {kk} missing"
    return loaded.households[kk]


# --- the three fixed households -------------------------------------------------------------


def test_sri_wahyuni_giri_kencana(loaded):
    hh = _household(loaded, "1703122003180001")
    assert hh.village_code == "17.03.12.2003"
    assert hh.village.name == "Giri Kencana"
    assert (hh.desil, hh.status) == (2, "active")
    head = hh.head
    assert (head.name, head.nik, head.sex) == ("Sri Wahyuni", "1703124107850001", "P")
    assert head.birth_date == date(1985, 7, 1)
    children = [m for m in hh.members if m.relation == "anak"]
    today = date.today()
    assert [c.school_level for c in children].count("SD") == 1
    assert [_age(c.birth_date, today) for c in children].count(4) == 1
    assert all(7 <= _age(c.birth_date, today) <= 12 for c in children if c.school_level == "SD")


def test_bambang_sutrisno_urai(loaded):
    hh = _household(loaded, "1703121505190002")
    assert hh.village_code == "17.03.12.2001"
    assert hh.village.name == "Urai"
    assert (hh.desil, hh.status) == (7, "active")
    head = hh.head
    assert (head.name, head.nik, head.sex) == ("Bambang Sutrisno", "1703121203700003", "L")
    assert head.birth_date == date(1970, 3, 12)
    history = [(h.desil, h.effective_date) for h in hh.desil_history]
    assert [d for d, _ in history] == [3, 7]
    # Desil 3 a year ago, desil 7 now.
    year_ago = date.today() - timedelta(days=365)
    assert abs((history[0][1] - year_ago).days) <= 31
    assert history[1][1] <= date.today()


def test_dedi_kurniawan_air_petai_blocked_for_judol(loaded):
    hh = _household(loaded, "1703141010200003")
    assert hh.village_code == "17.03.14.2017"
    assert hh.village.name == "Air Petai"
    assert hh.desil == 3
    head = hh.head
    assert (head.name, head.nik, head.sex) == ("Dedi Kurniawan", "1703142208880002", "L")
    assert head.birth_date == date(1988, 8, 22)
    assert hh.status == "blocked"
    assert "judol" in hh.status_reason.lower()
    assert hh.status_changed_at is not None


# --- every generated number is valid and consistent ------------------------------------------


def test_every_nik_and_kk_is_valid(loaded):
    households, people = list(loaded.households.values()), loaded.people
    assert len(households) == 40
    assert len(people) > 40
    for hh in households:
        result = check_kk(hh.kk_number, kecamatan_known_in_lokal)
        assert result.ok, (hh.kk_number, result.codes)
        assert not result.temporary
        # A KK is issued where the family lives.
        assert hh.kk_number[:6] == hh.village_code.replace(".", "")[:6]
    for person in people:
        result = check_nik(person.nik, kecamatan_known_in_lokal)
        assert result.ok, (person.nik, result.codes)
        assert not result.temporary
        assert check_nik_matches_person(person.nik, person.birth_date, person.sex) == []


def test_households_are_well_formed(loaded):
    for hh in loaded.households.values():
        assert hh.village_code.startswith("17.03.")
        assert 1 <= hh.desil <= 10
        assert [m.relation for m in hh.members].count("kepala") == 1
        # The current desil is the newest entry of the history.
        assert hh.desil_history and hh.desil_history[-1].desil == hh.desil
        if hh.status != "active":
            assert hh.status_reason and hh.status_changed_at


def test_pilot_villages_have_households(loaded):
    villages = {hh.village_code for hh in loaded.households.values()}
    assert {"17.03.12.2001", "17.03.12.2003", "17.03.14.2013", "17.03.14.2017"} <= villages


# --- determinism ----------------------------------------------------------------------------


def _dump() -> dict:
    """All registry rows, without database ids, households referred to by KK number."""
    kk = dict(db.session.execute(select(Household.id, Household.kk_number)).all())
    skip = {"id", "household_id", "created_at"}

    def rows(model):
        out = []
        for obj in db.session.scalars(select(model)):
            row = {
                c.name: getattr(obj, c.key) for c in model.__table__.columns if c.name not in skip
            }
            if hasattr(obj, "household_id"):
                row["kk"] = kk[obj.household_id]
            out.append(row)
        return sorted(out, key=repr)

    return {"household": rows(Household), "person": rows(Person), "history": rows(DesilHistory)}


def _empty_registry() -> None:
    for model in (DesilHistory, Person, Household):
        db.session.execute(model.__table__.delete())
    db.session.commit()


def _load(seed: int, today: date) -> dict:
    load_demo_data(60, seed, today=today)
    db.session.commit()
    db.session.expunge_all()
    return _dump()


def test_same_seed_and_day_give_identical_rows(ctx):
    today = date(2026, 11, 17)
    first = _load(11, today)
    _empty_registry()
    second = _load(11, today)
    # load_demo_data leaves one place for the late family the command adds after the lists.
    assert len(first["household"]) == 59
    assert first == second
    _empty_registry()
    other = _load(12, today)
    assert other != first
    # The fixed households do not depend on the seed.
    fixed = {"1703122003180001", "1703121505190002", "1703141010200003"}
    assert fixed <= {h["kk_number"] for h in other["household"]}


def test_loading_into_a_filled_registry_is_refused(ctx):
    load_demo_data(5, 1, today=date(2026, 11, 17))
    db.session.commit()
    with pytest.raises(DemoDataExists):
        load_demo_data(5, 1, today=date(2026, 11, 17))


# --- the command ----------------------------------------------------------------------------


def test_demo_data_twice_fails_clearly_unless_if_empty(app, runner, demo):
    result = runner.invoke(args=["bansos", "demo-data", "--households", "10"])
    assert result.exit_code != 0
    assert "already has households" in result.output
    assert "Traceback" not in result.output

    result = runner.invoke(args=["bansos", "demo-data", "--households", "10", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "skipped" in result.output

    with app.app_context():
        assert db.session.scalar(select(func.count(Household.id))) == 40
        # one per role, a second village operator and three shops
        assert db.session.scalar(select(func.count(User.id))) == 9


def test_demo_data_reports_what_it_loaded(loaded):
    assert "Loaded 40 households" in loaded.output
    for username, (password, role, _villages) in DEMO_ACCOUNTS.items():
        assert re.search(rf"{username}\s+{password}\s+{role}", loaded.output)


DEMO_ACCOUNTS = {
    "operator": ("demo-operator", "operator_desa", ["17.03.12.2001", "17.03.12.2003"]),
    "operator-ap": ("demo-operator", "operator_desa", ["17.03.14.2013", "17.03.14.2017"]),
    "pendamping": ("demo-pendamping", "pendamping", ["17.03.14.2013", "17.03.14.2017"]),
    "dinsos": ("demo-dinsos-admin", "dinsos_admin", []),
    "toko": ("demo-merchant", "merchant", []),
    "toko-lpg": ("demo-merchant", "merchant", []),
    "toko-listrik": ("demo-merchant", "merchant", []),
    "auditor": ("demo-auditor", "auditor", []),
    "admin": ("demo-superadmin", "superadmin", []),
}


def test_demo_accounts_one_per_role_and_three_shops(loaded):
    # Two village operators (Giri Kencana, Air Petai) and three shops.
    expected = [*ROLES, "merchant", "merchant", "operator_desa"]
    assert sorted(u.role for u in loaded.users) == sorted(expected)
    for user in loaded.users:
        password, role, villages = DEMO_ACCOUNTS[user.username]
        assert user.role == role
        assert sorted(v.code for v in user.villages) == villages
        assert user.check_password(password)
