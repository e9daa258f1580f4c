"""gunicorn entry for the kiosk benchmark: the real app, and the bare app at /bare/.

Both are served by the same gunicorn processes, so the ratio of their requests per second
measures the app's own cost, not the server's or the machine's.
"""

from werkzeug.middleware.dispatcher import DispatcherMiddleware

from bansos_app import create_app

from .bare_wsgi import app as bare

app = DispatcherMiddleware(create_app(), {"/bare": bare})
