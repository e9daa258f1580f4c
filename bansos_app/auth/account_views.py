"""Account pages on the auth blueprint: list, create, edit, deactivate, reset, own password."""

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user
from sqlalchemy import select

from ..extensions import db, htmx, limiter
from ..pages import no_store, render_page
from ..registry.models import Region
from . import accounts
from .access import requires
from .forms import AccountEditForm, AccountForm, DeactivateForm, FilterForm, PasswordForm
from .models import User
from .views import bp

PER_PAGE = 50
ROLE_NAMES = {
    "operator_desa": _l("Operator desa"),
    "pendamping": _l("Pendamping sosial"),
    "dinsos_admin": _l("Admin Dinas Sosial"),
    "merchant": _l("Mitra toko"),
    "auditor": _l("Auditor"),
    "superadmin": _l("Superadmin"),
}


def _page(template: str, block: str | None = None, status: int = 200, **ctx):
    """Render a personal page (never cached) with the role names at hand."""
    return no_store(render_page(template, block=block, status=status, role_names=ROLE_NAMES, **ctx))


def _account_or_404(user_id: int) -> User:
    """The account, if the current user manages it; others look like no account at all."""
    user = db.session.get(User, user_id)
    if user is None or not accounts.can_manage(current_user, user):
        abort(404)
    return user


def _village_choices() -> dict:
    """Every village, grouped by kecamatan for the multi-select."""
    rows = db.session.execute(
        select(Region.code, Region.name, Region.parent_code)
        .where(Region.level == 4)
        .order_by(Region.code)
    ).all()
    names = db.session.execute(select(Region.code, Region.name).where(Region.level == 3))
    kecamatan = {code: name for code, name in names}
    grouped: dict = {}
    for code, name, parent in rows:
        grouped.setdefault(kecamatan.get(parent, parent), []).append((code, f"{name} ({code})"))
    return grouped


def _with_choices(form):
    """Offer the roles the current user may give and every village."""
    form.role.choices = [(r, ROLE_NAMES[r]) for r in accounts.manageable_roles(current_user)]
    form.villages.choices = _village_choices()
    return form


def _form_error(form, error: accounts.AccountError) -> None:
    field = getattr(form, error.field, None)
    if field is not None:
        field.errors = [*field.errors, error.message]


@bp.get("/akun/")
@requires("users.manage")
def users():
    """List the accounts the current user manages, filtered by name, role and status."""
    filters = FilterForm(formdata=request.args)
    filters.role.choices = [("", _("Semua peran"))] + [
        (r, ROLE_NAMES[r]) for r in accounts.manageable_roles(current_user)
    ]
    filters.status.choices = [("", _("Semua")), ("active", _("Aktif")), ("inactive", _("Nonaktif"))]
    filters.validate()  # a bad field is left out on its own; the others still filter
    q = (filters.q.data or "").strip() if not filters.q.errors else ""
    query = accounts.accounts_query(current_user, q, filters.role.data, filters.status.data)
    page = filters.hal.data if not filters.hal.errors and filters.hal.data else 1
    listed = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    if not listed.items and listed.page > 1:  # a link from when there were more accounts
        listed = db.paginate(query, page=listed.pages, per_page=PER_PAGE, error_out=False)
    args = {k: v for k, v in request.args.items() if k in ("q", "role", "status") and v}
    return _page(
        "auth/users.html",
        block="accounts",
        filters=filters,
        accounts=listed.items,
        total=listed.total,
        page=listed.page,
        pages=listed.pages,
        args=args,
    )


@bp.route("/akun/baru", methods=["GET", "POST"])
@requires("users.manage")
def account_new():
    """Create an account and show its generated password once."""
    form = _with_choices(AccountForm())
    if form.validate_on_submit():
        try:
            user, password = accounts.create_account(
                current_user,
                form.username.data.strip(),
                form.full_name.data.strip(),
                form.role.data,
                form.villages.data,
            )
        except accounts.AccountError as e:
            db.session.rollback()
            _form_error(form, e)
        else:
            return _page("auth/account_done.html", user=user, password=password, created=True)
    status = 422 if request.method == "POST" else 200
    return _page("auth/account_form.html", form=form, user=None, status=status)


@bp.route("/akun/<int(max=2147483647):user_id>", methods=["GET", "POST"])
@requires("users.manage")
def account_edit(user_id: int):
    """Change an account's name, role and villages."""
    user = _account_or_404(user_id)
    form = _with_choices(AccountEditForm(obj=user))
    if request.method == "GET":
        form.villages.data = [r.code for r in user.villages]
    if form.validate_on_submit():
        try:
            accounts.update_account(
                current_user, user, form.full_name.data.strip(), form.role.data, form.villages.data
            )
        except accounts.AccountError as e:
            db.session.rollback()
            _form_error(form, e)
        else:
            flash(_("Akun %(username)s disimpan.", username=user.username))
            return redirect(url_for("auth.users"), code=303)
    status = 422 if request.method == "POST" else 200
    return _page("auth/account_form.html", form=form, user=user, status=status)


def _row(user: User, status: int = 200, **ctx):
    """The account's row for htmx, or back to the list for a plain form post."""
    if not htmx:
        return redirect(url_for("auth.users"), code=303)
    return _page("auth/users.html", block="row", u=user, status=status, **ctx)


@bp.get("/akun/<int(max=2147483647):user_id>/baris")
@requires("users.manage")
def account_row(user_id: int):
    """One account's row (htmx puts it back after a cancelled action)."""
    return _row(_account_or_404(user_id))


@bp.route("/akun/<int(max=2147483647):user_id>/nonaktifkan", methods=["GET", "POST"])
@requires("users.manage")
def account_deactivate(user_id: int):
    """Ask for a reason, then deactivate the account and end its sessions."""
    user = _account_or_404(user_id)
    form = DeactivateForm()
    if form.validate_on_submit():
        try:
            user = accounts.deactivate_account(current_user, user, form.reason.data.strip())
        except accounts.AccountError as e:
            db.session.rollback()
            # Self and last-superadmin refusals belong to no field: show them by the reason.
            form.reason.errors = [*form.reason.errors, e.message]
        else:
            if not htmx:
                flash(_("Akun %(username)s dinonaktifkan.", username=user.username))
            return _row(user)
    status = 422 if request.method == "POST" else 200
    return _page("auth/account_deactivate.html", block="row_form", form=form, u=user, status=status)


@bp.post("/akun/<int(max=2147483647):user_id>/aktifkan")
@requires("users.manage")
def account_reactivate(user_id: int):
    """Let a deactivated account log in again."""
    user = accounts.reactivate_account(current_user, _account_or_404(user_id))
    if not htmx:
        flash(_("Akun %(username)s diaktifkan lagi.", username=user.username))
    return _row(user)


@bp.post("/akun/<int(max=2147483647):user_id>/sandi-baru")
@requires("users.manage")
def account_reset(user_id: int):
    """Generate a new password for the account and show it once."""
    user = _account_or_404(user_id)
    try:
        password = accounts.reset_password(current_user, user)
    except accounts.AccountError as e:
        db.session.rollback()
        if not htmx:
            flash(str(e.message))
        return _row(user, status=422, row_error=e.message)
    if htmx:
        return _page("auth/users.html", block="row", u=user, new_password=password)
    return _page("auth/account_done.html", user=user, password=password, created=False)


@bp.route("/kata-sandi", methods=["GET", "POST"])
@login_required
# Per client address: a borrowed session must not become a way to guess the password.
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"], key_func=get_remote_address
)
def password():
    """Change one's own password; the current one is asked first."""
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            user = accounts.change_own_password(user, form.current.data, form.new.data)
        except accounts.AccountError as e:
            _form_error(form, e)
        else:
            # The session version moved on (other sessions end); this one carries on.
            login_user(user)
            flash(_("Kata sandi sudah diganti. Sesi di perangkat lain sudah berakhir."))
            return redirect(url_for("auth.password"), code=303)
    status = 422 if request.method == "POST" else 200
    return _page("auth/password.html", form=form, status=status)
