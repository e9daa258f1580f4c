"""Cek Tiket: the ticket number and the submitter's NIK show how far a ticket has come."""

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db, limiter
from ..kiosk.views import device_key
from ..pages import no_store, render_page
from .models import Ticket
from .numbers import clean_number, grouped, nik_key
from .public_labels import KINDS, PROGRESS, STAGES, decision, progress, reason_label
from .public_views import bp

# One answer for a wrong number, a wrong NIK and no such ticket: the page is no oracle.
NOT_FOUND = _l(
    "Tiket tidak ditemukan. Periksa nomor tiket pada bukti Anda dan NIK orang yang mengajukan."
)


def _limit(name):
    return lambda: current_app.config[name]


def lookup_address_key() -> str:
    """Rate-limit key: the client address (apart from device_key, which is the address too
    on a phone: one shared key would count each phone lookup twice)."""
    return f"lookup-addr:{request.remote_addr}"


def _form(number: str = "", message=None, status=200):
    return no_store(
        render_page(
            "tickets/public/check.html",
            block="main",
            status=status,
            number=number,
            message=message,
        )
    )


@bp.get("/cek-tiket")
def check():
    """Ask for the ticket number (a receipt's QR fills it in) and the submitter's NIK."""
    number = clean_number(request.args.get("nomor"))
    return _form(grouped(number) if number else "")


@bp.post("/cek-tiket")
@limiter.limit(_limit("RATELIMIT_TICKET_LOOKUP"), key_func=device_key)
@limiter.limit(_limit("RATELIMIT_TICKET_LOOKUP"), key_func=lookup_address_key)
def check_answer():
    """Show the ticket's stage and, once decided, the decision and its reasons."""
    raw_number = request.form.get("nomor") or ""
    number = clean_number(raw_number)
    nik = "".join((request.form.get("nik") or "").split())
    ticket = None
    if number and len(nik) == 16 and nik.isascii() and nik.isdigit():
        ticket = db.session.scalar(
            select(Ticket).where(Ticket.number == number, Ticket.submitter_nik_hash == nik_key(nik))
        )
    if ticket is None:
        return _form(raw_number[:40], NOT_FOUND, 422)
    headline, reasons = decision(ticket)
    return no_store(
        render_page(
            "tickets/public/check_result.html",
            block="main",
            ticket=ticket,
            number=grouped(ticket.number),
            kind=KINDS.get(ticket.kind, ticket.kind),
            reason=reason_label(ticket),
            stage=STAGES.get(ticket.stage, ticket.stage),
            steps=PROGRESS,
            done=progress(ticket),
            headline=headline,
            reasons=reasons,
        )
    )
