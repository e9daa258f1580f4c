"""Usul / Sanggah: the submit (rate-limited, with a phone's photo), its result and receipt."""

from flask import current_app, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_htmx import make_response as htmx_response
from werkzeug.exceptions import RequestEntityTooLarge

from ..extensions import db, htmx, limiter
from ..kiosk.services import VISIT_COOKIE, current_visit
from ..kiosk.views import device_key
from ..pages import no_store, render_page
from ..registry.models import Person
from . import public_flow as flow
from .models import Ticket
from .photo import PhotoError, max_bytes, reencode
from .public_labels import KINDS, decision
from .public_views import _new_state, _no_visit, _render, bp, submit_address_key
from .receipt import receipt_for
from .submit import Draft, TicketError, submit_ticket

RESULT_MINUTES = 60


def _limit(name):
    return lambda: current_app.config[name]


def _draft(visit, state) -> Draft:
    household = visit.household
    submitter = db.session.get(Person, state.get("who"))
    if submitter is None or submitter.household_id != household.id:
        raise TicketError(_l("Waktu habis. Silakan mulai lagi."), "form")
    device = g.get("kiosk_device")
    draft = Draft(
        kind=state["kind"],
        channel="kiosk" if device else "phone",
        submitter_nik=submitter.nik,
        program_code=state.get("program"),
        reason_code=state.get("reason", ""),
        text=state.get("text", ""),
        device_id=device.id if device else None,
    )
    if state.get("whom") == "new":
        draft.proposed = {
            "nik": state["nik"],
            "kk": state["kk"],
            "name": state["name"],
            "village_code": household.village_code,
        }
    else:
        draft.subject_household_id = state.get("household") or household.id
    return draft


@bp.post("/usul-sanggah/kirim")
@limiter.limit(_limit("RATELIMIT_TICKET_DEVICE"), key_func=device_key)
@limiter.limit(_limit("RATELIMIT_TICKET_ADDRESS"), key_func=submit_address_key)
def submit():
    """Submit the ticket; screening answers at once. Phones may add a photo of the house."""
    visit = current_visit(request.cookies.get(VISIT_COOKIE))
    if visit is None:
        return _no_visit()
    state = flow.unsign(request.form.get("flow"), visit.id)
    if state is None or flow.current_step(state) != "confirm":
        return _render(visit, _new_state(visit), _l("Waktu habis. Silakan mulai lagi."), 422)
    try:
        draft = _draft(visit, state)
        upload = request.files.get("foto")
        if upload and upload.filename and g.get("kiosk_device") is None:
            draft.photo = reencode(upload.read(max_bytes() + 1))
        ticket = submit_ticket(None, draft)  # the same ticket again for a double tap
    except (TicketError, PhotoError) as refused:
        db.session.rollback()
        return _render(visit, state, refused.message, 422)
    token = flow.sign({"v": visit.id, "t": ticket.id}, salt="usul-result")
    target = url_for("usul.result", token=token)
    if htmx:
        return no_store(htmx_response(_result_page(ticket, token), push_url=target))
    return no_store(redirect(target, code=303))


# The photo form may send a few megabytes; every other form keeps the small global limit.
submit.upload_limit = 8 * 1024 * 1024 + 64 * 1024


@bp.record_once
def _photo_limit(state):
    submit.upload_limit = int(state.app.config["TICKET_PHOTO_MAX_BYTES"]) + 64 * 1024


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error):
    """A photo above the limit: say so plainly, with the limit, and nothing was stored."""
    page = render_page(
        "tickets/public/too_large.html", block="main", status=413, mb=max_bytes() // 2**20
    )
    if htmx:
        page.headers["HX-Retarget"], page.headers["HX-Reswap"] = "#main", "innerHTML"
    return no_store(page)


def _ticket_for(token):
    """Return the visit and ticket a result token names, if the visit is still this browser's."""
    visit = current_visit(request.cookies.get(VISIT_COOKIE))
    if visit is None:
        return None, None
    state = flow.unsign(token, visit.id, salt="usul-result", minutes=RESULT_MINUTES)
    ticket = db.session.get(Ticket, state["t"]) if state else None
    return visit, ticket


def _result_page(ticket, token, status=200):
    device = g.get("kiosk_device")
    headline, reasons = decision(ticket)
    return render_page(
        "tickets/public/result.html",
        block="main",
        status=status,
        ticket=ticket,
        token=token,
        headline=headline,
        reasons=reasons,
        receipt=None if device else receipt_for(ticket),
        kind_labels=KINDS,
    )


@bp.get("/usul-sanggah/hasil/<token>")
def result(token: str):
    """Show the ticket just submitted: its number and what happens next, or why it was refused."""
    _visit, ticket = _ticket_for(token)
    if ticket is None:
        return no_store(redirect(url_for("kiosk.home"), code=303))
    return no_store(_result_page(ticket, token))


@bp.get("/usul-sanggah/bukti/<token>")
def receipt(token: str):
    """The receipt slip: a kiosk prints it at once, then goes back to the status."""
    _visit, ticket = _ticket_for(token)
    if ticket is None:
        return no_store(redirect(url_for("kiosk.home"), code=303))
    device = g.get("kiosk_device")
    paper = str(device.paper_width) if device else "80"
    return no_store(
        render_page(
            "tickets/public/receipt.html",
            receipt=receipt_for(ticket, paper),
            kind_labels=KINDS,
            autoprint=device is not None,
        )
    )
