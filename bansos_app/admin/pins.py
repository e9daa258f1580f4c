"""Staff pages for kiosk PINs: find a household by KK, issue a PIN, print the slip once."""

from flask import Blueprint, abort, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import in_scope, requires
from ..extensions import db
from ..kiosk.pins import PinChanged, issue_pin, pin_version
from ..pages import no_store, render_page
from ..registry.identity import check_kk
from ..registry.models import Household
from .forms import KkLookupForm

bp = Blueprint("pins", __name__)


@bp.route("/", methods=["GET", "POST"])
@requires("kiosk.pin")
def lookup():
    """Find a household in the operator's villages by its KK number."""
    form = KkLookupForm()
    household, error = None, None
    if form.validate_on_submit():
        checked = check_kk(form.kk.data)
        if not checked.ok:
            error = checked.errors[0]
        else:
            household = db.session.scalar(
                select(Household).where(Household.kk_number == checked.value)
            )
            # Outside the scope looks the same as unknown: operators see only their villages.
            if household is None or not in_scope(current_user, household.village_code):
                household, error = None, _("Nomor KK tidak ditemukan di desa Anda.")
    status = 422 if error else 200
    return no_store(
        render_page(
            "admin/pins.html",
            pin_version=pin_version,
            block="pin_result",
            form=form,
            household=household,
            error=error,
            status=status,
        )
    )


@bp.post("/<int(max=2147483647):household_id>")
@requires("kiosk.pin")
def issue(household_id: int):
    """Issue a new PIN after the family card was checked in person; print it once."""
    household = db.session.get(Household, household_id)
    if household is None or not in_scope(current_user, household.village_code):
        abort(404)
    form = KkLookupForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        pin = issue_pin(current_user, household, request.form.get("versi", ""))
    except PinChanged:
        error = _(
            "PIN keluarga ini baru saja dibuat. Pakai slip yang sudah tercetak; buat PIN "
            "baru hanya jika slip itu hilang."
        )
        page = render_page(
            "admin/pins.html",
            pin_version=pin_version,
            form=form,
            household=household,
            error=error,
            status=409,
        )
        return no_store(page)
    return no_store(render_page("admin/pin_slip.html", household=household, pin=pin))
