"""Static files under fingerprinted URLs cached for a year, and compressed error pages.

On 2G every re-check of a static file costs a round trip, so `url_for('static', ...)` adds
`?v=<hash of the file>`: a changed file gets a new URL, and an unchanged one is never asked
for again. Templates keep using plain `url_for('static', filename=...)`.
"""

import hashlib
import os
from functools import lru_cache

from flask import current_app, request
from flask.sessions import SecureCookieSessionInterface

from .extensions import compress

YEAR = 365 * 24 * 3600


def init_app(app) -> None:
    """Fingerprint static URLs, cache them, and gzip every HTML answer including errors."""
    app.url_defaults(add_fingerprint)
    app.after_request(cache_static)
    app.after_request(compress_any_status)
    app.session_interface = StaticFreeSessionInterface()


@lru_cache(maxsize=512)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:12]


def fingerprint(filename: str) -> str | None:
    """The short content hash of a static file, or None when there is no such file."""
    folder = current_app.static_folder
    path = os.path.realpath(os.path.join(folder, filename))
    if not path.startswith(os.path.realpath(folder) + os.sep):
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return _digest(path, st.st_mtime_ns, st.st_size)


def add_fingerprint(endpoint: str, values: dict) -> None:
    """url_for('static', filename=...) gains ?v=<content hash>."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        digest = fingerprint(values["filename"])
        if digest:
            values["v"] = digest


def cache_static(response):
    """A static file asked for by its current fingerprint may be kept for a year."""
    if request.endpoint != "static" or response.status_code not in (200, 206, 304):
        return response
    wanted = request.args.get("v")
    if wanted and wanted == fingerprint(request.view_args.get("filename", "")):
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


def compress_any_status(response):
    """Flask-Compress skips non-2xx answers; a form error or 404 page deserves gzip too."""
    status = response.status_code
    if 400 <= status < 600:
        response.status_code = 200
        try:
            response = compress.after_request(response)
        finally:
            response.status_code = status
        return response
    return compress.after_request(response)


class StaticFreeSessionInterface(SecureCookieSessionInterface):
    """No session work on static files: Flask-Login's check would add `Vary: Cookie`."""

    def save_session(self, app, session, response) -> None:
        """Save the session cookie, except for static files."""
        if request.endpoint == "static":
            return
        super().save_session(app, session, response)
