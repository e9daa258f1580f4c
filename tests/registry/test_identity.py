"""Tests for the NIK and KK number rules in bansos_app.registry.identity."""

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask_babel import Babel
from hypothesis import given
from hypothesis import strategies as st

from bansos_app.registry.identity import (
    NumberCheck,
    check_kk,
    check_nik,
    check_nik_matches_person,
    kecamatan_known_in_lokal,
    kk_for,
    mask_number,
    nik_for,
)

# Fixed "today" so two-digit years and future dates do not drift with the calendar.
TODAY = date(2025, 6, 1)


def only_ketahun(code6: str) -> bool:
    return code6 == "170312"


# --- known good numbers (NIK: region, birth date with +40 for women, serial) ------------


def test_woman_born_1_july_1985_in_ketahun():
    r = check_nik("1703124107850001", known_kecamatan=only_ketahun, today=TODAY)
    assert r.ok and r.codes == () and r.errors == ()
    assert r.value == "1703124107850001"
    assert r.birth_date == date(1985, 7, 1)
    assert r.sex == "P"
    assert r.region_code == "17.03.12"
    assert not r.temporary


@pytest.mark.parametrize(
    ("nik", "born", "sex", "region"),
    [
        ("1703121203700003", date(1970, 3, 12), "L", "17.03.12"),
        ("1703142208880002", date(1988, 8, 22), "L", "17.03.14"),
    ],
)
def test_men(nik, born, sex, region):
    r = check_nik(nik, today=TODAY)
    assert r.ok
    assert (r.birth_date, r.sex, r.region_code) == (born, sex, region)


def test_known_nik_against_real_region_tree():
    for nik in ("1703124107850001", "1703121203700003", "1703142208880002"):
        assert check_nik(nik, known_kecamatan=kecamatan_known_in_lokal, today=TODAY).ok


def test_surrounding_whitespace_is_stripped():
    r = check_nik("  1703124107850001\n", today=TODAY)
    assert r.ok and r.value == "1703124107850001"


def test_kk_issued_20_march_2018():
    r = check_kk("1703122003180001", known_kecamatan=kecamatan_known_in_lokal, today=TODAY)
    assert r.ok and r.codes == ()
    assert r.region_code == "17.03.12"
    assert r.birth_date is None and r.sex is None


def test_leap_day_only_in_leap_years():
    assert check_nik("1703122902840001", today=TODAY).birth_date == date(1984, 2, 29)
    assert check_nik("1703126902840001", today=TODAY).sex == "P"
    assert check_nik("1703122902850001", today=TODAY).codes == ("date",)


def test_two_digit_year_never_in_the_future():
    # 15 Dec "25" seen on 1 June 2025 must be 1925, not six months from now.
    assert check_nik("1703121512250001", today=TODAY).birth_date == date(1925, 12, 15)
    assert check_nik("1703120101250001", today=TODAY).birth_date == date(2025, 1, 1)
    assert check_nik("1703120101260001", today=TODAY).birth_date == date(1926, 1, 1)


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("170312410785000", "length"),  # 15 digits
        ("17031241078500011", "length"),  # 17 digits
        ("17031241078500AB", "digits"),
        ("NIK1703124107850", "digits"),
        ("", "empty"),
        (None, "empty"),
        ("   ", "empty"),
        ("1703 1241 0785 0001", "digits"),  # spaces inside are refused, not guessed away
        ("1703.12.410785.0001", "digits"),
        ("１７０３１２４１０７８５０００１", "digits"),  # full-width digits
        ("1703123102850001", "date"),  # 31 February
        ("1703127207850001", "date"),  # day 72 = 32 + 40
        ("1703124007850001", "date"),  # day 40 = 0 + 40
        ("1703120007850001", "date"),  # day 00
        ("1703120113850001", "date"),  # month 13
        ("1703120100850001", "date"),  # month 00
        ("1703124107850000", "serial"),
    ],
)
def test_bad_nik(raw, code):
    r = check_nik(raw, today=TODAY)
    assert not r.ok
    assert r.codes == (code,)
    assert len(r.errors) == 1
    if code != "serial":  # a 0000 serial still has a readable birth date
        assert r.birth_date is None and r.sex is None


def test_unusable_shape_gives_empty_value():
    assert check_nik("12345", today=TODAY).value == ""


def test_unknown_kecamatan():
    r = check_nik("1799994107850001", known_kecamatan=only_ketahun, today=TODAY)
    assert r.codes == ("region",)
    assert not r.ok
    # Without a callable the region is not checked.
    assert check_nik("1799994107850001", today=TODAY).ok


def test_temporary_nik_is_accepted_but_flagged():
    # Leading 0: no region or birth-date meaning, so even "day 99" is not an error.
    r = check_nik("0000009999990001", known_kecamatan=only_ketahun, today=TODAY)
    assert r.ok and r.temporary
    assert r.birth_date is None and r.sex is None and r.region_code is None
    assert check_nik("0000009999990000", today=TODAY).codes == ("serial",)
    assert check_nik("012345678901234", today=TODAY).codes == ("length",)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("170312200318000", "length"),
        ("17031220031800011", "length"),
        ("1703122003180A01", "digits"),
        (None, "empty"),
        ("1703123102180001", "date"),  # 31 February
        ("1703122013180001", "date"),  # month 13
        ("1703122003180000", "serial"),
        ("1703121506250001", "future"),  # 15 June 2025, seen on 1 June 2025
    ],
)
def test_bad_kk(raw, code):
    r = check_kk(raw, today=TODAY)
    assert r.codes == (code,)
    assert not r.ok


def test_kk_unknown_kecamatan_and_temporary():
    assert check_kk("1799992003180001", known_kecamatan=only_ketahun, today=TODAY).codes == (
        "region",
    )
    r = check_kk("0199993113990001", known_kecamatan=only_ketahun, today=TODAY)
    assert r.ok and r.temporary


def test_several_problems_are_all_reported():
    r = check_nik("1799993102850000", known_kecamatan=only_ketahun, today=TODAY)
    assert set(r.codes) == {"region", "date", "serial"}
    assert len(r.errors) == 3


def test_works_outside_app_context():
    r = check_nik("abc")
    assert isinstance(r, NumberCheck)
    assert r.codes == ("digits",)


def test_messages_render_in_indonesian():
    app = Flask(__name__)
    app.config["BABEL_DEFAULT_LOCALE"] = "id"
    Babel(app)
    with app.test_request_context():
        assert [str(e) for e in check_nik("123").errors] == [
            "NIK harus 16 digit angka; yang dimasukkan 3 digit."
        ]
        assert "belum diisi" in str(check_kk("").errors[0])
        assert "Nomor KK" in str(check_kk("").errors[0])
        assert "huruf" in str(check_nik("17031241078500AB").errors[0])
        msg = str(check_nik("1799994107850001", known_kecamatan=only_ketahun).errors[0])
        assert "17.99.99" in msg
        assert "0000" in str(check_nik("1703124107850000").errors[0])
        assert "hari 72" in str(check_nik("1703127207850001").errors[0])
        future = check_kk("1703121506250001", today=TODAY).errors[0]
        assert "2025-06-15" in str(future)
        problems = check_nik_matches_person("1703124107850001", date(1985, 7, 1), "L")
        assert "Jenis kelamin" in str(problems[0])


# --- NIK against the person's record -----------------------------------------------------


def test_matches_person():
    assert check_nik_matches_person("1703124107850001", date(1985, 7, 1), "P") == []
    assert len(check_nik_matches_person("1703124107850001", date(1985, 7, 1), "L")) == 1
    assert len(check_nik_matches_person("1703124107850001", date(1985, 7, 2), "P")) == 1
    assert len(check_nik_matches_person("1703124107850001", date(1986, 7, 1), "L")) == 2
    # The NIK only has a two-digit year, so 1925 and 2025 both match "25".
    assert check_nik_matches_person("1703120101250001", date(1925, 1, 1), "L") == []
    assert check_nik_matches_person("0703124107850001", date(1990, 1, 1), "L") == []
    assert len(check_nik_matches_person("not a nik", date(1990, 1, 1), "L")) == 1


# --- masking and builders ----------------------------------------------------------------


def test_mask_number():
    assert mask_number("3201123456780001") == "3201********0001"
    assert mask_number("12345") == "*****"
    assert mask_number("") == ""


def test_builders():
    assert nik_for("170312", date(1985, 7, 1), "P", 1) == "1703124107850001"
    assert nik_for("170312", date(1970, 3, 12), "L", 3) == "1703121203700003"
    assert kk_for("170312", date(2018, 3, 20), 1) == "1703122003180001"


@pytest.mark.parametrize("serial", [0, -1, 10000])
def test_builders_refuse_bad_serial(serial):
    with pytest.raises(ValueError):
        nik_for("170312", date(1985, 7, 1), "P", serial)
    with pytest.raises(ValueError):
        kk_for("170312", date(2018, 3, 20), serial)


def test_builders_refuse_bad_region_and_sex():
    with pytest.raises(ValueError):
        nik_for("17031", date(1985, 7, 1), "P", 1)
    with pytest.raises(ValueError):
        nik_for("170312", date(1985, 7, 1), "W", 1)


def test_kecamatan_known_in_lokal():
    assert kecamatan_known_in_lokal("170312") is True
    assert kecamatan_known_in_lokal("170314") is True
    assert kecamatan_known_in_lokal("179999") is False
    assert kecamatan_known_in_lokal("1703") is False


# --- properties --------------------------------------------------------------------------

regions = st.from_regex(r"[1-9][0-9]{5}", fullmatch=True)
serials = st.integers(min_value=1, max_value=9999)
# A two-digit year covers exactly the hundred years ending today.
birth_dates = st.dates(
    min_value=TODAY.replace(year=TODAY.year - 100) + timedelta(days=1), max_value=TODAY
)


@given(regions, birth_dates, st.sampled_from(["L", "P"]), serials)
def test_nik_round_trip(region, born, sex, serial):
    nik = nik_for(region, born, sex, serial)
    r = check_nik(nik, today=TODAY)
    assert r.ok, r.codes
    assert (r.birth_date, r.sex, r.value) == (born, sex, nik)
    assert r.region_code.replace(".", "") == region
    assert check_nik_matches_person(nik, born, sex) == []


@given(regions, st.dates(min_value=date(1926, 1, 1), max_value=TODAY), serials)
def test_kk_round_trip(region, issued, serial):
    r = check_kk(kk_for(region, issued, serial), today=TODAY)
    assert r.ok, r.codes


@given(st.one_of(st.none(), st.text()))
def test_anything_not_16_digits_is_rejected(raw):
    if raw is not None and re.fullmatch(r"[0-9]{16}", raw.strip()):
        return
    for check in (check_nik, check_kk):
        r = check(raw, today=TODAY)
        assert not r.ok
        assert r.value == ""
        assert set(r.codes) <= {"empty", "digits", "length"}


@given(st.from_regex(r"[0-9]{16}", fullmatch=True))
def test_mask_never_shows_middle_digits(number):
    masked = mask_number(number)
    assert number[4:12] not in masked
    assert len(masked) == 16


@given(st.text().filter(lambda s: len(s) != 16))
def test_mask_of_other_lengths_reveals_nothing(value):
    assert mask_number(value) == "*" * len(value)
