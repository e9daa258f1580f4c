"""Ticket numbers and the submitter's NIK key: what a resident types back at Cek Tiket."""

import hashlib
import hmac
import re
import secrets

from flask import current_app

_TEN_DIGITS = re.compile(r"[0-9]{10}")


def luhn_digit(digits: str) -> str:
    """Return the Luhn check digit for a string of ASCII digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)


def new_number() -> str:
    """Return a random ten-digit ticket number whose last digit checks the other nine."""
    # Random, not sequential: a number says nothing about how many tickets a village has, and
    # guessing one is no use without the submitter's NIK. The first digit is never 0, so
    # the number keeps its length in any spreadsheet.
    body = str(secrets.randbelow(9) + 1) + f"{secrets.randbelow(10**8):08d}"
    return body + luhn_digit(body)


def clean_number(raw: str | None) -> str | None:
    """Return the ten digits of a typed ticket number (spaces, dashes ignored), or None."""
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    digits = re.sub(r"[\s\-.]", "", raw)
    if not _TEN_DIGITS.fullmatch(digits) or luhn_digit(digits[:9]) != digits[9]:
        return None
    return digits


def grouped(number: str) -> str:
    """Return "4821 5530 17": how the number is printed and shown."""
    return f"{number[:4]} {number[4:8]} {number[8:]}"


def nik_key(nik: str) -> str:
    """Return a keyed hash of a NIK: finds a submitter's tickets without storing the NIK twice."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"ticket-nik:" + nik.encode(), hashlib.sha256).hexdigest()
