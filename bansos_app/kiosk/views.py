"""Public home for kiosks and phones."""

from flask import Blueprint, abort

from ..pages import render_page

bp = Blueprint("kiosk", __name__)

# Flows that later work adds; until then each leads to a clear "belum tersedia" page.
PENDING = {"cek-status", "cetak-voucher", "usul-sanggah", "cek-tiket"}


@bp.get("/")
def home():
    """Show the four large choices and the language switch."""
    return render_page("kiosk/home.html")


@bp.get("/layanan/<name>")
def pending(name: str):
    """Explain that a flow is not available yet instead of a dead link."""
    if name not in PENDING:
        abort(404)
    return render_page("kiosk/pending.html", name=name)
