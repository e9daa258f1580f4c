"""Unit tests for the program explanations, PKH components and the next PKH stage (no database)."""

from datetime import date
from types import SimpleNamespace

import pytest

from bansos_app.eligibility.programs import PKH_COMPONENTS
from bansos_app.eligibility.services import (
    PkhStage,
    explain_programs,
    next_pkh_stage,
    pkh_components,
)

TODAY = date(2026, 11, 22)
CODES = ["PKH", "SEMBAKO", "LPG", "LISTRIK", "PBI"]


def person(name="Anggota", age=35, born=None, **extra):
    """A household member as plain attributes; `age` in whole years on TODAY."""
    attrs = {
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
    assert pkh_components(hh, TODAY) == [
        ("SD", "Putri", 900_000),
        ("child_0_6", "Rizky", 3_000_000),
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
    assert pkh_components(hh, TODAY) == [(component, "A", amount)]
    assert PKH_COMPONENTS[component] == amount


def test_amounts_follow_the_configured_table(monkeypatch):
    monkeypatch.setitem(PKH_COMPONENTS, "SD", 1_000_000)
    hh = household(person("A", 8, school_level="SD"))
    assert pkh_components(hh, TODAY) == [("SD", "A", 1_000_000)]


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
    components = pkh_components(household(person("Mbah", born=born)), TODAY)
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
    components = pkh_components(household(person("Adik", born=born)), TODAY)
    assert (("child_0_6", "Adik", 3_000_000) in components) is counts


def test_deceased_members_do_not_count():
    hh = household(
        person("Mbah", 75, deceased_date=date(2026, 1, 5)),
        person("Adik", 3, deceased_date=date(2026, 6, 1)),
        person("Kakak", 10, school_level="SD", deceased_date=date(2025, 2, 2)),
        person("Ibu", 30, pregnant=True, deceased_date=date(2026, 10, 1)),
    )
    assert pkh_components(hh, TODAY) == []


def test_one_member_can_hold_several_components():
    hh = household(person("Nenek", 70, severe_disability=True))
    assert pkh_components(hh, TODAY) == [
        ("disability", "Nenek", 2_400_000),
        ("elderly", "Nenek", 2_400_000),
    ]


def test_no_components_for_working_age_adults():
    assert pkh_components(household(person("Bapak", 40), person("Ibu", 38)), TODAY) == []


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


# --- explain_programs -----------------------------------------------------------------------


def _with_components(desil):
    return household(person("Ibu", 35), person("Adik", 4), desil=desil)


def test_one_line_per_program_in_order(request_ctx):
    lines = explain_programs(_with_components(2), TODAY)
    assert [line.program.code for line in lines] == CODES


def test_desil_4_is_eligible_for_pkh_and_sembako(request_ctx):
    lines = by_code(explain_programs(_with_components(4), TODAY))
    assert {code: line.state for code, line in lines.items()} == dict.fromkeys(CODES, "eligible")
    pkh = lines["PKH"]
    assert pkh.amount == 3_000_000
    assert pkh.components == [("child_0_6", "Adik", 3_000_000)]
    assert str(pkh.reason) == "Memenuhi syarat bantuan tunai PKH."
    assert (lines["SEMBAKO"].amount, lines["LPG"].amount, lines["LISTRIK"].amount) == (
        200_000,
        60_000,
        50_000,
    )
    assert lines["PBI"].amount is None
    assert (
        str(lines["SEMBAKO"].reason)
        == "Memenuhi syarat e-voucher; diterbitkan Dinas Sosial per periode."
    )
    assert (
        str(lines["PBI"].reason)
        == "Memenuhi syarat: iuran BPJS Kesehatan dapat ditanggung pemerintah."
    )


def test_desil_5_loses_pkh_but_keeps_sembako(request_ctx):
    lines = by_code(explain_programs(_with_components(5), TODAY))
    pkh = lines["PKH"]
    assert pkh.state == "not_eligible"
    assert pkh.amount is None and pkh.components == []
    reason = str(pkh.reason)
    assert "desil 1–4" in reason and "desil 5" in reason
    for code in ("SEMBAKO", "LPG", "LISTRIK", "PBI"):
        assert lines[code].state == "eligible", code


def test_desil_6_gets_nothing_and_is_told_why(request_ctx):
    lines = by_code(explain_programs(_with_components(6), TODAY))
    assert {line.state for line in lines.values()} == {"not_eligible"}
    assert all(line.amount is None for line in lines.values())
    assert "desil 1–4" in str(lines["PKH"].reason)
    for code in ("SEMBAKO", "LPG", "LISTRIK", "PBI"):
        reason = str(lines[code].reason)
        assert "desil 1–5" in reason and "desil 6" in reason, code


def test_bambang_desil_7_is_not_eligible(request_ctx):
    hh = household(person("Bambang", 56), person("Suryani", 52), desil=7)
    lines = by_code(explain_programs(hh, TODAY))
    assert {line.state for line in lines.values()} == {"not_eligible"}
    assert "desil 1–4" in str(lines["PKH"].reason)
    assert "desil 7" in str(lines["PKH"].reason)


def test_pkh_desil_without_components_is_explained(request_ctx):
    hh = household(person("Bapak", 40), desil=2)
    lines = by_code(explain_programs(hh, TODAY))
    assert lines["PKH"].state == "not_eligible"
    assert "komponen PKH" in str(lines["PKH"].reason)
    assert lines["SEMBAKO"].state == "eligible"


def test_deceased_member_does_not_make_a_pkh_household(request_ctx):
    hh = household(person("Bapak", 40), person("Mbah", 80, deceased_date=date(2026, 3, 1)), desil=1)
    assert by_code(explain_programs(hh, TODAY))["PKH"].state == "not_eligible"


def test_yearly_pkh_total_adds_the_components(request_ctx):
    hh = household(
        person("Ibu", 30, pregnant=True),
        person("Kakak", 14, school_level="SMP"),
        person("Mbah", 65),
        desil=1,
    )
    pkh = by_code(explain_programs(hh, TODAY))["PKH"]
    assert pkh.state == "eligible"
    assert pkh.amount == 3_000_000 + 1_500_000 + 2_400_000


@pytest.mark.parametrize("status", ["blocked", "graduated", "inactive"])
def test_household_status_overrides_every_program(request_ctx, status):
    hh = _with_components(1)
    hh.status, hh.status_reason = status, "Alasan tercatat."
    lines = explain_programs(hh, TODAY)
    assert [line.program.code for line in lines] == CODES
    assert {line.state for line in lines} == {status}
    assert all(line.amount is None and not line.components for line in lines)
    assert all(str(line.reason).strip() for line in lines)


def test_blocked_overrides_even_an_ineligible_desil(request_ctx):
    hh = household(person("Dedi", 38), desil=9, status="blocked", status_reason="judol")
    assert {line.state for line in explain_programs(hh, TODAY)} == {"blocked"}


def test_reasons_render_in_english_when_english_is_chosen(app):
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        reason = str(by_code(explain_programs(_with_components(6), TODAY))["SEMBAKO"].reason)
    # Untranslated messages fall back to Bahasa Indonesia; the numbers are filled in either way.
    assert "1–5" in reason and "6" in reason
