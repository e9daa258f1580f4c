"""Request-wide behaviour: language choice, security headers, error pages, health check."""

import contextlib
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_htmx import make_response as htmx_response
from flask_wtf.csrf import CSRFError
from jinja2_fragments.flask import render_block
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from .extensions import db, htmx, login_manager
from .guards import ControlCharacters

bp = Blueprint("web", __name__)

LANG_COOKIE = "lang"

# No inline script or style anywhere: htmx's own indicator styles are switched off in base.html.
# Scripts, styles, fonts and fetches fall back to default-src 'self'; naming each again would
# only add bytes to every answer (the kiosk home must stay under 1.5 KB on 2G).
CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def select_locale() -> str:
    """Use the language the visitor chose, else Bahasa Indonesia."""
    chosen = request.cookies.get(LANG_COOKIE)
    return chosen if chosen in current_app.config["LANGUAGES"] else "id"


def _safe_next(target: str | None) -> str:
    """Allow only same-site paths as redirect targets."""
    home = url_for("kiosk.home")
    # Browsers drop tabs and newlines and read a backslash as "/", so "/<tab>/evil" would leave
    # the site; CR/LF would also break the Location header.
    if not target or any(c <= " " or c in "\x7f\\" for c in target):
        return home
    # "//evil" and "///evil" name another host; checked first, as urlsplit raises on "//[".
    if not target.startswith("/") or target.startswith("//"):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return home
    return target


def _back_to() -> str | None:
    """The page the visitor is on: the Referer when it is ours, else the link's `next`.

    After an htmx swap the address bar moved on (e.g. to /status) while the language links
    still carry the path of the page first loaded; the Referer (same-origin only) is current.
    """
    ref = request.referrer
    if ref:
        parts = urlsplit(ref)
        if parts.netloc == request.host and parts.scheme == request.scheme:
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.args.get("next")


@bp.get("/bahasa/<code>")
def set_language(code: str):
    """Remember the chosen language in a cookie and go back to where the visitor was."""
    response = redirect(_safe_next(_back_to()), code=303)
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANG_COOKIE,
            code,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure,
        )
    return response


@bp.get("/healthz")
def healthz():
    """Report whether the database answers, as JSON."""
    try:
        db.session.execute(text("SELECT 1"))
        return jsonify(status="ok", database="ok")
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503


def add_security_headers(response):
    """Set CSP, frame denial, no-sniff and a strict referrer policy on every response."""
    if response.status_code in (204, 304) and not response.get_data():
        # An empty answer (the queues' idle poll, every 30 s) has no document to protect; a
        # 304 keeps the headers of the cached response. Saves 270 bytes per poll on 2G.
        return response
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on every
    # POST and no Referer, so no same-origin check could pass over HTTPS. Other sites still
    # learn nothing (and no URL here holds personal data).
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=()")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _error_page(code: int, message: str):
    """Render the error page in the visitor's language, never a stack trace."""
    failure = None
    for _attempt in range(2):
        try:
            if htmx:
                # htmx swaps only a block; aim the error at the page's main area instead.
                body = render_block("errors/error.html", "main", code=code, message=message)
                return htmx_response(body, code, retarget="#main", reswap="innerHTML")
            return render_template("errors/error.html", code=code, message=message), code
        except Exception as exc:  # noqa: BLE001 - the error page itself must never fail
            failure = exc
            # Templates ask Flask-Login for the current user, which needs the database; when
            # that is what failed, render once more as to a visitor who is not logged in.
            with contextlib.suppress(Exception):
                db.session.rollback()
            g._login_user = login_manager.anonymous_user()
    current_app.logger.error("error page %s could not be rendered", code, exc_info=failure)
    return f"Error {code}", code


def register_error_handlers(app) -> None:
    """Install the handlers for HTTP errors, CSRF failures and an unreachable database."""

    @app.errorhandler(CSRFError)
    def csrf_error(_e):
        return _error_page(400, _("Sesi formulir sudah kedaluwarsa. Muat ulang lalu coba lagi."))

    @app.errorhandler(ControlCharacters)
    def control_characters(_e):
        return _error_page(
            422, _("Teks berisi karakter yang tidak diizinkan. Periksa lalu kirim lagi.")
        )

    @app.errorhandler(HTTPException)
    def http_error(e):
        messages = {
            400: _("Data yang dikirim tidak dapat diproses."),
            403: _("Anda tidak memiliki akses ke halaman ini."),
            404: _("Halaman yang Anda cari tidak ada."),
            405: _("Halaman ini tidak bisa dibuka dengan cara tersebut."),
            413: _("Data yang dikirim terlalu besar."),
            429: _("Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi."),
        }
        code = e.code or 500
        return _error_page(code, messages.get(code, _("Terjadi kesalahan.")))

    @app.errorhandler(OperationalError)
    def db_down(_e):
        db.session.rollback()
        return _error_page(503, _("Basis data tidak dapat dihubungi. Coba lagi beberapa saat."))

    @app.errorhandler(Exception)
    def server_error(e):
        app.logger.exception("unhandled error")
        # The database may be the thing that failed; the page must render regardless.
        with contextlib.suppress(Exception):
            db.session.rollback()
        return _error_page(500, _("Terjadi kesalahan pada server. Petugas sudah dicatat."))
