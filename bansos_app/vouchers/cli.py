"""`flask bansos issue-vouchers`, `verify-token`, `rotate-voucher-key`, `voucher-public-keys`."""

import sys
import time

import click
from flask_babel import force_locale
from sqlalchemy import select

from ..cli import bansos_cli
from ..eligibility.evaluation import local_today
from ..extensions import db
from ..jobs.services import start_job
from ..registry.identity import mask_number
from .keys import public_keys_pem, rotate_key
from .models import DistributionPeriod, Voucher
from .services import PeriodError, is_expired, issue_vouchers, open_period
from .tokens import TokenError, code_hash, looks_like_code, normalise_code, verify_token

DAY = click.DateTime(formats=["%Y-%m-%d"])


def _text(message) -> str:
    """A service's message in English: the CLI has no request to take a language from."""
    with force_locale("en"):
        return str(message)


def _period(period_id, program, label, starts, ends) -> DistributionPeriod:
    """The period named by --period, or by --program/--label (opened when it does not exist)."""
    if period_id is not None:
        period = db.session.get(DistributionPeriod, period_id)
        if period is None:
            raise click.ClickException(f"No period {period_id}.")
        return period
    if not (program and label):
        raise click.ClickException("Give --period ID, or --program CODE and --label L.")
    period = db.session.scalar(
        select(DistributionPeriod).filter_by(program_code=program.upper(), label=label)
    )
    if period is not None:
        return period
    if not (starts and ends):
        raise click.ClickException("A new period needs --starts and --ends (YYYY-MM-DD).")
    try:
        period = open_period(None, program.upper(), label, starts.date(), ends.date())
    except PeriodError as e:
        raise click.ClickException(_text(e.message)) from e
    click.echo(f"Opened period {period.id}: {period.program_code} {period.label}.")
    return period


@bansos_cli.command("issue-vouchers")
@click.option("--period", "period_id", type=int, default=None, help="An existing period's id.")
@click.option("--program", default=None, help="SEMBAKO, LPG or LISTRIK (with --label).")
@click.option("--label", default=None, help='The period\'s name, such as "2026 Tahap 4".')
@click.option("--starts", type=DAY, default=None, help="First day of a new period.")
@click.option("--ends", type=DAY, default=None, help="Last day of a new period.")
@click.option("--queue", "queued", is_flag=True, help="Hand it to the worker instead.")
def issue_vouchers_cmd(period_id, program, label, starts, ends, queued):
    """Issue a period's vouchers to its recipients (idempotent: a rerun issues only new ones)."""
    period = _period(period_id, program, label, starts, ends)
    if queued:
        job = start_job(None, "issue_vouchers", {"period_id": period.id})
        click.echo(f"Queued job {job.id}: follow it at /staf/tugas/{job.id}")
        return
    started = time.perf_counter()
    try:
        issued = issue_vouchers(period, None)
    except PeriodError as e:
        raise click.ClickException(_text(e.message)) from e
    click.echo(
        f"Period {period.id} ({period.program_code} {period.label}): {issued} vouchers issued, "
        f"{period.issued_count} in all, in {time.perf_counter() - started:.1f} s."
    )


def _holder(voucher: Voucher) -> str:
    """The head's first name and initials, and the masked NIK: enough to ask for the KK."""
    head = voucher.household.head
    if head is None:
        return "-"
    first, *rest = head.name.split() or ["-"]
    return " ".join([first, *(f"{w[0]}." for w in rest)]) + f" ({mask_number(head.nik)})"


def _find(text: str) -> Voucher | None:
    """The voucher a token or a manual code names; raises TokenError when it does not verify."""
    if looks_like_code(text):
        digest = code_hash(normalise_code(text))
        return db.session.scalar(select(Voucher).filter_by(code_hash=digest))
    claims = verify_token(text)
    voucher = db.session.get(Voucher, claims.voucher_id)
    if voucher is not None and (
        voucher.program_code,
        voucher.value,
        voucher.expires_on,
    ) != (claims.program_code, claims.value, claims.expires_on):
        raise TokenError("forged")  # signed, but not what this voucher is
    return voucher


@bansos_cli.command("verify-token")
@click.argument("token")
def verify_token_cmd(token):
    """Print what a shop would see for a QR token or a manual code; exit 1 if it is not good."""
    try:
        voucher = _find(token)
    except TokenError as e:
        click.echo(f"Token does NOT verify: {e.reason}", err=True)
        sys.exit(1)
    if voucher is None:
        click.echo("Token verifies, but no such voucher is known here.", err=True)
        sys.exit(2)
    expired = is_expired(voucher, local_today())
    state = "expired" if voucher.state == "active" and expired else voucher.state
    lines = [
        ("Serial", voucher.serial),
        ("Program", voucher.program_code),
        ("Period", voucher.period.label),
        ("Value", f"Rp{voucher.value:,}".replace(",", ".")),
        ("Balance", f"Rp{voucher.balance:,}".replace(",", ".")),
        ("State", state + (f" ({voucher.void_reason})" if voucher.state == "voided" else "")),
        ("Expires", f"end of {voucher.expires_on.isoformat()} (WIB)"),
        ("Holder", _holder(voucher)),
        ("Village", f"{voucher.village.name} ({voucher.village_code})"),
    ]
    for key, value in lines:
        click.echo(f"{key + ':':<9} {value}")
    if state != "active":
        sys.exit(3)  # genuine, but a shop cannot take it


@bansos_cli.command("rotate-voucher-key")
def rotate_voucher_key_cmd():
    """Make a new signing key for vouchers; older keys keep verifying slips already printed."""
    click.echo(f"New voucher signing key: {rotate_key()}")


@bansos_cli.command("voucher-public-keys")
def voucher_public_keys_cmd():
    """Print every public key (PEM) for checking slips offline."""
    keys = public_keys_pem()
    if not keys:
        click.echo("No voucher keys yet: the first is made when a voucher is signed.", err=True)
    for kid, pem in sorted(keys.items()):
        click.echo(f"# key {kid}\n{pem}")
