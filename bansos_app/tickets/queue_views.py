"""Staff ticket queues at /staf/tiket/: village verification and Dinsos decisions."""

from flask import Blueprint, abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_htmx import make_response as htmx_response
from flask_login import current_user

from ..auth.access import can, in_scope, requires, scope_villages
from ..extensions import db, htmx
from ..pages import no_store, render_page
from ..registry.forms import STATUS_NAMES
from ..registry.identity import mask_number
from . import queue
from .models import Ticket, TicketPhoto
from .numbers import clean_number, grouped
from .privacy import may_see_photo, submitter_label
from .queue_forms import (
    ALL_STAGES,
    NAMES,
    BulkForm,
    DecideForm,
    VerifyForm,
    filter_form,
    mark_field,
    ticked,
    verification_from,
)
from .screening import message
from .submit import TicketError
from .workflow import decide_ticket, run_bulk, verify_ticket

bp = Blueprint("tickets", __name__)
LIST = "tickets/staff/queue.html"
PAGE = "tickets/staff/ticket.html"
ID = "int(max=2147483647)"
FILTER_KEYS = ("q", "desa", "jenis", "tahap", "terlambat")


def _filter_form():
    """The filters: villages in the user's scope; the stage defaults to the user's step."""
    villages = db.session.scalars(scope_villages(current_user)).all()
    return filter_form(request.args, villages, queue.default_stage(current_user))


def _listing(form) -> dict:
    """The page of tickets for valid filters (a bad one is left out on its own) and counters."""
    form.validate()
    ok = {name: not getattr(form, name).errors for name in (*FILTER_KEYS, "hal")}
    if not ok["q"]:
        form.q.data = ""  # never echo a 10,000-character search back
    stage = form.tahap.data if ok["tahap"] else ALL_STAGES
    filters = queue.Filters(
        village=form.desa.data if ok["desa"] else "",
        kind=form.jenis.data if ok["jenis"] else "",
        stage="" if stage == ALL_STAGES else stage,
        overdue=form.terlambat.data if ok["terlambat"] else "",
        q=" ".join((form.q.data or "").split()),
        page=form.hal.data if ok["hal"] and form.hal.data else 1,
    )
    args = {k: v for k in FILTER_KEYS if ok[k] and (v := getattr(form, k).data)}
    if filters.q.replace(" ", "").isdigit() and not clean_number(filters.q):
        args.pop("q", None)  # digits that are no ticket number (a NIK?) never go in a link
    return {
        "listed": queue.queue_page(current_user, filters),
        "args": args,
        **_counters(),
    }


def _counters() -> dict:
    counts = queue.counters(current_user)
    return {"counts": counts, "poll": counts["state"]}


def _context(**extra) -> dict:
    return {
        **NAMES,
        "status_names": STATUS_NAMES,
        "grouped": grouped,
        "can_verify": can(current_user, "tickets.verify"),
        "can_decide": can(current_user, "tickets.decide"),
        "decide_form": DecideForm(formdata=None),
        **extra,
    }


def _args() -> dict:
    """The queue's filters carried by an action's URL, to go back to the same list."""
    return {k: v for k in (*FILTER_KEYS, "hal") if (v := request.args.get(k, "")[:100])}


def _back_to_list():
    """303 to the list as it was (its filters ride on the action's URL)."""
    response = redirect(url_for("tickets.index", **_args()), code=303)
    response.vary.add("HX-Request")
    return response


def _ticket_or_404(ticket_id: int) -> Ticket:
    """A ticket of the user's villages; others look like none at all."""
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or not in_scope(current_user, ticket.village_code):
        abort(404)
    return ticket


def _detail(ticket: Ticket, verify_form=None) -> dict:
    """Everything the expanded row and the ticket page show."""
    facts = queue.household_facts(ticket)
    wants_form = (
        can(current_user, "tickets.verify")
        and ticket.stage == "screened"
        and ticket.entered_by_id != current_user.id
    )
    if wants_form and verify_form is None:
        verify_form = VerifyForm(formdata=None)
        if ticket.kind == "reaktivasi":
            verify_form.forum.data = "musdesus"
    return {
        "t": ticket,
        "facts": facts,
        "submitter": submitter_label(current_user, ticket),
        "photo": may_see_photo(current_user, ticket) and queue.has_photo(ticket.id),
        "message": message,
        "mask": mask_number,
        "verify_form": verify_form if wants_form else None,
        "wants_desil": ticket.kind == "sanggah_sendiri" and ticket.reason_code == "desil",
    }


def _row(ticket: Ticket, status=200, expanded=False, oob=False, **extra):
    """One ticket's rows (with the counters out of band after a change)."""
    verify_form = extra.pop("verify_form", None)
    ctx = {"t": ticket, "names": queue.subject_names([ticket]), "args": _args()}
    if expanded:
        ctx.update(_detail(ticket, verify_form))
    if oob:
        ctx.update(_counters())
    return no_store(
        render_page(
            LIST,
            block="row",
            oob=("counters",) if oob else (),
            status=status,
            expanded=expanded,
            oob_swap=oob,
            **ctx,
            **_context(**extra),
        )
    )


def _page(ticket: Ticket, status=200, **extra):
    """The ticket's own page (without JavaScript, or opened from a link)."""
    verify_form = extra.pop("verify_form", None)
    return no_store(
        render_page(
            PAGE, status=status, args=_args(), **_detail(ticket, verify_form), **_context(**extra)
        )
    )


@bp.get("/")
@requires("tickets.view")
def index():
    """The queue: tickets in the user's villages waiting for their step; filters, search, pages."""
    form = _filter_form()
    listing = _listing(form)
    status = 422 if form.errors else 200
    response = render_page(LIST, block="listing", status=status, form=form, **listing, **_context())
    if htmx and "q" in request.args and "q" not in listing["args"]:
        # A typed NIK stays out of the address bar (house rule: never a NIK in a URL).
        response = htmx_response(response, push_url=url_for("tickets.index", **listing["args"]))
    return no_store(response)


@bp.get(f"/<{ID}:ticket_id>")
@requires("tickets.view")
def detail(ticket_id: int):
    """One ticket: its row expanded inline for htmx (or folded with ?ringkas=1), else its page."""
    ticket = _ticket_or_404(ticket_id)
    if htmx:
        return _row(ticket, expanded=not request.args.get("ringkas"))
    return _page(ticket)


@bp.get(f"/<{ID}:ticket_id>/foto")
@requires("tickets.view")
def photo(ticket_id: int):
    """The house photo, for the deciding chain only; never cached anywhere."""
    ticket = db.session.get(Ticket, ticket_id)
    # Another village's ticket answers as the detail does: as if it did not exist.
    if ticket is None or not in_scope(current_user, ticket.village_code):
        abort(404)
    if not may_see_photo(current_user, ticket):
        abort(403)
    picture = db.session.get(TicketPhoto, ticket.id)
    if picture is None:
        abort(404)
    response = make_response(picture.data)
    response.headers["Content-Type"] = "image/jpeg"
    response.headers["Cache-Control"] = "private, no-store"
    response.vary.add("HX-Request")
    return response


def _done(ticket: Ticket, note: str):
    """After a step: the row and counters for htmx, else back to the list with a message."""
    if htmx:
        return _row(ticket, oob=True, row_note=note)
    flash(note)
    return _back_to_list()


def _refused(ticket: Ticket, error, verify_form=None):
    """A refusal changes nothing: the message in the row (htmx) or on the ticket's page, 422."""
    db.session.rollback()
    ticket = db.session.get(Ticket, ticket.id)
    if htmx:
        return _row(ticket, 422, expanded=True, row_error=error, verify_form=verify_form)
    return _page(ticket, 422, row_error=error, verify_form=verify_form)


@bp.post(f"/<{ID}:ticket_id>/verifikasi")
@requires("tickets.verify")
def verify(ticket_id: int):
    """Record the village's field check and deliberation; the ticket goes on to Dinsos."""
    ticket = _ticket_or_404(ticket_id)
    form = VerifyForm()
    if not form.validate():
        return _refused(ticket, _("Periksa isian yang ditandai."), form)
    try:
        ticket = verify_ticket(current_user, ticket.id, verification_from(form))
    except TicketError as e:
        mark_field(form, e)
        return _refused(ticket, e.message, form)
    return _done(
        ticket, _("Tiket %(n)s diverifikasi dan diteruskan ke Dinsos.", n=grouped(ticket.number))
    )


@bp.post(f"/<{ID}:ticket_id>/putuskan")
@requires("tickets.decide")
def decide(ticket_id: int):
    """Dinsos approves (the change is applied at once) or rejects, with a reason."""
    ticket = _ticket_or_404(ticket_id)
    form = DecideForm()
    choice = request.form.get("keputusan")
    if choice not in ("setujui", "tolak"):
        return _refused(ticket, _("Pilih Setujui atau Tolak."))
    if not form.validate():
        return _refused(ticket, " ".join(str(e) for e in form.alasan.errors))
    try:
        ticket = decide_ticket(current_user, ticket.id, choice == "setujui", form.alasan.data)
    except TicketError as e:
        return _refused(ticket, e.message)
    if choice == "setujui":
        note = _("Tiket %(n)s disetujui dan diterapkan.", n=grouped(ticket.number))
    else:
        note = _("Tiket %(n)s ditolak.", n=grouped(ticket.number))
    return _done(ticket, note)


@bp.post("/massal")
@requires("tickets.decide")
def bulk():
    """Approve or close the ticked tickets, each on its own; report done and refused."""
    form = BulkForm()
    step = {"setujui": "approve", "tutup": "close"}.get(request.form.get("aksi"))
    ids = ticked(request.form.getlist("tiket"))
    problem = None
    if step is None:
        problem = _("Pilih Setujui terpilih atau Tutup terpilih.")
    elif not ids:
        problem = _("Centang dulu tiket yang ingin diproses.")
    elif not form.validate():
        problem = " ".join(str(e) for e in form.alasan.errors)
    result = None
    if problem is None:
        numbers = queue.tickets_by_id(current_user, ids)
        done, refused = run_bulk(current_user, ids, step, form.alasan.data or "")
        shown = [(grouped(numbers[i]) if i in numbers else "-", str(m)) for i, m in refused]
        result = {"done": done, "refused": shown}
    if not htmx:
        if problem:
            flash(problem, "error")
        else:
            flash(_("%(n)d tiket diproses.", n=result["done"]))
            for number, why in result["refused"]:
                flash(_("Tiket %(n)s tidak diproses: %(why)s", n=number, why=why), "error")
        return _back_to_list()
    form_filters = _filter_form()
    listing = _listing(form_filters)
    return no_store(
        render_page(
            LIST,
            block="listing",
            status=422 if problem else 200,
            form=form_filters,
            bulk_problem=problem,
            bulk_result=result,
            **listing,
            **_context(),
        )
    )


@bp.get("/baru-masuk")
@requires("tickets.view")
def poll():
    """The 30-second poll: an empty 204 (or 304) when nothing moved in the user's villages."""
    if not htmx:  # a person who opened the poll's address: show them the queue itself
        response = redirect(url_for("tickets.index"), code=303)
        response.vary.add("HX-Request")
        return response
    state = queue.poll_state(current_user)
    since = request.args.get("sejak", "")
    if since == state or request.if_none_match.contains(state):
        # Every byte counts on 2G: no body, no type; the page already holds this state.
        response = make_response("", 204 if since == state else 304)
        del response.headers["Content-Type"]
        response.headers["Cache-Control"] = "no-store" if since == state else "private, no-cache"
    else:
        changed = queue.changed_since(current_user, since)
        response = render_page(LIST, block="poll_note", changed=changed, args=_args())
        response.set_etag(state)
        response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("HX-Request")
    return response
