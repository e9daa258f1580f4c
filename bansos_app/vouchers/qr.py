"""Voucher QR codes as 1-bit PNG bitmaps sized in whole printer dots at 203 dpi."""

import base64
import re
import struct
import zlib
from dataclasses import dataclass
from functools import lru_cache

import qrcode
from qrcode import util as qr_util
from qrcode.constants import ERROR_CORRECT_Q
from qrcode.util import MODE_ALPHA_NUM, QRData

DPI = 203  # thermal receipt printers: 8 dots per mm
QUIET = 4  # modules of white around the symbol, as the QR standard asks
# The widest the symbol (quiet zone included) may be on each paper, in printer dots. Rolls
# print about 48 mm (384 dots) on 58 mm paper and 72 mm (576 dots) on 80 mm paper; the QR
# keeps room for nothing beside it but should not swamp the slip. A4 slips sit 9 to a sheet.
MAX_DOTS = {"58": 320, "80": 360, "a4": 260}
MIN_DOTS_PER_MODULE = 3  # below 0.375 mm a module blurs on a worn thermal head


@dataclass(frozen=True)
class QrImage:
    """A QR bitmap and the size it must print at so one pixel is one printer dot."""

    png: bytes
    pixels: int  # width = height, quiet zone included
    dots_per_module: int

    @property
    def mm(self) -> float:
        """Printed width (and height) in millimetres at 203 dpi."""
        return round(self.pixels / DPI * 25.4, 3)

    @property
    def data_uri(self) -> str:
        """The PNG inline, so the slip needs no second request."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR modules (without quiet zone) for upper-case Base32 text, EC level Q."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=0, box_size=1)
    # Alphanumeric mode by name: Base32 (A-Z, 2-7) fits it, 5.5 bits a character.
    code.add_data(QRData(text.encode("ascii"), mode=MODE_ALPHA_NUM, check_data=False))
    code.best_fit()
    return _masked_best(code)


def _masked_best(code) -> list[list[bool]]:
    """The symbol with the mask qrcode's own search picks (lowest ISO 18004 penalty).

    qrcode lays the data out afresh for each of the 8 masks and scores them in pure Python
    (about 9 ms a voucher); here the data is laid out once, the other masks are XORs of
    whole rows, and the score runs on strings and integers. A test checks the symbols match.
    """
    code.makeImpl(True, 0)  # format and version bits light while scoring, as qrcode does
    n = len(code.modules)
    rows = [int("".join("1" if m else "0" for m in row), 2) for row in code.modules]
    data = _data_rows(code.version, code.error_correction)
    base = _mask_rows(n, 0)
    best, lowest = None, None
    for pattern in range(8):
        flip = _mask_rows(n, pattern)
        candidate = [r ^ ((b ^ f) & d) for r, b, f, d in zip(rows, base, flip, data, strict=True)]
        points = _penalty(candidate, n)
        if lowest is None or points < lowest:
            best, lowest = (pattern, candidate), points
    pattern, chosen = best
    code.modules = [[bool(r >> (n - 1 - col) & 1) for col in range(n)] for r in chosen]
    code.setup_type_info(False, pattern)  # the real format bits (and the dark module)
    if code.version >= 7:
        code.setup_type_number(False)
    return code.modules


@lru_cache(maxsize=64)
def _mask_rows(n: int, pattern: int) -> tuple[int, ...]:
    """A mask pattern as one integer a row (bit n-1 is column 0)."""
    dark = qr_util.mask_func(pattern)
    return tuple(sum(1 << (n - 1 - col) for col in range(n) if dark(row, col)) for row in range(n))


@lru_cache(maxsize=64)
def _data_rows(version: int, error_correction: int) -> tuple[int, ...]:
    """Which modules carry data (and so take the mask) in a symbol of this version."""
    probe = qrcode.QRCode(version=version, error_correction=error_correction, border=0)
    probe.modules_count = n = version * 4 + 17
    probe.modules = [[None] * n for _ in range(n)]
    probe.setup_position_probe_pattern(0, 0)
    probe.setup_position_probe_pattern(n - 7, 0)
    probe.setup_position_probe_pattern(0, n - 7)
    probe.setup_position_adjust_pattern()
    probe.setup_timing_pattern()
    probe.setup_type_info(True, 0)
    if version >= 7:
        probe.setup_type_number(True)
    return tuple(
        sum(1 << (n - 1 - col) for col in range(n) if row[col] is None) for row in probe.modules
    )


RUN = re.compile(r"0{5,}|1{5,}")
# A finder-like 1:1:3:1:1 pattern with 4 light modules after or before it. Neither overlaps
# itself, so str.count finds every one.
FINDER_LIKE = ("10111010000", "00001011101")


def _penalty(rows: list[int], n: int) -> int:
    """ISO 18004 mask penalty, scored exactly as qrcode.util.lost_point does."""
    lines = [format(r, f"0{n}b") for r in rows]
    lines += ["".join(col) for col in zip(*lines, strict=True)]
    text = "|".join(lines)  # one string: the separator stops runs and patterns at line ends
    runs = RUN.findall(text)
    points = sum(map(len, runs)) - 2 * len(runs) + 40 * sum(map(text.count, FINDER_LIKE))
    inner = (1 << n) - 1 >> 1  # columns 1..n-1: a 2x2 block's right half
    for a, b in zip(rows, rows[1:], strict=False):
        dark = a & b & (a >> 1) & (b >> 1)
        light = ~(a | b | (a >> 1) | (b >> 1)) & inner
        points += 3 * (dark.bit_count() + light.bit_count())
    percent = float(sum(r.bit_count() for r in rows)) / (n**2)
    return points + int(abs(percent * 100 - 50) / 5) * 10


def dots_per_module(modules: int, paper: str) -> int:
    """The largest whole number of dots per module that keeps the symbol within the paper's room."""
    return max(MIN_DOTS_PER_MODULE, MAX_DOTS[paper] // (modules + 2 * QUIET))


def _png(rows: list[bytes], width: int, depth: int) -> bytes:
    """Encode packed rows (1 = white) as a greyscale PNG of bit depth 1 or 8."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, width, depth, 0, 0, 0, 0)
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    # pHYs: 203 dots per inch is 7992 per metre, so viewers and printers know the size too.
    ppm = round(DPI / 0.0254)
    phys = struct.pack(">IIB", ppm, ppm, 1)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"pHYs", phys)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def qr_image(text: str, paper: str = "80", depth: int = 1) -> QrImage:
    """The QR for a token as a PNG with a whole number of dots per module for the paper.

    `depth` 1 is the 1-bit bitmap for browsers; WeasyPrint turns a 1-bit PNG into RGB and
    encodes it again for every slip, so PDFs take the same black and white pixels as 8-bit
    grey (depth 8), which it embeds as they are.
    """
    matrix = qr_matrix(text)
    modules = len(matrix) + 2 * QUIET
    scale = dots_per_module(modules - 2 * QUIET, paper)
    pixels = modules * scale
    margin = QUIET * scale
    if depth == 8:
        white_row = b"\xff" * pixels
        rows = [white_row] * margin
        pad = b"\xff" * margin
        dark, light = b"\x00" * scale, b"\xff" * scale
        for line in matrix:
            packed = pad + b"".join(dark if m else light for m in line) + pad
            rows.extend([packed] * scale)
    else:
        white_row = b"\xff" * ((pixels + 7) // 8)
        rows = [white_row] * margin
        pad = "1" * margin
        trailing = "1" * (-pixels % 8)  # bits past the width in the last byte
        dark, light = "0" * scale, "1" * scale
        for line in matrix:
            bits = pad + "".join(dark if m else light for m in line) + pad + trailing
            rows.extend([int(bits, 2).to_bytes(len(bits) // 8, "big")] * scale)
    rows.extend([white_row] * margin)
    return QrImage(_png(rows, pixels, depth), pixels, scale)
