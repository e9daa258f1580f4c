"""Staff home: what this role can do, its figures per village or kecamatan, its villages."""

from functools import partial

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from ..auth.access import can, requires
from ..pages import no_store, render_page
from .forms import VillageFilterForm
from .menu import menu_for
from .services import home_figures, kecamatans_in_scope, village_page

bp = Blueprint("admin", __name__)
# How a figure's filter is spelled in the registry list's query string.
REGISTRY_STATES = {
    "recipient": {"keadaan": "receiving"},
    "eligible": {"keadaan": "eligible"},
    "review": {"tinjau": "y"},
}


@bp.app_template_global()
def staff_menu() -> list[dict]:
    """The menu entries the logged-in user may open, for the nav bar and the staff home."""
    if not current_user.is_authenticated:
        return []
    return menu_for(current_user)


def registry_url(kecamatan=None, desa=None, program=None, state=None) -> str | None:
    """The registry's household list behind a figure, or None where it has no such filter."""
    if kecamatan:
        return None  # the list filters by village, not by kecamatan
    params = {"desa": desa, "program": program, **REGISTRY_STATES.get(state, {})}
    return url_for("registry.households", **{k: v for k, v in params.items() if v})


def _filter_form() -> VillageFilterForm:
    """The villages filter read from the query string, its kecamatan choices from the scope."""
    form = VillageFilterForm(request.args)
    kecamatans = kecamatans_in_scope(current_user)
    form.kecamatan.choices = [SelectChoice("", "")] + [
        SelectChoice(k.code, k.name) for k in kecamatans
    ]
    return form


@bp.get("/")
@requires("staff.home")
def home():
    """Show the role's places, its figures, and one page of its villages (filtered)."""
    if current_user.role == "merchant":
        # A shop has no villages or figures; its work is the scan page.
        return redirect(url_for("merchant.scan"), code=303)
    form = _filter_form()
    valid = form.validate()
    # A bad field is reported and ignored; the other filters still apply.
    kecamatan = form.kecamatan.data if not form.kecamatan.errors else None
    name = (form.desa.data or "").strip() if not form.desa.errors else ""
    page = form.hal.data if not form.hal.errors and form.hal.data else 1
    result = village_page(current_user, kecamatan or None, name, page)
    return no_store(
        render_page(
            "admin/home.html",
            block="villages",
            form=form,
            result=result,
            # Called by the template's figures block only: htmx asking for the villages
            # list does not pay for the counts.
            figures=partial(home_figures, current_user)
            if can(current_user, "registry.view")
            else None,
            registry_url=registry_url,
            filters={k: v for k, v in (("kecamatan", kecamatan), ("desa", name)) if v},
            show_filter=len(form.kecamatan.choices) > 2,
            status=200 if valid else 422,
        )
    )
