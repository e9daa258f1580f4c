"""Helpers for slip tests: load vouchers, rasterise PDFs at 203 dpi, read QR codes back."""

import subprocess
import tempfile
from pathlib import Path

import zxingcpp
from PIL import Image
from sqlalchemy import select

from bansos_app.extensions import db
from bansos_app.vouchers.models import Voucher
from bansos_app.vouchers.slips import with_slip_data
from tests.browser import SHOTS


def vouchers(*ids) -> list:
    """The vouchers with what their slips show, in the order given."""
    rows = db.session.scalars(with_slip_data(select(Voucher).where(Voucher.id.in_(ids))))
    by_id = {v.id: v for v in rows}
    return [by_id[i] for i in ids]


def rasterise(pdf: bytes, name: str, first: int = 1, last: int = 1) -> list[Path]:
    """Pages of a PDF as PNGs at the printer's 203 dpi, kept under tests/screenshots/."""
    SHOTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "slips.pdf"
        source.write_bytes(pdf)
        prefix = SHOTS / f"pdf-{name}"
        for old in SHOTS.glob(f"pdf-{name}-*.png"):
            old.unlink()
        subprocess.run(
            ["pdftoppm", "-r", "203", "-png", "-f", str(first), "-l", str(last), source, prefix],
            check=True,
        )
    return sorted(SHOTS.glob(f"pdf-{name}-*.png"))


def read_qr(path) -> list[str]:
    """Every QR code's text found in an image, top to bottom."""
    image = Image.open(path).convert("L")
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    # Rows first (codes side by side differ by a few pixels in height), then left to right.
    return [
        r.text
        for r in sorted(found, key=lambda r: (r.position.top_left.y // 100, r.position.top_left.x))
    ]
