"""Indonesian formatting of money and dates (Rp200.000, 17 November 2026)."""

from datetime import date, datetime

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
