"""Tickets staff enter at /staf/tiket/baru: assisted registration and village proposals."""

from flask import Blueprint, abort, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from ..auth.access import in_scope, require_village, requires, scope_villages
from ..eligibility.models import Program
from ..extensions import db
from ..kiosk.services import parse_status_input
from ..pages import no_store, render_page
from ..registry.identity import check_kk
from ..registry.models import Household, Person
from ..registry.services import Filters, search_households
from . import entry_forms as forms
from .models import Ticket
from .numbers import grouped
from .queue_forms import NAMES
from .screening import message
from .submit import Draft, TicketError, submit_ticket

bp = Blueprint("ticket_entry", __name__)
PAGE = "tickets/staff/new.html"
RESULT = "tickets/staff/entry_result.html"
ID = "int(max=2147483647)"
# One message for every miss (no such NIK, no such KK, or the two not of one family), so the
# page says nothing about which numbers exist.
NOT_FOUND = _l(
    "NIK dan nomor KK ini tidak ditemukan bersama di data keluarga. Periksa kembali kartu "
    "keluarga warga."
)


def _programs() -> list[SelectChoice]:
    query = select(Program).order_by(Program.sort_order)
    programs = [SelectChoice(p.code, p.name) for p in db.session.scalars(query)]
    return [SelectChoice("", _("Pilih program")), *programs]


def _villages() -> list[SelectChoice]:
    return [SelectChoice(v.code, v.name) for v in db.session.scalars(scope_villages(current_user))]


def _with_choices(form):
    form.program.choices = _programs()
    if hasattr(form, "village"):
        form.village.choices = _villages()
    return form


def _page(status=200, block=None, **ctx):
    """The entry page with its three forms; a refused form comes back with its messages."""
    ctx.setdefault("assisted", _with_choices(forms.AssistedForm(formdata=None)))
    ctx.setdefault("search", forms.SearchForm(formdata=None))
    ctx.setdefault("new_family", _with_choices(forms.NewFamilyForm(formdata=None)))
    ctx.setdefault("problems", {})
    page = render_page(PAGE, block=block, status=status, programs=_programs(), **ctx)
    return no_store(page)


def _resident(form) -> tuple[str | None, Household | None, str | None]:
    """Check NIK + KK together against the registry: (nik, household, problem)."""
    checked = parse_status_input(form.nik.data, form.kk.data)
    if not checked.ok:
        form.nik.errors = [checked.errors["nik"]] if "nik" in checked.errors else []
        form.kk.errors = [checked.errors["kk"]] if "kk" in checked.errors else []
        return None, None, ""
    household = db.session.scalar(
        select(Household)
        .join(Person, Person.household_id == Household.id)
        .where(Person.nik == checked.nik, Household.kk_number == checked.kk)
    )
    if household is None:
        return None, None, NOT_FOUND
    if not in_scope(current_user, household.village_code):
        # The same answer as an unknown pair: staff learn nothing of other villages' residents.
        return None, None, NOT_FOUND
    return checked.nik, household, None


def _submit(draft: Draft, form, section: str, fields: dict, **ctx):
    """Submit the draft; on a refusal re-show the form (422), else 303 to the result page."""
    try:
        ticket = submit_ticket(current_user, draft)
    except TicketError as error:
        db.session.rollback()
        field = getattr(form, fields.get(error.field, error.field or "-"), None)
        if field is not None:
            field.errors = [*field.errors, error.message]
            problems = {}
        else:
            problems = {section: [error.message]}
        return _page(422, problems=problems, **{section: form}, **ctx)
    return redirect(url_for("ticket_entry.result", ticket_id=ticket.id), code=303)


@bp.get("/")
@requires("tickets.submit")
def new():
    """The three ways staff enter a ticket: for a resident, from the village list, new family."""
    return _page()


@bp.post("/")
@requires("tickets.submit")
def assisted():
    """A resident without a phone asks; staff enter it for them (the ticket names the staff)."""
    form = _with_choices(forms.AssistedForm())
    if not form.validate_on_submit():
        return _page(422, assisted=form)
    nik, household, problem = _resident(form)
    if household is None:
        return _page(422, assisted=form, problems={"assisted": [problem]} if problem else {})
    kind, subject = form.kind.data, household
    if kind == "sanggah_lain":
        subject = _other_household(form)
        if subject is None:
            return _page(422, assisted=form)
    reason = form.reason.data if kind.startswith("sanggah") else ""
    draft = Draft(
        kind=kind,
        channel="staff",
        submitter_nik=nik,
        program_code=form.program.data or None,
        subject_household_id=subject.id,
        reason_code=reason or "",
        text=form.text.data or "",
    )
    return _submit(draft, form, "assisted", {"subject": "other_kk"})


def _other_household(form) -> Household | None:
    """The household objected to (sanggah penerima lain), inside the staff member's villages."""
    checked = check_kk("".join((form.other_kk.data or "").split()))
    if not checked.ok:
        form.other_kk.errors = [_("Tulis nomor KK keluarga yang disanggah (16 digit).")]
        return None
    other = db.session.scalar(select(Household).where(Household.kk_number == checked.value))
    if other is None or not in_scope(current_user, other.village_code):
        form.other_kk.errors = [_("Keluarga dengan nomor KK ini tidak ada di desa Anda.")]
        return None
    return other


@bp.post("/cari")
@requires("tickets.submit")
def find():
    """Search the village's households to propose one (posted, so no NIK lands in a URL)."""
    form = forms.SearchForm()
    if not form.validate_on_submit():
        return _page(422, block="results", search=form, listed=None)
    listed = search_households(current_user, Filters(q=" ".join(form.q.data.split())))
    return _page(block="results", search=form, listed=listed)


@bp.post(f"/usul/<{ID}:household_id>")
@requires("tickets.submit")
def propose(household_id: int):
    """The village proposes one of its households for a program."""
    household = db.session.get(Household, household_id)
    if household is None:
        abort(404)
    require_village(current_user, household.village_code)
    form = _with_choices(forms.ProposeForm())
    if not form.validate_on_submit():
        return _page(422, propose=form, chosen=household)
    head = household.head
    if head is None:
        return _page(422, propose=form, chosen=household, problems={"propose": [NOT_FOUND]})
    # The village, not a resident, proposes: the operator is kept in entered_by_id, and the
    # head's NIK stands as submitter so that the open-ticket limit and Cek Tiket (number +
    # NIK) work for the family itself, as if the head had asked at the kiosk.
    draft = Draft(
        kind="usul",
        channel="staff",
        submitter_nik=head.nik,
        program_code=form.program.data or None,
        subject_household_id=household.id,
        text=form.text.data or "",
    )
    return _submit(draft, form, "propose", {}, chosen=household)


@bp.post("/keluarga-baru")
@requires("tickets.submit")
def new_family():
    """The village proposes a family not yet in the registry, asked for by a resident."""
    form = _with_choices(forms.NewFamilyForm())
    if not form.validate_on_submit():
        return _page(422, new_family=form)
    if form.nik.data or form.kk.data:
        nik, _household, problem = _resident(form)
        if nik is None:
            problems = {"new_family": [problem]} if problem else {}
            return _page(422, new_family=form, problems=problems)
    else:
        # Nobody else asks: the new head registers through the staff member (assisted
        # registration of someone without a phone); the head's NIK finds the ticket later.
        nik = "".join((form.head_nik.data or "").split())
    proposed = {
        "nik": "".join((form.head_nik.data or "").split()),
        "kk": "".join((form.head_kk.data or "").split()),
        "name": form.name.data,
        "village_code": form.village.data,
        "address": form.address.data or "",
    }
    draft = Draft(
        kind="usul",
        channel="staff",
        submitter_nik=nik,
        program_code=form.program.data or None,
        proposed=proposed,
        text=form.text.data or "",
    )
    fields = {"nik": "head_nik", "kk": "head_kk", "subject": "name"}
    return _submit(draft, form, "new_family", fields)


@bp.get(f"/hasil/<{ID}:ticket_id>")
@requires("tickets.submit")
def result(ticket_id: int):
    """The ticket just entered: its number and screening; only for the staff who entered it."""
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or ticket.entered_by_id != current_user.id:
        abort(404)
    failed = ticket.decision_reason.split() if ticket.outcome == "auto_rejected" else []
    return no_store(
        render_page(
            RESULT,
            ticket=ticket,
            number=grouped(ticket.number),
            message=message,
            failed=failed,
            **NAMES,  # the queue's words for kinds, reasons, stages and outcomes
        )
    )
