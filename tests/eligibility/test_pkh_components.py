"""Unit tests for the PKH members shown to a resident and the next PKH stage (no database)."""

from datetime import date
from types import SimpleNamespace

import pytest

from bansos_app.eligibility.services import PkhStage, next_pkh_stage, pkh_components
from tests.eligibility.test_rules import PKH_AMOUNTS

TODAY = date(2026, 11, 22)
# Today's seeded values (migration 0005); the rule itself is data, so tests pass their own.
PKH_COMPONENTS = PKH_AMOUNTS


def version(cap=4, elderly_age=60, **amounts):
    """A PKH rule version as plain attributes."""
    table = {**PKH_COMPONENTS, **amounts}
    return SimpleNamespace(
        member_cap=cap,
        elderly_age=elderly_age,
        components=[SimpleNamespace(code=c, yearly_amount=a) for c, a in table.items()],
    )


VERSION = version()
_ids = iter(range(1, 10_000))


def person(name="Anggota", age=35, born=None, **extra):
    """A household member as plain attributes; `age` in whole years on TODAY."""
    attrs = {
        "id": next(_ids),
        "name": name,
        "birth_date": born or TODAY.replace(year=TODAY.year - age),
        "deceased_date": None,
        "pregnant": False,
        "school_level": None,
        "severe_disability": False,
    }
    attrs.update(extra)
    return SimpleNamespace(**attrs)


def household(*members, desil=3, status="active", status_reason=""):
    """A household as plain attributes."""
    return SimpleNamespace(
        members=list(members), desil=desil, status=status, status_reason=status_reason
    )


def by_code(lines):
    return {line.program.code: line for line in lines}


@pytest.fixture
def request_ctx(app):
    """Messages are lazy: render them inside a request, as the views do."""
    with app.test_request_context("/"):
        yield


# --- PKH components -------------------------------------------------------------------------


def test_components_of_the_sri_wahyuni_household():
    hh = household(
        person("Sri", 41),
        person("Putri", 9, school_level="SD"),
        person("Rizky", 4),
    )
    assert pkh_components(hh, VERSION, TODAY) == [
        ("child_0_6", "Rizky", 3_000_000),  # the highest-valued member first
        ("SD", "Putri", 900_000),
    ]


@pytest.mark.parametrize(
    ("extra", "component", "amount"),
    [
        ({"pregnant": True}, "pregnant", 3_000_000),
        ({"school_level": "SD"}, "SD", 900_000),
        ({"school_level": "SMP"}, "SMP", 1_500_000),
        ({"school_level": "SMA"}, "SMA", 2_000_000),
        ({"severe_disability": True}, "disability", 2_400_000),
    ],
)
def test_each_component_and_its_yearly_amount(extra, component, amount):
    hh = household(person("A", 30 if component in ("pregnant", "disability") else 12, **extra))
    assert pkh_components(hh, VERSION, TODAY) == [(component, "A", amount)]
    assert PKH_COMPONENTS[component] == amount


def test_amounts_follow_the_version():
    hh = household(person("A", 8, school_level="SD"))
    assert pkh_components(hh, version(SD=1_000_000), TODAY) == [("SD", "A", 1_000_000)]


def test_at_most_the_cap_of_members_count_the_highest_valued_first():
    hh = household(
        person("Kakak", 16, school_level="SMA"),
        person("Adik", 8, school_level="SD"),
        person("Bayi", 1),
        person("Nenek", 70, severe_disability=True),
        person("Abang", 13, school_level="SMP"),
    )
    names = [name for _, name, _ in pkh_components(hh, version(cap=3), TODAY)]
    assert names == ["Nenek", "Nenek", "Bayi", "Kakak"]  # 4.8m, 3m, 2m; SMP and SD left out


def test_elderly_age_is_part_of_the_version():
    hh = household(person("Mbah", 62))
    assert pkh_components(hh, version(elderly_age=65), TODAY) == []


@pytest.mark.parametrize(
    ("born", "counts"),
    [
        (date(1966, 11, 22), True),  # 60 today
        (date(1946, 1, 1), True),  # 80
        (date(1966, 11, 23), False),  # 60 tomorrow
        (date(1970, 5, 5), False),
    ],
)
def test_elderly_from_sixty(born, counts):
    components = pkh_components(household(person("Mbah", born=born)), VERSION, TODAY)
    assert (components == [("elderly", "Mbah", 2_400_000)]) is counts
    assert counts or components == []


@pytest.mark.parametrize(
    ("born", "counts"),
    [
        (date(2026, 11, 1), True),  # a baby
        (date(2020, 11, 22), True),  # 6 today
        (date(2020, 11, 21), True),
        (date(2019, 11, 22), False),  # 7 today
    ],
)
def test_early_childhood_up_to_six(born, counts):
    components = pkh_components(household(person("Adik", born=born)), VERSION, TODAY)
    assert (("child_0_6", "Adik", 3_000_000) in components) is counts


def test_deceased_members_do_not_count():
    hh = household(
        person("Mbah", 75, deceased_date=date(2026, 1, 5)),
        person("Adik", 3, deceased_date=date(2026, 6, 1)),
        person("Kakak", 10, school_level="SD", deceased_date=date(2025, 2, 2)),
        person("Ibu", 30, pregnant=True, deceased_date=date(2026, 10, 1)),
    )
    assert pkh_components(hh, VERSION, TODAY) == []


def test_one_member_can_hold_several_components():
    hh = household(person("Nenek", 70, severe_disability=True))
    assert pkh_components(hh, VERSION, TODAY) == [
        ("disability", "Nenek", 2_400_000),
        ("elderly", "Nenek", 2_400_000),
    ]


def test_no_components_for_working_age_adults():
    assert pkh_components(household(person("Bapak", 40), person("Ibu", 38)), VERSION, TODAY) == []


# --- next PKH stage -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "number", "year", "month"),
    [
        (date(2026, 11, 22), 1, 2027, 1),  # after November: tahap 1 of next year
        (date(2026, 12, 31), 1, 2027, 1),
        (date(2026, 2, 10), 2, 2026, 4),  # after February: tahap 2 in April
        (date(2026, 3, 31), 2, 2026, 4),
        (date(2026, 5, 1), 3, 2026, 7),
        (date(2026, 8, 17), 4, 2026, 10),
    ],
)
def test_next_stage(today, number, year, month):
    stage = next_pkh_stage(3_900_000, today)
    assert (stage.number, stage.year, stage.month) == (number, year, month)


def test_stage_amount_is_a_quarter_of_the_yearly_total():
    assert next_pkh_stage(3_900_000, TODAY) == PkhStage(1, 2027, 1, 975_000)
    assert next_pkh_stage(2_400_000, date(2026, 2, 1)).amount == 600_000
    stage = next_pkh_stage(sum(PKH_COMPONENTS.values()), TODAY)
    assert stage.amount == sum(PKH_COMPONENTS.values()) // 4
    assert isinstance(stage.amount, int)
