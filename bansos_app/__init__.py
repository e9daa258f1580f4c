"""Bansos Desa: digital social assistance for Indonesian villages."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import derive_audit_key, load_config
from .extensions import babel, compress, csrf, db, htmx, limiter, login_manager, migrate


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, CLI and error pages."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_config(Path(app.instance_path)))
    if config:
        app.config.update(config)
    if not app.config["AUDIT_KEY"]:
        app.config["AUDIT_KEY"] = derive_audit_key(app.config["SECRET_KEY"])

    from . import assets, guards, web
    from .jobs import queue

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    guards.init_app(app)  # before CSRFProtect: size limits apply before it reads the form
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    assets.init_app(app)
    queue.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    _register_models()
    _register_blueprints(app)
    web.register_error_handlers(app)
    app.after_request(web.add_security_headers)

    from .cli import bansos_cli

    app.cli.add_command(bansos_cli)
    _register_template_helpers(app)
    hops = app.config["TRUST_PROXY_HOPS"]
    if hops:
        # Behind a load balancer the client address (rate limits) comes from X-Forwarded-For.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


def _register_models() -> None:
    """Import every package's models so that metadata and migrations see them."""
    from .audit import models as _audit  # noqa: F401
    from .auth import models as auth_models
    from .eligibility import models as _eligibility  # noqa: F401
    from .eligibility import recipient_models as _recipients  # noqa: F401
    from .jobs import models as _jobs  # noqa: F401
    from .kiosk import models as _kiosk  # noqa: F401
    from .merchant import models as _merchant  # noqa: F401
    from .registry import models as _registry  # noqa: F401
    from .tickets import models as _tickets  # noqa: F401
    from .vouchers import models as _vouchers  # noqa: F401

    @login_manager.user_loader
    def load_user(session_id: str):
        """Return the session's user, unless a logout has ended that session since."""
        user_id, _, version = session_id.partition(":")
        # Only what User.get_id writes; old "<id>" sessions or anything odd mean nobody, and
        # the length bound keeps the id within a 64-bit integer.
        if not (user_id.isdecimal() and version.isdecimal() and len(session_id) <= 20):
            return None
        user = db.session.get(auth_models.User, int(user_id))
        return user if user is not None and user.session_version == int(version) else None


def _register_blueprints(app: Flask) -> None:
    """Attach each area's blueprint."""
    from . import web
    from .admin.devices import bp as devices_bp
    from .admin.pins import bp as pins_bp
    from .admin.views import bp as admin_bp
    from .auth.views import bp as auth_bp
    from .eligibility import recipient_views
    from .eligibility.rule_views import bp as rules_bp
    from .jobs.views import bp as jobs_bp
    from .kiosk.device_views import bp as kiosk_device_bp
    from .kiosk.views import bp as kiosk_bp
    from .merchant import account_views, reversal_views, settlement_admin_views, settlement_views
    from .merchant.views import bp as merchant_bp
    from .registry.views import bp as registry_bp
    from .tickets import entry_views, public_views, queue_views
    from .vouchers.period_views import bp as periods_bp
    from .vouchers.slip_views import bp as slips_bp

    app.register_blueprint(web.bp)
    app.register_blueprint(kiosk_bp)
    app.register_blueprint(auth_bp, url_prefix="/staf")
    app.register_blueprint(admin_bp, url_prefix="/staf")
    app.register_blueprint(devices_bp, url_prefix="/staf/kiosk")
    app.register_blueprint(pins_bp, url_prefix="/staf/pin")
    app.register_blueprint(jobs_bp, url_prefix="/staf/tugas")
    app.register_blueprint(kiosk_device_bp, url_prefix="/perangkat")
    app.register_blueprint(rules_bp, url_prefix="/staf/program")
    app.register_blueprint(recipient_views.bp, url_prefix="/staf/penetapan")
    app.register_blueprint(registry_bp, url_prefix="/staf/keluarga")
    app.register_blueprint(periods_bp, url_prefix="/staf/periode")
    app.register_blueprint(settlement_views.bp, url_prefix="/toko/rekap")
    app.register_blueprint(settlement_admin_views.bp, url_prefix="/staf/rekap-toko")
    app.register_blueprint(account_views.bp, url_prefix="/staf/toko-mitra")
    app.register_blueprint(merchant_bp, url_prefix="/toko")
    app.register_blueprint(reversal_views.bp, url_prefix="/staf/penukaran")
    app.register_blueprint(slips_bp, url_prefix="/staf/slip")
    app.register_blueprint(public_views.bp)
    app.register_blueprint(entry_views.bp, url_prefix="/staf/tiket/baru")
    app.register_blueprint(queue_views.bp, url_prefix="/staf/tiket")


def _register_template_helpers(app: Flask) -> None:
    """Expose formatting and access helpers to templates."""
    from flask_babel import get_locale

    from .auth.access import can
    from .formatting import format_date_id, format_local_time, format_rupiah
    from .registry.identity import mask_number

    app.jinja_env.filters["rupiah"] = format_rupiah
    app.jinja_env.filters["tanggal"] = format_date_id
    app.jinja_env.filters["mask"] = mask_number
    app.jinja_env.filters["waktu"] = format_local_time
    app.jinja_env.globals["can"] = can
    app.jinja_env.globals["get_locale"] = get_locale
