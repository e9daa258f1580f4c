"""Dinsos' page for reversing a shop's redemption after its 10 minutes, with a reason."""

import re

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import requires
from ..extensions import db
from ..pages import no_store, render_page
from ..vouchers.models import Redemption, Voucher
from ..vouchers.redemption import RedemptionError, reverse_redemption
from .forms import ReasonForm

bp = Blueprint("reversal", __name__)
# ASCII digits and ids within a 32-bit column (PostgreSQL refuses larger ones with an error).
SERIAL = re.compile(r"([0-9]{1,9})-([0-9]{1,10})")
RECEIPT = re.compile(r"#?([0-9]{1,10})")
MAX_ID = 2147483647


def find_redemptions(text: str) -> tuple[Voucher | None, list[Redemption], str | None]:
    """A voucher by serial (001-0000042) or by a redemption's receipt number (#17)."""
    text = "".join(str(text or "").split())
    if not text:
        return None, [], None
    voucher = None
    if (match := SERIAL.fullmatch(text)) and int(match.group(2)) <= MAX_ID:
        voucher = db.session.get(Voucher, int(match.group(2)))
        if voucher is not None and voucher.period_id != int(match.group(1)):
            voucher = None
    elif (match := RECEIPT.fullmatch(text)) and int(match.group(1)) <= MAX_ID:
        redemption = db.session.get(Redemption, int(match.group(1)))
        voucher = redemption.voucher if redemption else None
    else:
        return None, [], _("Ketik nomor seri voucher (misalnya 004-0000123) atau nomor struk.")
    if voucher is None:
        return None, [], _("Tidak ada voucher atau penukaran dengan nomor itu.")
    redemptions = db.session.scalars(
        select(Redemption).where(Redemption.voucher_id == voucher.id).order_by(Redemption.id)
    ).all()
    return voucher, redemptions, None


def _page(query: str, error=None, status=200, form=None):
    voucher, redemptions, lookup_error = find_redemptions(query)
    error = error or lookup_error
    return no_store(
        render_page(
            "merchant/reversal.html",
            query=query,
            voucher=voucher,
            redemptions=redemptions,
            form=form or ReasonForm(formdata=None),
            error=error,
            status=422 if error else status,
        )
    )


@bp.get("/")
@requires("redemptions.reverse")
def index():
    """Find the redemptions of a voucher by its serial or a receipt number."""
    return _page(request.args.get("q", "")[:40])


@bp.post("/<int(max=2147483647):redemption_id>/batal")
@requires("redemptions.reverse")
def reverse(redemption_id: int):
    """Reverse one redemption with a reason; the balance goes back to the voucher."""
    redemption = db.session.get(Redemption, redemption_id)
    if redemption is None:
        abort(404)
    query = redemption.voucher.serial
    form = ReasonForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _page(query, error=form.reason.errors[0], form=form)
    try:
        reverse_redemption(redemption, current_user, form.reason.data)
    except RedemptionError as e:
        return _page(query, error=str(e), form=form)
    return redirect(url_for("reversal.index", q=query), code=303)
