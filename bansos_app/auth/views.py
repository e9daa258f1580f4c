"""Staff login and logout."""

from flask import Blueprint, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from ..extensions import limiter
from ..pages import no_store, render_page
from .forms import LoginForm
from .services import authenticate, log_out

bp = Blueprint("auth", __name__)


def home_endpoint(user) -> str:
    """Where an account lands after login: a shop at its scan page, staff at the staff home."""
    return "merchant.scan" if user.role == "merchant" else "admin.home"


@bp.route("/masuk", methods=["GET", "POST"])
# Per client address, across usernames: the lockout alone would let one client try a few
# passwords on every account in turn.
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"], key_func=get_remote_address
)
def login():
    """Show the login form and sign a staff member in."""
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = authenticate(form.username.data.strip(), form.password.data)
        if user:
            login_user(user)
            return redirect(url_for(home_endpoint(user)), code=303)
        # One message for every failure, locked accounts included, so none reveals a username.
        error = _(
            "Nama pengguna atau kata sandi salah. Setelah 5 kali salah, akun dikunci 15 menit."
        )
    status = 422 if request.method == "POST" else 200
    return no_store(render_page("auth/login.html", form=form, error=error, status=status))


@bp.post("/keluar")
def logout():
    """Sign out and return to the login page."""
    if current_user.is_authenticated:
        log_out(current_user._get_current_object())
    logout_user()
    return redirect(url_for("auth.login"), code=303)


# The account pages live in their own module but on this blueprint (auth.users, auth.password).
from . import account_views  # noqa: E402, F401
