"""Staff pages for kiosk devices: register, list with last-seen, renew code (confirmed), revoke."""

from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from ..auth.access import in_scope, requires, scope_villages, scoped_village_codes
from ..extensions import db, htmx
from ..kiosk.devices import DeviceError, register_device, renew_enrolment, revoke_device
from ..kiosk.models import KioskDevice
from ..links import external_url
from ..pages import no_store, render_page
from .forms import DeviceForm, RenewCodeForm

bp = Blueprint("devices", __name__)


def _form() -> DeviceForm:
    form = DeviceForm()
    villages = db.session.scalars(scope_villages(current_user)).all()
    form.village.choices = [SelectChoice(v.code, f"{v.name} ({v.code})") for v in villages]
    return form


def _devices():
    query = select(KioskDevice).order_by(KioskDevice.created_at.desc())
    codes = scoped_village_codes(current_user)
    if codes is not None:
        query = query.where(KioskDevice.village_code.in_(codes))
    return db.session.scalars(query).all()


def _page(form, issued=None, status=200, confirm=None, block="devices"):
    return no_store(
        render_page(
            "admin/devices.html",
            block=block,
            form=form,
            devices=_devices(),
            issued=issued,
            confirm=confirm,
            status=status,
        )
    )


def _issued(device, code):
    return {
        "device": device,
        "code": code,
        "url": external_url("kiosk_device.enrol_confirm", code=code),
    }


@bp.get("/")
@requires("devices.manage")
def index():
    """List the kiosks in scope and offer the registration form."""
    return _page(_form())


@bp.post("/")
@requires("devices.manage")
def create():
    """Register a kiosk and show its one-time enrolment code once."""
    form = _form()
    if not form.validate_on_submit():
        return _page(form, status=422)
    device, code = register_device(
        current_user,
        form.name.data,
        form.village.data,
        form.paper_width.data,
        form.idle_seconds.data,
    )
    return _page(_form_blank(), issued=_issued(device, code))


def _form_blank() -> DeviceForm:
    form = _form()
    form.name.data = ""
    return form


def _device_or_404(device_id: int) -> KioskDevice:
    device = db.session.get(KioskDevice, device_id)
    if device is None or not in_scope(current_user, device.village_code):
        abort(404)
    return device


# One rule for both methods: with two, a too-large id fails the POST rule's converter and the
# GET rule's method check answers 405 where 404 is right.
@bp.route("/<int(max=2147483647):device_id>/kode", methods=["GET", "POST"])
@requires("devices.manage")
def renew(device_id: int):
    """Ask first (the kiosk stops until the new code is entered on it); renew once confirmed."""
    device = _device_or_404(device_id)
    if device.state == "revoked":
        abort(409)
    confirmation = RenewCodeForm()
    if not (confirmation.validate_on_submit() and confirmation.konfirmasi.data == "ya"):
        # htmx puts the question in the device's own card, where the operator just tapped.
        return _page(_form_blank(), confirm=device, block="renew_confirm")
    try:
        code = renew_enrolment(current_user, device)
    except DeviceError:
        abort(409)
    return _page(_form_blank(), issued=_issued(device, code))


@bp.post("/<int(max=2147483647):device_id>/cabut")
@requires("devices.manage")
def revoke(device_id: int):
    """Revoke a kiosk; it becomes an ordinary browser on its next request."""
    revoke_device(current_user, _device_or_404(device_id))
    if not htmx:
        return redirect(url_for("devices.index"), code=303)
    return _page(_form_blank())
