"""The ticket receipt slip: the number in big digits and a QR that opens Cek Tiket with it."""

import io
from dataclasses import dataclass
from datetime import date

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from ..links import external_url
from ..vouchers.qr import DPI, MAX_DOTS, QUIET, QrImage
from .numbers import grouped
from .screening import OPEN_STAGES


@dataclass(frozen=True)
class Receipt:
    """What the slip shows. Nothing about the person: a lost slip tells the finder nothing."""

    number: str  # grouped: "4821 5530 17"
    kind: str
    created_on: date
    due_on: date | None
    link: str
    qr: QrImage


def check_link(number: str) -> str:
    """Return the Cek Tiket address with the ticket number (never the NIK: that is typed)."""
    return external_url("usul.check", nomor=number)


def link_qr(text: str, paper: str = "80") -> QrImage:
    """Return a QR of any text (a URL needs byte mode) in whole printer dots per module."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, box_size=1)
    code.add_data(text)
    code.make(fit=True)
    modules = code.modules_count
    scale = max(3, MAX_DOTS[paper] // (modules + 2 * QUIET))
    code = qrcode.QRCode(
        version=code.version, error_correction=ERROR_CORRECT_M, border=QUIET, box_size=scale
    )
    code.add_data(text)
    code.make(fit=False)
    image = code.make_image().get_image().convert("1")
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(DPI, DPI), optimize=True)
    return QrImage(out.getvalue(), image.width, scale)


def receipt_for(ticket, paper: str = "80") -> Receipt:
    """Return the receipt of a ticket as printed on the kiosk's paper (or shown on a phone)."""
    link = check_link(ticket.number)
    return Receipt(
        number=grouped(ticket.number),
        kind=ticket.kind,
        created_on=ticket.created_at.date(),
        due_on=ticket.due_on if ticket.stage in OPEN_STAGES else None,
        link=link,
        qr=link_qr(link, paper),
    )
