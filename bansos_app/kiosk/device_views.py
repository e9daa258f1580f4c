"""Pages a kiosk browser opens to become (or stay) an enrolled device."""

from flask import Blueprint, abort, redirect, request, url_for

from ..links import external_url
from ..pages import no_store, render_page
from .devices import (
    COOKIE,
    DeviceError,
    device_for_code,
    device_for_start_key,
    device_token,
    enrol_device,
    start_key,
)

bp = Blueprint("kiosk_device", __name__)

TEN_YEARS = 10 * 365 * 24 * 3600


def _with_cookie(response, token: str):
    response.set_cookie(
        COOKIE, token, max_age=TEN_YEARS, httponly=True, samesite="Lax", secure=request.is_secure
    )
    return response


@bp.get("/daftar/<code>")
def enrol_confirm(code: str):
    """Ask for confirmation before a one-time enrolment code is used up."""
    device = device_for_code(code)
    if device is None:
        abort(404)
    return no_store(render_page("kiosk/enrol.html", device=device, code=code, done=False))


@bp.post("/daftar/<code>")
def enrol(code: str):
    """Use the code: this browser becomes the kiosk and keeps a signed device cookie."""
    try:
        device, token = enrol_device(code)
    except DeviceError:
        abort(404)
    start_url = external_url("kiosk_device.start_page") + "#" + start_key(device)
    page = render_page("kiosk/enrol.html", device=device, done=True, start_url=start_url)
    return no_store(_with_cookie(page, token))


@bp.get("/mulai")
def start_page():
    """The launcher opens this with the start key in the fragment; start.js posts it."""
    return no_store(render_page("kiosk/start.html"))


@bp.post("/mulai")
def start():
    """Restore the device cookie in a fresh browser profile from the device's start key."""
    device = device_for_start_key(request.form.get("kunci"))
    if device is None:
        abort(403)
    return no_store(_with_cookie(redirect(url_for("kiosk.home"), code=303), device_token(device)))
