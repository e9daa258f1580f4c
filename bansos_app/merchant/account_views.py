"""Dinsos pages for shop accounts: list, create with login, change, deactivate, reactivate."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from ..auth.access import requires, scope_villages
from ..extensions import db, htmx
from ..pages import no_store, render_page
from ..registry.models import Region
from .account_forms import (
    KIND_NAMES,
    MerchantDeactivateForm,
    MerchantEditForm,
    MerchantFilterForm,
    MerchantForm,
    kind_choices,
)
from .accounts import MerchantError, create_merchant, merchants_query, set_merchant_active
from .accounts import update_merchant as update_service
from .models import Merchant

bp = Blueprint("merchant_accounts", __name__)
ID = "int(max=2147483647)"
PER_PAGE = 50


def _page(template, block=None, status=200, **ctx):
    return no_store(render_page(template, block=block, status=status, kind_names=KIND_NAMES, **ctx))


def _village_choices():
    """Every village in the user's scope, named with its kecamatan for the ones alike."""
    regions = db.session.scalars(scope_villages(current_user)).all()
    kecamatan = dict(
        db.session.execute(
            select(Region.code, Region.name).where(
                Region.code.in_({r.parent_code for r in regions})
            )
        ).all()
    )
    named = sorted(regions, key=lambda r: (r.name, r.code))
    return [
        SelectChoice(r.code, f"{r.name} – {kecamatan.get(r.parent_code, '')} ({r.code})")
        for r in named
    ]


def _merchant_or_404(merchant_id: int) -> Merchant:
    merchant = db.session.get(Merchant, merchant_id)
    if merchant is None:
        abort(404)
    return merchant


def _form_error(form, error: MerchantError) -> None:
    field = getattr(form, error.field, None) or form.name
    field.errors = [*field.errors, error.message]


@bp.get("/")
@requires("merchants.manage")
def index():
    """Shops with kind, village, account and state; filters by kind, village and state."""
    filters = MerchantFilterForm(formdata=request.args)
    filters.jenis.choices = [SelectChoice("", _("Semua jenis")), *kind_choices()]
    filters.desa.choices = [SelectChoice("", _("Semua desa")), *_village_choices()]
    filters.status.choices = [
        SelectChoice("", _("Semua")),
        SelectChoice("active", _("Aktif")),
        SelectChoice("inactive", _("Nonaktif")),
    ]
    for field in (filters.jenis, filters.desa, filters.status):
        field.data = field.data or ""
    valid = filters.validate()
    args = {k: v for k in ("jenis", "desa", "status") if (v := getattr(filters, k).data)}
    query = merchants_query(*(args.get(k, "") for k in ("jenis", "desa", "status")))
    rows = db.session.execute(query.limit(PER_PAGE * 20)).all() if valid else []
    return _page(
        "merchant/accounts.html",
        block="shops",
        status=200 if valid else 422,
        filters=filters,
        rows=rows,
    )


@bp.route("/baru", methods=["GET", "POST"])
@requires("merchants.manage")
def new():
    """Create a shop with its account and show the generated password once."""
    form = MerchantForm()
    form.village.choices = _village_choices()
    if form.validate_on_submit():
        try:
            merchant, password = create_merchant(
                current_user,
                form.name.data.strip(),
                form.kind.data,
                form.village.data,
                form.username.data.strip(),
            )
        except MerchantError as e:
            db.session.rollback()
            _form_error(form, e)
        else:
            return _page("merchant/accounts_done.html", merchant=merchant, password=password)
    status = 422 if request.method == "POST" else 200
    return _page("merchant/accounts_form.html", form=form, merchant=None, status=status)


@bp.route(f"/<{ID}:merchant_id>", methods=["GET", "POST"])
@requires("merchants.manage")
def edit(merchant_id: int):
    """Change a shop's name, kind and village."""
    merchant = _merchant_or_404(merchant_id)
    form = MerchantEditForm(obj=merchant)
    form.village.choices = _village_choices()
    if request.method == "GET":
        form.village.data = merchant.village_code
    if form.validate_on_submit():
        try:
            update_service(
                current_user, merchant, form.name.data.strip(), form.kind.data, form.village.data
            )
        except MerchantError as e:
            db.session.rollback()
            _form_error(form, e)
        else:
            flash(_("Toko %(name)s disimpan.", name=merchant.name))
            return redirect(url_for("merchant_accounts.index"), code=303)
    status = 422 if request.method == "POST" else 200
    return _page("merchant/accounts_form.html", form=form, merchant=merchant, status=status)


def _row(merchant: Merchant, status: int = 200, **ctx):
    """The shop's row for htmx, or back to the list for a plain form post."""
    if not htmx:
        return redirect(url_for("merchant_accounts.index"), code=303)
    row = db.session.execute(merchants_query().where(Merchant.id == merchant.id)).one()
    return _page("merchant/accounts.html", block="row", row=row, status=status, **ctx)


@bp.route(f"/<{ID}:merchant_id>/nonaktifkan", methods=["GET", "POST"])
@requires("merchants.manage")
def deactivate(merchant_id: int):
    """Ask for a reason, then stop the shop and its account."""
    merchant = _merchant_or_404(merchant_id)
    form = MerchantDeactivateForm()
    if form.validate_on_submit():
        try:
            merchant = set_merchant_active(current_user, merchant, False, form.reason.data)
        except MerchantError as e:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, e.message]
        else:
            if not htmx:
                flash(_("Toko %(name)s dinonaktifkan.", name=merchant.name))
            return _row(merchant)
    status = 422 if request.method == "POST" else 200
    return _page("merchant/accounts_deactivate.html", form=form, merchant=merchant, status=status)


@bp.post(f"/<{ID}:merchant_id>/aktifkan")
@requires("merchants.manage")
def activate(merchant_id: int):
    """Let a deactivated shop and its account work again."""
    merchant = set_merchant_active(current_user, _merchant_or_404(merchant_id), True)
    if not htmx:
        flash(_("Toko %(name)s diaktifkan lagi.", name=merchant.name))
    return _row(merchant)
