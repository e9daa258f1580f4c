"""Voucher QR codes as 1-bit PNG bitmaps sized in whole printer dots at 203 dpi."""

import base64
import struct
import zlib
from dataclasses import dataclass

import qrcode
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
    code.make(fit=True)
    return code.get_matrix()


def dots_per_module(modules: int, paper: str) -> int:
    """The largest whole number of dots per module that keeps the symbol within the paper's room."""
    return max(MIN_DOTS_PER_MODULE, MAX_DOTS[paper] // (modules + 2 * QUIET))


def _png(rows: list[bytes], width: int) -> bytes:
    """Encode packed 1-bit rows (1 = white) as a greyscale PNG of bit depth 1."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, width, 1, 0, 0, 0, 0)
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


def qr_image(text: str, paper: str = "80") -> QrImage:
    """The QR for a token as a PNG with a whole number of dots per module for the paper."""
    matrix = qr_matrix(text)
    modules = len(matrix) + 2 * QUIET
    scale = dots_per_module(modules - 2 * QUIET, paper)
    pixels = modules * scale
    white_row = b"\xff" * ((pixels + 7) // 8)
    rows = [white_row] * (QUIET * scale)
    pad = "1" * (QUIET * scale)
    trailing = "1" * (-pixels % 8)  # bits past the width in the last byte
    for line in matrix:
        bits = pad + "".join(("0" if dark else "1") * scale for dark in line) + pad + trailing
        packed = int(bits, 2).to_bytes(len(bits) // 8, "big")
        rows.extend([packed] * scale)
    rows.extend([white_row] * (QUIET * scale))
    return QrImage(_png(rows, pixels), pixels, scale)
