"""Render a page or, for htmx, only one of its blocks; the one place that looks at HX-Request."""

from flask import make_response, render_template
from jinja2_fragments.flask import render_block, render_blocks

from .extensions import htmx


def render_page(template: str, block: str | None = None, oob: tuple = (), status=200, **ctx):
    """Render the whole page, or just `block` (plus `oob` blocks) when htmx asks."""
    # A boosted link or form swaps the whole body, so it gets the whole page.
    if htmx and block and not htmx.boosted:
        body = (
            render_blocks(template, [block, *oob], **ctx)
            if oob
            else render_block(template, block, **ctx)
        )
    else:
        body = render_template(template, **ctx)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def no_store(response):
    """Mark a personal page so that neither the browser nor a proxy keeps a copy."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response
