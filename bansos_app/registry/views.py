"""Village registry pages for staff: the household list with live search, one household, edits."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_htmx import make_response as htmx_response
from flask_login import current_user

from ..auth.access import can, require_village, requires, scope_villages
from ..eligibility.services import age_on
from ..extensions import db, htmx
from ..pages import no_store, render_page
from ..registry.models import HOUSEHOLD_STATUSES, Household, Person
from . import edits, services
from .forms import (
    RELATION_NAMES,
    STATE_NAMES,
    STATUS_NAMES,
    AddressForm,
    FilterForm,
    death_form,
    member_form,
    status_form,
)

bp = Blueprint("registry", __name__)
LIST = "registry/households.html"
PAGE = "registry/household.html"
FILTER_KEYS = ("q", "desa", "desil", "status", "program", "keadaan", "tinjau")


def _filter_form() -> FilterForm:
    """The list's filters with their choices: only villages in the user's scope."""
    form = FilterForm(formdata=request.args)
    villages = db.session.scalars(scope_villages(current_user)).all()
    form.desa.choices = [("", _("Semua"))] + [(v.code, v.name) for v in villages]
    form.desil.choices = (
        [("", _("Semua"))]
        + [(str(d), str(d)) for d in range(1, 11)]
        + [(services.PENDING_DESIL, _("Menunggu pemeringkatan"))]
    )
    form.status.choices = [("", _("Semua"))] + [(s, STATUS_NAMES[s]) for s in HOUSEHOLD_STATUSES]
    form.program.choices = [("", _("Semua"))] + [(c, c) for c in services.program_codes()]
    form.keadaan.choices = [("", _("Semua"))] + list(STATE_NAMES.items())
    return form


def _desil(value: str | None) -> int | str | None:
    """The desil filter: a number 1-10, "menunggu" (no desil yet), or none."""
    if value == services.PENDING_DESIL:
        return value
    return int(value) if value else None


@bp.get("/")
@requires("registry.view")
def households():
    """List the households in the user's villages: search, filters, pages (htmx: the results)."""
    form = _filter_form()
    form.validate()  # a bad field is left out on its own; the others still filter
    ok = {name: not getattr(form, name).errors for name in FILTER_KEYS + ("hal",)}
    filters = services.Filters(
        q=" ".join((form.q.data or "").split()) if ok["q"] else "",
        village=form.desa.data if ok["desa"] else "",
        desil=_desil(form.desil.data) if ok["desil"] else None,
        status=form.status.data if ok["status"] else "",
        program=form.program.data if ok["program"] else "",
        state=form.keadaan.data if ok["keadaan"] else "",
        review=bool(form.tinjau.data),
    )
    if not ok["q"]:
        form.q.data = ""  # never echo a 10,000-character search back
    page = form.hal.data if ok["hal"] and form.hal.data else 1
    listed = services.search_households(current_user, filters, page)
    args = {k: v for k, v in request.args.items() if k in FILTER_KEYS and v and ok[k]}
    number = filters.q.isdigit()
    if number:
        # A NIK or KK number stays out of links and the address bar (house rule: never put a
        # NIK in a URL); an exact number finds one family, so nothing is lost.
        args.pop("q", None)
    response = render_page(
        LIST,
        block="results",
        form=form,
        listed=listed,
        args=args,
        status_names=STATUS_NAMES,
        state_names=STATE_NAMES,
        status=422 if form.errors else 200,
    )
    if number and htmx:
        response = htmx_response(response, push_url=url_for("registry.households", **args))
    return no_store(response)


def _household_or_404(household_id: int) -> Household:
    household = services.household_in_scope(current_user, household_id)
    if household is None:
        abort(404)
    return household


def _household_to_edit(household_id: int) -> Household:
    """The household to change: 404 if there is none, 403 outside the user's villages."""
    household = db.session.get(Household, household_id)
    if household is None:
        abort(404)
    require_village(current_user, household.village_code)
    return household


def _member_or_404(household: Household, person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None or person.household_id != household.id:
        abort(404)
    return person


def _page(household: Household, block=None, oob=(), status=200, saved=None, **forms):
    """The household page (or one of its blocks for htmx), with every edit form at hand."""
    members = {
        p.id: (forms.get(f"m{p.id}") or member_form(p), forms.get(f"d{p.id}") or death_form(p))
        for p in household.members
    }
    return no_store(
        render_page(
            PAGE,
            block=block,
            oob=oob,
            status=status,
            household=household,
            zone=household.village.timezone,
            editing=can(current_user, "registry.edit"),
            age_on=age_on,
            today=services.local_today(),
            lines=services.program_lines(household),
            pin=services.pin_state(household),
            trail=services.audit_trail(household),
            address_form=forms.get("address") or AddressForm(formdata=None, obj=household),
            status_form=forms.get("status_change") or status_form(household),
            member_forms=members,
            relation_names=RELATION_NAMES,
            status_names=STATUS_NAMES,
            state_names=STATE_NAMES,
            oob_swap=bool(oob),
            saved=saved,
        )
    )


@bp.get("/<int(max=2147483647):household_id>")
@requires("registry.view")
def household(household_id: int):
    """One household: members, desil history, programs, kiosk PIN and its audit trail."""
    return _page(_household_or_404(household_id))


def _saved(household: Household, block: str, message: str):
    """After an edit: htmx gets the changed block and fresh programs; a form post a 303."""
    if not htmx:
        flash(message)
        return redirect(url_for("registry.household", household_id=household.id), code=303)
    return _page(household, block=block, oob=("programs", "trail"), saved=message)


def _refused(household: Household, block: str, form, error: edits.EditRefused, key: str):
    db.session.rollback()
    field = getattr(form, error.field, None) or form.reason
    field.errors = [*field.errors, error.message]
    return _page(household, block=block, status=422, **{key: form})


@bp.post("/<int(max=2147483647):household_id>/alamat")
@requires("registry.edit")
def address(household_id: int):
    """Change the household's address, with a reason."""
    household = _household_to_edit(household_id)
    form = AddressForm()
    if not form.validate_on_submit():
        return _page(household, block="address", status=422, address=form)
    try:
        edits.change_address(current_user, household, form.address.data, form.reason.data)
    except edits.EditRefused as e:
        return _refused(household, "address", form, e, "address")
    return _saved(household, "address", _("Alamat disimpan."))


@bp.post("/<int(max=2147483647):household_id>/anggota/<int(max=2147483647):person_id>")
@requires("registry.edit")
def member(household_id: int, person_id: int):
    """Change a member's school level, pregnancy, severe disability or relation."""
    household = _household_to_edit(household_id)
    person = _member_or_404(household, person_id)
    form = member_form(person, formdata=request.form)
    key = f"m{person.id}"
    if not form.validate_on_submit():
        return _page(household, block="members", status=422, **{key: form})
    try:
        edits.change_member(
            current_user,
            person,
            form.reason.data,
            school_level=form.school_level.data,
            pregnant=form.pregnant.data,
            severe_disability=form.severe_disability.data,
            relation=form.relation.data,
        )
    except edits.EditRefused as e:
        return _refused(household, "members", form, e, key)
    return _saved(household, "members", _("Data %(name)s disimpan.", name=person.name))


@bp.post("/<int(max=2147483647):household_id>/anggota/<int(max=2147483647):person_id>/meninggal")
@requires("registry.edit")
def death(household_id: int, person_id: int):
    """Record a member's death with its date and source, with a reason."""
    household = _household_to_edit(household_id)
    person = _member_or_404(household, person_id)
    form = death_form(person, formdata=request.form)
    key = f"d{person.id}"
    if not form.validate_on_submit():
        return _page(household, block="members", status=422, **{key: form})
    try:
        edits.record_death(
            current_user, person, form.died_on.data, form.source.data, form.reason.data
        )
    except edits.EditRefused as e:
        return _refused(household, "members", form, e, key)
    message = _("Kematian %(name)s dicatat; program keluarga dihitung ulang.", name=person.name)
    return _saved(household, "members", message)


@bp.post("/<int(max=2147483647):household_id>/status")
@requires("registry.edit")
def status(household_id: int):
    """Block, unblock or inactivate the household, with a reason; blocking voids vouchers."""
    household = _household_to_edit(household_id)
    form = status_form(household, formdata=request.form)
    if not form.validate_on_submit():
        return _page(household, block="address", status=422, status_change=form)
    try:
        edits.change_status(current_user, household, form.status.data, form.reason.data)
    except edits.EditRefused as e:
        return _refused(household, "address", form, e, "status_change")
    message = _("Status keluarga diubah menjadi %(status)s.", status=STATUS_NAMES[household.status])
    return _saved(household, "address", message)
