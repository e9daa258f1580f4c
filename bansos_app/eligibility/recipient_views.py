"""Staff pages for recipient lists (penetapan): the lists, a new list with preview, one list."""

from flask import Blueprint, abort, g, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_htmx import make_response as htmx_response
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from ..auth.access import can, require_village, requires, scope_villages, scoped_village_codes
from ..extensions import db, htmx
from ..pages import no_store, render_page
from .models import Program
from .recipient_forms import (
    QUOTA_PREFIX,
    RecipientFilterForm,
    RecipientListForm,
    RemoveForm,
    read_quotas,
)
from .recipient_lists import (
    check_list_terms,
    fix_recipient_list,
    list_summaries,
    paginate_rows,
    preview_recipient_list,
    recipient_rows,
)
from .recipient_models import Recipient, RecipientList
from .recipients import RecipientError, eligible_counts, remove_recipient

bp = Blueprint("recipients", __name__)
PER_PAGE = 25


def _programs() -> list[Program]:
    return db.session.scalars(select(Program).order_by(Program.sort_order, Program.code)).all()


def program_name(program: Program) -> str:
    """The program's name in the page's language."""
    locale = get_locale()
    return program.name_en if locale and locale.language == "en" else program.name_id


def _new_list_form(programs) -> RecipientListForm:
    if request.method == "POST":
        form = RecipientListForm()
    else:
        form = RecipientListForm(request.args, meta={"csrf": False})
        if form.program.data not in {p.code for p in programs}:
            form.program.data = programs[0].code if programs else None  # the first, by default
    form.program.choices = [SelectChoice(p.code, program_name(p)) for p in programs]
    return form


def _eligible(program_code) -> dict:
    """Eligible households per village in the user's scope, counted once per request."""
    counted = g.setdefault("eligible_counts", {})
    if program_code not in counted:
        counted[program_code] = eligible_counts(program_code, scoped_village_codes(current_user))
    return counted[program_code]


def _lists_page(form=None, preview=None, error=None, status=200, block=None):
    """The lists, and for Dinsos the new-list form with its villages and quota fields."""
    programs = _programs()
    scope = scoped_village_codes(current_user)
    context = {"summaries": list_summaries(scope), "programs": programs, "form": None}
    if can(current_user, "recipients.manage") and programs:
        form = form or _new_list_form(programs)
        context.update(
            form=form,
            villages=preview_recipient_list(
                form.program.data, "all", None, scope, _eligible(form.program.data)
            ),
            quota_values={
                k.removeprefix(QUOTA_PREFIX): v
                for k, v in request.form.items()
                if k.startswith(QUOTA_PREFIX)
            },
            preview=preview,
            error=error,
        )
    page = render_page("eligibility/recipient_lists.html", block=block, status=status, **context)
    return no_store(page)


@bp.get("/")
@requires("recipients.view")
def index():
    """The recipient lists per program; Dinsos also sees the form for a new one."""
    return _lists_page()


def _submitted():
    """The posted form and quotas, or the page with its errors (422) and nothing changed."""
    form = _new_list_form(_programs())
    valid = form.validate_on_submit()
    villages = _eligible(form.program.data)
    quotas, quota_errors = read_quotas(request.form, villages)
    if not valid or quota_errors:
        first = next(iter(quota_errors.items()), None)
        error = _l("Kuota desa %(code)s: %(msg)s", code=first[0], msg=first[1]) if first else None
        return form, quotas, _lists_page(form, error=error, status=422, block="preview")
    return form, quotas, None


@bp.post("/pratinjau")
@requires("recipients.manage")
def preview():
    """Show per village how many households the list would take, before it is fixed."""
    form, quotas, refused = _submitted()
    if refused is not None:
        return refused
    scope = scoped_village_codes(current_user)
    try:
        check_list_terms(
            form.program.data,
            form.valid_from.data,
            form.valid_until.data,
            form.sk_number.data,
            form.sk_date.data,
        )
        program = form.program.data
        rows = preview_recipient_list(program, form.mode.data, quotas, scope, _eligible(program))
    except RecipientError as e:
        return _lists_page(form, error=e.message, status=422, block="preview")
    return _lists_page(form, preview=rows, block="preview")


@bp.post("/")
@requires("recipients.manage")
def create():
    """Fix the list under its SK, then show it (303)."""
    form, quotas, refused = _submitted()
    if refused is not None:
        return refused
    try:
        lst = fix_recipient_list(
            current_user,
            form.program.data,
            form.valid_from.data,
            form.valid_until.data,
            form.sk_number.data,
            form.sk_date.data,
            form.mode.data,
            quotas,
        )
    except RecipientError as e:
        return _lists_page(form, error=e.message, status=422, block="preview")
    target = url_for("recipients.show", list_id=lst.id)
    # htmx follows a 303 inside the swap; HX-Redirect makes it a full visit to the new list.
    return htmx_response(redirect=target) if htmx else redirect(target, code=303)


def _list_or_404(list_id: int) -> RecipientList:
    lst = db.session.get(RecipientList, list_id)
    if lst is None:
        abort(404)
    return lst


def _filter_form() -> RecipientFilterForm:
    form = RecipientFilterForm(request.args)
    villages = db.session.scalars(scope_villages(current_user)).all()
    form.desa.choices = [SelectChoice("", "")] + [SelectChoice(v.code, v.name) for v in villages]
    return form


def _list_page(lst, remove_errors=None, status=200, block="recipients"):
    form = _filter_form()
    desa = request.args.get("desa") or ""
    if desa:
        require_village(current_user, desa)  # another village's rows: 403, not an empty page
    valid = form.validate()
    page = form.hal.data if not form.hal.errors and form.hal.data else 1
    query = recipient_rows(
        lst.id, scoped_village_codes(current_user), form.desa.data or None, form.tinjau.data
    )
    listed = paginate_rows(query, page, PER_PAGE)
    filters = {"desa": form.desa.data, "tinjau": "y" if form.tinjau.data else ""}
    filters = {k: v for k, v in filters.items() if v}
    return no_store(
        render_page(
            "eligibility/recipient_list.html",
            block=block,
            status=status if valid else 422,
            lst=lst,
            form=form,
            listed=listed,
            filters=filters,
            remove_errors=remove_errors or {},
            remove_form=RemoveForm(formdata=None),
            can_manage=can(current_user, "recipients.manage"),
            village_names={c.value: c.label for c in form.desa.choices},
        )
    )


@bp.get("/<int(max=2147483647):list_id>")
@requires("recipients.view")
def show(list_id: int):
    """One list's recipients, a page at a time, filtered by village and "perlu ditinjau"."""
    return _list_page(_list_or_404(list_id))


@bp.post("/<int(max=2147483647):list_id>/hapus/<int(max=2147483647):recipient_id>")
@requires("recipients.manage")
def remove(list_id: int, recipient_id: int):
    """Remove one recipient with a reason; back to the same page of the list."""
    lst = _list_or_404(list_id)
    recipient = db.session.get(Recipient, recipient_id)
    if recipient is None or recipient.list_id != lst.id:
        abort(404)
    form = RemoveForm()
    try:
        if not form.validate_on_submit():
            raise RecipientError(next(iter(form.errors.values()))[0], "reason")
        remove_recipient(current_user, recipient, form.alasan.data)
    except RecipientError as e:
        return _list_page(lst, remove_errors={recipient_id: e.message}, status=422)
    if htmx:
        return _list_page(lst)
    return redirect(url_for("recipients.show", list_id=lst.id, **request.args), code=303)
