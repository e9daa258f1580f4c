"""Staff pages for kiosk PINs: find a household by KK, NIK or name, issue a PIN, print it once."""

from flask import Blueprint, abort, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ..auth.access import in_scope, requires
from ..extensions import db
from ..kiosk.pins import PinChanged, issue_pin, pin_version
from ..pages import no_store, render_page
from ..registry.models import Household
from .forms import HouseholdLookupForm
from .lookup import LookupResult, lookup_households

bp = Blueprint("pins", __name__)


@bp.route("/", methods=["GET", "POST"])
@requires("kiosk.pin")
def lookup():
    """Find households in the operator's villages by KK, NIK (POST only) or part of a name."""
    form = HouseholdLookupForm()
    found = None
    if form.validate_on_submit():
        found = lookup_households(current_user, form.kk.data)
    status = 422 if found is not None and found.error else 200
    return no_store(
        render_page(
            "admin/pins.html",
            pin_version=pin_version,
            block="pin_result",
            form=form,
            found=found,
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
    form = FlaskForm()
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
            form=HouseholdLookupForm(formdata=None),
            found=LookupResult(households=[household], error=error),
            status=409,
        )
        return no_store(page)
    return no_store(render_page("admin/pin_slip.html", household=household, pin=pin))
