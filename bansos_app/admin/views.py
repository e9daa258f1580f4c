"""Staff home."""

from flask import Blueprint
from flask_login import current_user

from ..auth.access import requires
from ..pages import no_store, render_page
from .services import villages_with_counts

bp = Blueprint("admin", __name__)


@bp.get("/")
@requires("staff.home")
def home():
    """Show the user's role and the villages in scope with their household counts."""
    villages = villages_with_counts(current_user)
    return no_store(render_page("admin/home.html", villages=villages))
