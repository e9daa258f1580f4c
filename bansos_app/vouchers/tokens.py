"""Signed voucher tokens (for the QR) and short manual codes (for typing)."""

import base64
import hashlib
import hmac
import struct
from dataclasses import dataclass
from datetime import date, timedelta

from cryptography.exceptions import InvalidSignature

from .keys import code_key, public_key, signing_key

VERSION = 1
EPOCH = date(1970, 1, 1)
# version, key id, voucher id, value (rupiah), expiry (days since 1970), program code length
HEADER = struct.Struct(">BHIIHB")
SIGNATURE_BYTES = 64
# Signed together with the payload so a signature made for anything else never fits a voucher.
DOMAIN = b"bansos-desa/voucher\x00"
# Crockford's Base32: no I, L, O or U, so a typed code cannot mix up 1/I/L or 0/O.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BASE32 = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
CODE_CHARS = 10  # 50 bits: guessing one is hopeless at any rate a shop page allows


class TokenError(ValueError):
    """A token or code that does not verify; `reason` says why, for the shop's message."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # format, version, unknown_key, forged, check


@dataclass(frozen=True)
class Claims:
    """What a verified token says about its voucher."""

    voucher_id: int
    program_code: str
    value: int
    expires_on: date
    key_id: int
    version: int = VERSION


def sign_token(voucher_id: int, program_code: str, value: int, expires_on: date) -> str:
    """Return the QR text: upper-case Base32 (no padding) of the payload and its signature."""
    kid, key = signing_key()
    code = program_code.encode("ascii")
    payload = HEADER.pack(VERSION, kid, voucher_id, value, (expires_on - EPOCH).days, len(code))
    payload += code
    signature = key.sign(DOMAIN + payload)
    return base64.b32encode(payload + signature).decode("ascii").rstrip("=")


def verify_token(text: str) -> Claims:
    """Check a scanned token's signature and return its claims, or raise TokenError."""
    cleaned = "".join(str(text or "").split()).upper()
    if not cleaned or len(cleaned) > 400 or not set(cleaned) <= BASE32:
        raise TokenError("format")
    try:
        raw = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except ValueError as error:
        raise TokenError("format") from error
    if len(raw) < HEADER.size + SIGNATURE_BYTES:
        raise TokenError("format")
    payload, signature = raw[:-SIGNATURE_BYTES], raw[-SIGNATURE_BYTES:]
    version, kid, voucher_id, value, days, code_len = HEADER.unpack_from(payload)
    if version != VERSION:
        raise TokenError("version")
    if len(payload) != HEADER.size + code_len:
        raise TokenError("format")
    key = public_key(kid)
    if key is None:
        raise TokenError("unknown_key")
    try:
        key.verify(signature, DOMAIN + payload)
    except InvalidSignature as error:
        raise TokenError("forged") from error
    code = payload[HEADER.size :].decode("ascii", errors="replace")
    return Claims(voucher_id, code, value, EPOCH + timedelta(days=days), kid, version)


def _check_symbol(digits: str) -> str:
    """Luhn mod 32: catches every single mistyped character and most swapped neighbours.

    The check character comes from the same 32 letters and digits as the code, so it can be
    typed on any keyboard (Crockford's own check symbols include $, ~ and *).
    """
    total, factor = 0, 2
    for char in reversed(digits):
        addend = factor * CROCKFORD.index(char)
        total += addend // 32 + addend % 32
        factor = 1 if factor == 2 else 2
    return CROCKFORD[-total % 32]


def manual_code(period_id: int, household_id: int) -> str:
    """The voucher's typed code, derived (not stored): 10 characters and a check character."""
    digest = hmac.new(code_key(), f"{period_id}:{household_id}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big") >> (64 - 5 * CODE_CHARS)
    digits = "".join(CROCKFORD[(number >> (5 * i)) & 31] for i in reversed(range(CODE_CHARS)))
    return digits + _check_symbol(digits)


def format_code(code: str) -> str:
    """Group a manual code for printing: XXXX-XXXX-XXX."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def normalise_code(text: str) -> str:
    """Read a typed code the way Crockford's Base32 allows (case, dashes, O/I/L); or raise."""
    cleaned = "".join(c for c in str(text or "").upper() if c not in " -\t")
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    if len(cleaned) != CODE_CHARS + 1 or not set(cleaned[:-1]) <= set(CROCKFORD):
        raise TokenError("format")
    if cleaned[-1] != _check_symbol(cleaned[:-1]):
        raise TokenError("check")
    return cleaned


def code_hash(code: str) -> str:
    """What the voucher row stores to find a typed code."""
    return hashlib.sha256(code.encode()).hexdigest()


def looks_like_code(text: str) -> bool:
    """Whether scanned or typed text is short enough to be a manual code, not a QR token."""
    return len("".join(c for c in str(text or "") if c not in " -\t")) <= 16
