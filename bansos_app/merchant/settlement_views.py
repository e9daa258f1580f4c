"""The shop's own settlement pages: its periods, one period's lines, submit, CSV and PDF."""

from flask import Blueprint, Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from ..auth.access import requires
from ..extensions import db
from ..formatting import format_rupiah
from ..pages import no_store, render_page
from ..vouchers.models import DistributionPeriod
from .models import Merchant, Settlement
from .settlement import (
    STATE_NAMES,
    SettlementError,
    find_settlement,
    last_return_reason,
    settlement_lines,
    submit_settlement,
)
from .settlement_export import settlement_csv
from .settlement_lists import shop_periods
from .settlement_pdf import settlement_pdf

bp = Blueprint("settlement", __name__)
ID = "int(max=2147483647)"


def find_merchant() -> Merchant | None:
    """The active shop run from the logged-in account, if any."""
    merchant = db.session.scalar(select(Merchant).filter_by(user_id=current_user.id))
    return merchant if merchant is not None and merchant.active else None


def current_merchant() -> Merchant:
    """The shop run from the logged-in account; 404 for an account without an active shop."""
    merchant = find_merchant()
    if merchant is None:
        abort(404)
    return merchant


def _period_or_404(merchant: Merchant, period_id: int) -> DistributionPeriod:
    """A period of the shop's own program; any other looks like no period at all."""
    period = db.session.get(DistributionPeriod, period_id)
    if period is None or period.program_code != merchant.program_code:
        abort(404)
    return period


def _settlement(merchant, period) -> Settlement:
    """The settlement row, or an unsaved open one: reading a page writes nothing."""
    return find_settlement(merchant, period) or Settlement(
        merchant_id=merchant.id, period_id=period.id, state="open", total=0, redemption_count=0
    )


@bp.get("/")
@requires("merchant.redeem")
def periods():
    """The shop's periods with its total and settlement state in each."""
    merchant = find_merchant()
    if merchant is None:
        # A shop account Dinsos has not linked to a shop yet: say so rather than a bare 404.
        return no_store(render_page("merchant/settlement_periods.html", merchant=None, rows=[]))
    return no_store(
        render_page(
            "merchant/settlement_periods.html",
            merchant=merchant,
            rows=shop_periods(merchant),
            state_names=STATE_NAMES,
        )
    )


def _period_page(merchant, period, error=None, status=200):
    settlement = _settlement(merchant, period)
    return no_store(
        render_page(
            "merchant/settlement_shop.html",
            merchant=merchant,
            period=period,
            settlement=settlement,
            lines=settlement_lines(merchant, period),
            returned_reason=last_return_reason(settlement if settlement.id else None),
            state_names=STATE_NAMES,
            form=FlaskForm(),
            error=error,
            status=status,
        )
    )


@bp.get(f"/<{ID}:period_id>")
@requires("merchant.redeem")
def period(period_id: int):
    """One period: the shop's redemptions, total, state and the submit button."""
    merchant = current_merchant()
    return _period_page(merchant, _period_or_404(merchant, period_id))


@bp.post(f"/<{ID}:period_id>/ajukan")
@requires("merchant.redeem")
def submit(period_id: int):
    """Submit the period's redemptions to Dinsos for payment."""
    merchant = current_merchant()
    period = _period_or_404(merchant, period_id)
    form = FlaskForm()
    if not form.validate_on_submit():
        return _period_page(merchant, period, _("Sesi formulir habis; coba lagi."), 422)
    try:
        settlement = submit_settlement(current_user, merchant, period)
    except SettlementError as e:
        return _period_page(merchant, period, e.message, 422)
    flash(
        _(
            "Rekap diajukan: %(n)d penukaran, %(total)s.",
            n=settlement.redemption_count,
            total=format_rupiah(settlement.total),
        )
    )
    return redirect(url_for("settlement.period", period_id=period.id), code=303)


def download(body, mimetype: str, filename: str) -> Response:
    """A file to save, never cached (it names the shop's customers, masked)."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return no_store(response)


def file_name(merchant, period, ext: str) -> str:
    """rekap-<shop id>-<period id>.<ext>: no free text in a header."""
    return f"rekap-toko{merchant.id}-periode{period.id}.{ext}"


@bp.get(f"/<{ID}:period_id>/rekap.csv")
@requires("merchant.redeem")
def csv_file(period_id: int):
    """The period's redemptions as CSV."""
    merchant = current_merchant()
    period = _period_or_404(merchant, period_id)
    body = settlement_csv(_settlement(merchant, period))
    return download(body.encode(), "text/csv; charset=utf-8", file_name(merchant, period, "csv"))


@bp.get(f"/<{ID}:period_id>/rekap.pdf")
@requires("merchant.redeem")
def pdf_file(period_id: int):
    """The period's settlement as an A4 PDF."""
    merchant = current_merchant()
    period = _period_or_404(merchant, period_id)
    body = settlement_pdf(_settlement(merchant, period))
    return download(body, "application/pdf", file_name(merchant, period, "pdf"))
