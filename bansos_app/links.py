"""Links that leave the app (enrolment URLs, start links, printed QR links)."""

from flask import current_app, url_for


def external_url(endpoint: str, **values) -> str:
    """An absolute URL, built on PUBLIC_BASE_URL when set instead of the request's Host."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    # The Host header is the client's to choose; a link shown to staff or printed for a
    # resident must not carry whatever host a request claimed.
    return base.rstrip("/") + url_for(endpoint, **values)
