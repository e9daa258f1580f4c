"""Dinsos settlement pages: every shop in a period, one shop's lines, approve, pay, return."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectChoice

from ..auth.access import can, in_scope, requires, scoped_village_codes
from ..extensions import db, htmx
from ..pages import no_store, render_page
from ..registry.models import Region
from ..vouchers.models import DistributionPeriod
from .models import Merchant, Settlement
from .settlement import (
    STATE_NAMES,
    SettlementError,
    approve_settlement,
    find_settlement,
    last_return_reason,
    mark_paid,
    return_settlement,
    settlement_lines,
)
from .settlement_export import period_csv, settlement_csv
from .settlement_forms import PaymentForm, ReturnForm, SettlementFilterForm
from .settlement_lists import counters, period_rows, row_for
from .settlement_pdf import settlement_pdf
from .settlement_views import download, file_name

bp = Blueprint("settlement_admin", __name__)
ID = "int(max=2147483647)"
FILTERS = ("periode", "status", "desa")


def _filter_form() -> SettlementFilterForm:
    """The filter with its choices: periods newest first, states, villages that have shops."""
    form = SettlementFilterForm(formdata=request.args)
    periods = db.session.scalars(
        select(DistributionPeriod).order_by(
            DistributionPeriod.starts_on.desc(), DistributionPeriod.id.desc()
        )
    ).all()
    form.periode.choices = [
        SelectChoice(str(p.id), f"{p.program_code} · {p.label}") for p in periods
    ]
    form.status.choices = [SelectChoice("", _("Semua status"))] + [
        SelectChoice(state, name) for state, name in STATE_NAMES.items()
    ]
    villages = select(Region.code, Region.name).where(
        Region.code.in_(select(Merchant.village_code).distinct())
    )
    scope = scoped_village_codes(current_user)
    if scope is not None:
        villages = villages.where(Region.code.in_(scope))
    form.desa.choices = [SelectChoice("", _("Semua desa"))] + [
        SelectChoice(code, name)
        for code, name in db.session.execute(villages.order_by(Region.name))
    ]
    if not form.periode.data and periods:
        form.periode.data = str(periods[0].id)  # the newest, by default
    for name in ("status", "desa"):
        getattr(form, name).data = getattr(form, name).data or ""
    return form


def _listing(form) -> dict:
    """The rows and counters for valid filters; nothing (and the errors) for bad ones."""
    valid = form.validate() if form.periode.choices else False
    period = db.session.get(DistributionPeriod, int(form.periode.data)) if valid else None
    rows = (
        period_rows(period, scoped_village_codes(current_user), form.desa.data, form.status.data)
        if period
        else []
    )
    args = {k: v for k in FILTERS if (v := getattr(form, k).data)} if valid else {}
    return {"period": period, "rows": rows, "totals": counters(rows), "args": args}


def _context(**extra) -> dict:
    return {
        "state_names": STATE_NAMES,
        "can_manage": can(current_user, "settlements.manage"),
        **extra,
    }


@bp.get("/")
@requires("settlements.view")
def index():
    """Every shop of a period with its count, total and state; filters by state and village."""
    form = _filter_form()
    listing = _listing(form)
    status = 422 if any(f.errors for f in (form.periode, form.status, form.desa)) else 200
    return no_store(
        render_page(
            "merchant/settlement_admin.html",
            block="listing",
            status=status,
            form=form,
            **listing,
            **_context(),
        )
    )


def _settlement_or_404(settlement_id: int) -> Settlement:
    """A settlement of a shop in the user's villages; others look like none at all."""
    settlement = db.session.get(Settlement, settlement_id)
    if settlement is None or not in_scope(current_user, settlement.merchant.village_code):
        abort(404)
    return settlement


def _back(args) -> str:
    return url_for("settlement_admin.index", **args)


@bp.post(f"/<{ID}:settlement_id>/setujui")
@requires("settlements.manage")
def approve(settlement_id: int):
    """Approve a submitted settlement: the row (htmx, with counters) or back to the list."""
    settlement = _settlement_or_404(settlement_id)
    form = _filter_form()
    error, status = None, 200
    if not FlaskForm().validate_on_submit():
        error, status = _("Sesi formulir habis; muat ulang halaman."), 422
    else:
        try:
            settlement = approve_settlement(current_user, settlement)
        except SettlementError as e:
            error, status = e.message, 422
    if not htmx:
        if error:
            flash(error, "error")
        else:
            flash(_("Rekap %(shop)s disetujui.", shop=settlement.merchant.name))
        return redirect(_back(_listing(form)["args"]), code=303)
    row = row_for(settlement.merchant, settlement.period)
    return no_store(
        render_page(
            "merchant/settlement_admin.html",
            block="row",
            oob=("counters",),
            status=status,
            row=row,
            row_error=error,
            oob_swap=True,
            form=form,
            **_listing(form),
            **_context(),
        )
    )


def _shop_and_period(period_id: int, merchant_id: int):
    period = db.session.get(DistributionPeriod, period_id)
    merchant = db.session.get(Merchant, merchant_id)
    if (
        period is None
        or merchant is None
        or merchant.program_code != period.program_code
        or not in_scope(current_user, merchant.village_code)
    ):
        abort(404)
    return merchant, period


def _shown(merchant, period) -> Settlement:
    return find_settlement(merchant, period) or Settlement(
        merchant_id=merchant.id, period_id=period.id, state="open", total=0, redemption_count=0
    )


def _detail(merchant, period, status=200, error=None, pay=None, back=None):
    settlement = _shown(merchant, period)
    return no_store(
        render_page(
            "merchant/settlement_detail.html",
            status=status,
            merchant=merchant,
            period=period,
            settlement=settlement,
            lines=settlement_lines(merchant, period),
            returned_reason=last_return_reason(settlement if settlement.id else None),
            error=error,
            pay=pay or PaymentForm(),
            back=back or ReturnForm(),
            approve_form=FlaskForm(),
            **_context(),
        )
    )


@bp.get(f"/<{ID}:period_id>/<{ID}:merchant_id>")
@requires("settlements.view")
def detail(period_id: int, merchant_id: int):
    """One shop's settlement for one period: lines, total, state and the actions."""
    return _detail(*_shop_and_period(period_id, merchant_id))


def _act(settlement_id: int, form, action, done_message):
    """Run a form action on a settlement: 303 to its page, or the page again with the error."""
    settlement = _settlement_or_404(settlement_id)
    merchant, period = settlement.merchant, settlement.period
    forms = {"pay": form} if isinstance(form, PaymentForm) else {"back": form}
    if not form.validate_on_submit():
        return _detail(merchant, period, 422, **forms)
    try:
        action(settlement)
    except SettlementError as e:
        return _detail(merchant, period, 422, error=e.message, **forms)
    flash(done_message(merchant.name))
    return redirect(
        url_for("settlement_admin.detail", period_id=period.id, merchant_id=merchant.id),
        code=303,
    )


@bp.post(f"/<{ID}:settlement_id>/bayar")
@requires("settlements.manage")
def pay(settlement_id: int):
    """Mark an approved settlement paid, with the payment reference."""
    form = PaymentForm()
    return _act(
        settlement_id,
        form,
        lambda s: mark_paid(current_user, s, form.referensi.data),
        lambda name: _("Rekap %(shop)s ditandai sudah dibayar.", shop=name),
    )


@bp.post(f"/<{ID}:settlement_id>/kembalikan")
@requires("settlements.manage")
def send_back(settlement_id: int):
    """Send a submitted settlement back to the shop with a reason."""
    form = ReturnForm()
    return _act(
        settlement_id,
        form,
        lambda s: return_settlement(current_user, s, form.alasan.data),
        lambda name: _("Rekap %(shop)s dikembalikan ke toko.", shop=name),
    )


@bp.get(f"/<{ID}:period_id>/<{ID}:merchant_id>/rekap.csv")
@requires("settlements.view")
def shop_csv(period_id: int, merchant_id: int):
    """One shop's redemptions in the period as CSV."""
    merchant, period = _shop_and_period(period_id, merchant_id)
    body = settlement_csv(_shown(merchant, period)).encode()
    return download(body, "text/csv; charset=utf-8", file_name(merchant, period, "csv"))


@bp.get(f"/<{ID}:period_id>/<{ID}:merchant_id>/rekap.pdf")
@requires("settlements.view")
def shop_pdf(period_id: int, merchant_id: int):
    """One shop's settlement as an A4 PDF."""
    merchant, period = _shop_and_period(period_id, merchant_id)
    body = settlement_pdf(_shown(merchant, period))
    return download(body, "application/pdf", file_name(merchant, period, "pdf"))


@bp.get(f"/periode/<{ID}:period_id>.csv")
@requires("settlements.view")
def period_file(period_id: int):
    """Every shop in the period (in the user's villages) as CSV."""
    period = db.session.get(DistributionPeriod, period_id)
    if period is None:
        abort(404)
    rows = period_rows(period, scoped_village_codes(current_user))
    body = period_csv(rows, counters(rows)).encode()
    return download(body, "text/csv; charset=utf-8", f"rekap-periode{period.id}.csv")
