"""The shop's pages under /toko/: scan, verify, redeem, receipt (HTML and PDF) and undo."""

import secrets
from datetime import UTC
from functools import wraps

from flask import Blueprint, abort, g, redirect, url_for
from flask_htmx import make_response as htmx_response
from flask_login import current_user
from flask_wtf import FlaskForm

from ..auth.access import requires
from ..eligibility.evaluation import JAKARTA
from ..extensions import db, htmx
from ..pages import no_store, render_page
from ..vouchers.models import Redemption
from ..vouchers.redemption import (
    RedemptionError,
    check_redeemable,
    find_voucher,
    redeem,
    undo_redemption,
)
from .forms import RedeemForm, ScanForm
from .receipt import receipt_pdf
from .services import can_undo, own_redemption, shop_of, todays_redemptions

bp = Blueprint("merchant", __name__)


@bp.app_template_filter("jam")
def time_of_day(value) -> str:
    """A stored UTC time as the WIB time of day ("17.05"): today's list needs no date."""
    return value.replace(tzinfo=UTC).astimezone(JAKARTA).strftime("%H.%M") if value else "-"


def shop_page(view):
    """Require the shop permission and a shop linked to the account (g.shop)."""

    @wraps(view)
    @requires("merchant.redeem")
    def wrapped(*args, **kwargs):
        g.shop = shop_of(current_user)
        if g.shop is None:
            # An account Dinsos made before linking it to a shop: say so instead of failing.
            return no_store(render_page("merchant/no_shop.html"))
        return view(*args, **kwargs)

    return wrapped


def _page(status=200, **ctx):
    """The scan page (whole, or its work area for htmx) with today's redemptions."""
    ctx.setdefault("scan_form", ScanForm(formdata=None))
    return no_store(
        render_page(
            "merchant/scan.html",
            block="work",
            shop=g.shop,
            recent=todays_redemptions(g.shop),
            can_undo=can_undo,
            status=status,
            **ctx,
        )
    )


def _verified(token: str, error=None, form=None, status=200):
    """The voucher's details and, when this shop can redeem it, a fresh redemption form."""
    try:
        voucher, _claims = find_voucher(token)
    except RedemptionError as e:
        return _page(error=str(e), status=422)
    problem = None
    try:
        check_redeemable(voucher, g.shop)
    except RedemptionError as e:
        problem = str(e)
    if form is None:
        form = RedeemForm(formdata=None, token=token, amount=voucher.balance)
    # A new key for every form shown: a double click resends this one and redeems once.
    form.idempotency_key.data = secrets.token_hex(16)
    form.token.data = token
    return _page(
        voucher=voucher,
        redeem_form=None if problem else form,
        problem=problem,
        error=error,
        status=422 if (problem or error) else status,
    )


@bp.get("/")
@shop_page
def scan():
    """The scan page: an autofocused field for the USB scanner or a typed code."""
    # Tokens never travel in URLs: a ?token= is ignored, never looked up.
    return _page()


@bp.post("/periksa")
@shop_page
def verify():
    """Show what a scanned token or typed code is worth and whether it can be redeemed here."""
    form = ScanForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _page(scan_form=form, error=form.token.errors[0], status=422)
    return _verified(form.token.data)


@bp.post("/tukar")
@shop_page
def redeem_voucher():
    """Redeem: the amount off the voucher, once per idempotency key, then the receipt."""
    form = RedeemForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        error = next(iter(form.amount.errors), None)
        return _verified(form.token.data or "", error=error, form=form, status=422)
    try:
        redemption = redeem(
            form.token.data, form.amount.data, g.shop, form.idempotency_key.data, current_user
        )
    except RedemptionError as e:
        return _verified(form.token.data or "", error=str(e), form=form, status=422)
    target = url_for("merchant.receipt", redemption_id=redemption.id)
    if htmx:
        return htmx_response(_receipt_page(redemption), push_url=target)
    return redirect(target, code=303)


def _receipt_page(redemption, error=None, status=200):
    """The receipt page; for htmx its work area and, out of band, today's list."""
    return no_store(
        render_page(
            "merchant/receipt.html",
            block="work",
            oob=("recent",),
            oob_recent=bool(htmx),
            recent=todays_redemptions(g.shop),
            shop=g.shop,
            redemption=redemption,
            voucher=redemption.voucher,
            undo=can_undo(redemption),
            error=error,
            status=status,
        )
    )


def _own_or_404(redemption_id: int):
    redemption = own_redemption(g.shop, redemption_id)
    if redemption is None:
        abort(404)
    return redemption


@bp.get("/struk/<int(max=2147483647):redemption_id>")
@shop_page
def receipt(redemption_id: int):
    """The receipt of one of this shop's redemptions, with undo while it is allowed."""
    return _receipt_page(_own_or_404(redemption_id))


@bp.get("/struk/<int(max=2147483647):redemption_id>.pdf")
@shop_page
def receipt_as_pdf(redemption_id: int):
    """The receipt as a PDF for printing or sending."""
    return no_store(receipt_pdf(_own_or_404(redemption_id), g.shop))


@bp.post("/struk/<int(max=2147483647):redemption_id>/batal")
@shop_page
def undo(redemption_id: int):
    """Undo a wrong amount within 10 minutes: the balance comes back."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    redemption = own_redemption(g.shop, redemption_id)
    if redemption is None:
        # Another shop's redemption: refused with the same message the service gives.
        other = db.session.get(Redemption, redemption_id)
        if other is None:
            abort(404)
        return _page(error=str(RedemptionError("other_shop")), status=422)
    try:
        undo_redemption(redemption, current_user, g.shop)
    except RedemptionError as e:
        return _receipt_page(redemption, error=str(e), status=422)
    target = url_for("merchant.receipt", redemption_id=redemption.id)
    if htmx:
        return htmx_response(_receipt_page(redemption), push_url=target)
    return redirect(target, code=303)
