"""Voucher slips at the kiosk (printed silently) and on a phone (shown for the shop to scan)."""

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _

from ..pages import no_store, render_page
from .services import VISIT_COOKIE, current_visit, print_for_visit
from .views import _render_status, bp


@bp.post("/status/cetak")
def print_slips():
    """Count the chosen vouchers' prints, then show their slips (a kiosk prints them)."""
    visit = current_visit(request.cookies.get(VISIT_COOKIE))
    if visit is None:
        return no_store(redirect(url_for("kiosk.home"), code=303))
    if visit.pin_verified_at is None:
        flash(_("Masukkan PIN kios dahulu untuk mencetak voucher."))
        return no_store(redirect(url_for("kiosk.status") + "#vouchers", code=303))
    device = g.get("kiosk_device")
    paper = str(device.paper_width) if device else "80"
    wanted = None if request.form.get("semua") else request.form.getlist("voucher")
    slips = print_for_visit(visit, wanted, device, paper)
    if slips is None:
        message = _("Voucher itu tidak dapat dicetak. Pilih voucher dari daftar di bawah.")
        return no_store(_render_status(visit, pin_message=message, status=422))
    return no_store(render_page("kiosk/slip.html", slips=slips, autoprint=device is not None))
