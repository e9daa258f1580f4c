"""gunicorn settings, read from the working directory: `.venv/bin/gunicorn wsgi:app`."""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads keep connections alive between requests: a new TCP handshake costs a whole round
# trip, 0.3 s or more on a village's 2G link, for every kiosk step.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5


def when_ready(server):
    """Warn when rate limits would be counted per worker instead of once for the site."""
    if server.cfg.workers > 1 and not os.environ.get("REDIS_URL"):
        server.log.warning(
            "%d workers and no REDIS_URL: rate limits (status checks, PINs, logins) are "
            "counted per worker, so each limit is %d times looser. Set REDIS_URL.",
            server.cfg.workers,
            server.cfg.workers,
        )
