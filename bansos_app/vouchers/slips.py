"""What a voucher slip shows, which vouchers can be printed, and counting every print."""

from dataclasses import dataclass
from datetime import date

from flask import has_request_context
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from ..audit.services import record
from ..eligibility.models import Program
from ..extensions import db
from ..models_base import utcnow
from ..registry.identity import mask_number
from ..registry.models import Household
from . import tokens
from .models import DistributionPeriod, Voucher
from .qr import QrImage, qr_image

CHANNELS = ("kiosk", "bulk", "phone")
PAPERS = ("58", "80", "a4")


@dataclass(frozen=True)
class Slip:
    """Everything printed on one voucher slip."""

    voucher_id: int
    program: str
    value: int
    balance: int | None  # shown only when part of the voucher is already spent
    period: str
    expires_on: date
    village: str
    head_name: str
    head_nik: str  # masked
    serial: str
    manual_code: str
    token: str
    qr: QrImage
    reprint: int  # 0 for the first print, N for "CETAK ULANG ke-N"


def slip_for(
    voucher: Voucher, paper: str = "80", reprint: int | None = None, depth: int = 1
) -> Slip:
    """The slip for a voucher as printed now (before this print is recorded) on the paper.

    `depth` 8 gives the QR as 8-bit grey, which WeasyPrint embeds without converting it.
    """
    head = voucher.household.head
    token = tokens.sign_token(voucher.id, voucher.program_code, voucher.value, voucher.expires_on)
    return Slip(
        voucher_id=voucher.id,
        # Outside a request (jobs, CLI) there is no visitor's language: print Bahasa Indonesia.
        program=voucher.program.name if has_request_context() else voucher.program.name_id,
        value=voucher.value,
        balance=voucher.balance if voucher.balance < voucher.value else None,
        period=voucher.period.label,
        expires_on=voucher.expires_on,
        village=voucher.village.name,
        head_name=head.name if head else "-",
        head_nik=mask_number(head.nik) if head else "-",
        serial=voucher.serial,
        manual_code=tokens.format_code(tokens.manual_code(voucher.period_id, voucher.household_id)),
        token=token,
        qr=qr_image(token, paper, depth),
        reprint=voucher.print_count if reprint is None else reprint,
    )


def with_slip_data(statement):
    """Load what a slip shows with the vouchers, in a few queries instead of one per slip."""
    return statement.options(
        selectinload(Voucher.period),
        selectinload(Voucher.program),
        selectinload(Voucher.village),
        selectinload(Voucher.household).selectinload(Household.members),
    )


def record_prints(actor, vouchers, device=None, channel: str = "kiosk") -> None:
    """Count a print of each voucher and audit it, in the caller's transaction (not committed)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown print channel {channel!r}")
    now = utcnow()
    for voucher in vouchers:
        reprint = voucher.print_count
        voucher.print_count = reprint + 1
        voucher.last_printed_at = now
        record(
            actor,
            "vouchers.printed",
            voucher,
            serial=voucher.serial,
            reprint=reprint,
            channel=channel,
            device=getattr(device, "id", device),
        )
    db.session.flush()


def printable_for(household, today: date) -> list[Voucher]:
    """The household's vouchers a resident can print today: active, unexpired, money left.

    One query: the period comes with the join; program, village and household are usually
    in the session already (the kiosk's status page loaded them), so no more are needed.
    """
    household_id = getattr(household, "id", household)
    statement = (
        select(Voucher)
        .join(DistributionPeriod, DistributionPeriod.id == Voucher.period_id)
        .join(Program, Program.code == Voucher.program_code)
        .options(contains_eager(Voucher.period))
        .where(
            Voucher.household_id == household_id,
            Voucher.state == "active",
            Voucher.balance > 0,
            Voucher.expires_on >= today,
            DistributionPeriod.starts_on <= today,
            DistributionPeriod.ends_on >= today,
        )
        .order_by(Program.sort_order, Voucher.id)  # Sembako first, as on the status page
    )
    return list(db.session.scalars(statement))


def village_vouchers(village_code: str, period_ids: list[int] | None, today: date) -> list:
    """Printable vouchers of a village (in the periods given, else every open period)."""
    statement = (
        select(Voucher)
        .join(DistributionPeriod, DistributionPeriod.id == Voucher.period_id)
        .where(
            Voucher.village_code == village_code,
            Voucher.state == "active",
            Voucher.balance > 0,
            Voucher.expires_on >= today,
        )
    )
    if period_ids:
        statement = statement.where(Voucher.period_id.in_(period_ids))
    else:
        statement = statement.where(
            DistributionPeriod.starts_on <= today, DistributionPeriod.ends_on >= today
        )
    statement = statement.order_by(Voucher.period_id, Voucher.household_id)
    return list(db.session.scalars(with_slip_data(statement)))


def open_periods(today: date) -> list[DistributionPeriod]:
    """Periods whose vouchers can be printed today, newest first."""
    return list(
        db.session.scalars(
            select(DistributionPeriod)
            .where(DistributionPeriod.starts_on <= today, DistributionPeriod.ends_on >= today)
            .order_by(DistributionPeriod.starts_on.desc(), DistributionPeriod.id.desc())
        )
    )
