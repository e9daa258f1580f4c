"""Indonesian formatting of money and dates (Rp200.000, 17 November 2026)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel import dates
from flask_babel import format_date, get_locale


def format_rupiah(amount: int | None) -> str:
    """Format integer rupiah the Indonesian way: Rp200.000, whatever the UI language."""
    if amount is None:
        return "-"
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(int(amount)):,}".replace(",", ".")


def format_date_id(value: date | datetime | None, fmt: str = "d MMMM y") -> str:
    """Format a date as '17 November 2026' in the current language."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, fmt) if get_locale() else value.isoformat()


ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


def format_local_time(value: datetime | None, zone: str = "WIB") -> str:
    """Show a stored UTC time in the village's zone: '22 Nov 2026 17.05 WIB'."""
    if value is None:
        return "-"
    local = value.replace(tzinfo=UTC).astimezone(ZoneInfo(ZONES.get(zone, ZONES["WIB"])))
    # Babel directly: Flask-Babel's helper would convert once more, to its single default zone.
    return f"{dates.format_datetime(local, 'd MMM y HH.mm', locale=get_locale())} {zone}"


def group_digits(value: str | None, size: int = 4) -> str:
    """Show a long number in groups of four, as on the family card: '1703 **** **** 0001'."""
    if not value:
        return ""
    text = "".join(str(value).split())
    return " ".join(text[i : i + size] for i in range(0, len(text), size))
