"""Checks at the edge for every request: body size, control characters, same-origin posts."""

import re
from urllib.parse import urlsplit

from flask import current_app, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import UnprocessableEntity

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
# C0 controls except tab, newline and carriage return (a textarea may hold them), DEL and C1.
# PostgreSQL refuses NUL in text outright; the others only hide text from whoever reads it.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class ControlCharacters(UnprocessableEntity):
    """A query or form value held a control character."""


def upload_limit(max_bytes: int):
    """Decorate a view that takes files: its requests may be up to max_bytes."""

    def decorator(view):
        view.upload_limit = max_bytes
        return view

    return decorator


def init_app(app) -> None:
    """Install the guards; call before CSRFProtect so limits apply before it reads the form."""
    app.before_request(limit_body)
    app.before_request(refuse_control_characters)
    app.before_request(check_same_origin)


def limit_body() -> None:
    """Raise the body limit for views marked with upload_limit; others keep the small one."""
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "upload_limit", None)
    if limit:
        request.max_content_length = limit
        request.max_form_memory_size = limit


def refuse_control_characters() -> None:
    """Answer 422 to any query or form value holding a control character; nothing is stored."""
    values = [v for _k, v in request.args.items(multi=True)]
    if request.method not in SAFE_METHODS:
        values += [v for _k, v in request.form.items(multi=True)]
    if any(CONTROL.search(v) for v in values):
        raise ControlCharacters()


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def check_same_origin() -> None:
    """Over HTTPS, a state change must come from one of our own pages.

    Flask-WTF's own HTTPS check wants a Referer, which careful browsers and proxies may drop;
    the Origin header says the same thing and is always sent with a POST. The CSRF token is
    still required on top of this.
    """
    if request.method in SAFE_METHODS or not request.is_secure:
        return
    ours = {_origin(request.host_url)}
    if current_app.config.get("PUBLIC_BASE_URL"):
        ours.add(_origin(current_app.config["PUBLIC_BASE_URL"]))
    origin = request.headers.get("Origin")
    source = origin if origin and origin != "null" else request.referrer
    cross_site = request.headers.get("Sec-Fetch-Site") == "cross-site"
    if cross_site or not source or _origin(source) not in ours:
        # Logged (without the URL's query or any form value) so that a proxy that strips
        # Origin, or a wrong PUBLIC_BASE_URL, shows up in the log and not only as 400s.
        current_app.logger.warning(
            "refused %s %s over HTTPS: not from this site (origin %r)",
            request.method,
            request.path,
            _origin(source) if source else None,
        )
        raise CSRFError("request not from this site")
