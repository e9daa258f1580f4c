"""Public pages for kiosks and phones: home, status check, PIN, reset."""

from datetime import date

from flask import (
    Blueprint,
    current_app,
    g,
    get_flashed_messages,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_htmx import make_response as htmx_response

from ..eligibility.evaluation import local_today
from ..eligibility.services import age_on, next_pkh_stage, program_lines
from ..eligibility.summary import PLAIN, summarise
from ..extensions import htmx, limiter
from ..formatting import format_date_id, group_digits
from ..pages import no_store, render_page
from ..tickets.public_labels import KINDS as TICKET_KINDS
from ..tickets.public_labels import STAGES as TICKET_STAGES
from ..tickets.public_labels import household_tickets
from ..web import LANG_COOKIE
from .devices import COOKIE as DEVICE_COOKIE
from .devices import device_from_token, touch_device
from .forms import PinForm, StatusForm
from .pins import pin_locked, verify_pin
from .services import (
    NOT_FOUND,
    VISIT_COOKIE,
    current_visit,
    end_visit,
    parse_status_input,
    printable_vouchers,
)
from .services import start_visit as start_resident_visit

bp = Blueprint("kiosk", __name__)


@bp.before_app_request
def recognise_device():
    """Know on every request whether this browser is an enrolled, unrevoked kiosk."""
    g.kiosk_device = None
    token = request.cookies.get(DEVICE_COOKIE)
    if token and not request.path.startswith("/static/"):
        g.kiosk_device = device_from_token(token)
        if g.kiosk_device:
            touch_device(g.kiosk_device)


@bp.after_app_request
def drop_stale_device_cookie(response):
    """Remove a tampered or revoked device cookie so the browser stops sending it."""
    stale = request.cookies.get(DEVICE_COOKIE) and g.get("kiosk_device") is None
    if stale and not request.path.startswith(("/static/", "/perangkat/")):
        response.delete_cookie(DEVICE_COOKIE)
    return response


@bp.app_template_filter("group4")
def group4(value):
    """Template filter: a 16-digit number in groups of four, as printed on the family card."""
    return group_digits(value)


@bp.app_context_processor
def kiosk_context():
    """Expose the device and the idle settings to every template."""
    return {
        "kiosk_device": g.get("kiosk_device"),
        "countdown_seconds": current_app.config["KIOSK_COUNTDOWN_SECONDS"],
    }


def device_key() -> str:
    """Rate-limit key: the kiosk device, or the client address for phones."""
    device = g.get("kiosk_device")
    return f"device:{device.id}" if device else f"addr:{request.remote_addr}"


def address_key() -> str:
    """Rate-limit key: the client address, whatever the device."""
    return f"addr:{request.remote_addr}"


def _limit(name):
    return lambda: current_app.config[name]


@bp.get("/")
def home():
    """Show the four large choices; arriving home also forgets any resident still remembered."""
    token = request.cookies.get(VISIT_COOKIE)
    response = render_page("kiosk/home.html")
    if token:
        # The idle script's reset POST may be lost; home is where every resident's visit ends.
        end_visit(token)
        response.delete_cookie(VISIT_COOKIE)
    return response


@bp.get("/cek-status")
def status_form():
    """Ask for NIK and KK number."""
    return no_store(render_page("kiosk/status_form.html", form=StatusForm(), errors={}))


@bp.post("/cek-status")
@limiter.limit(_limit("RATELIMIT_STATUS_DEVICE"), key_func=device_key)
@limiter.limit(_limit("RATELIMIT_STATUS_ADDRESS"), key_func=address_key)
def status_check():
    """Check NIK + KK; show the household's status or one message for every miss."""
    form = StatusForm()  # CSRF was already checked for every POST by CSRFProtect
    checked = parse_status_input(form.nik.data, form.kk.data)
    if not checked.ok:
        return _form_again(form, checked.errors)
    started = start_resident_visit(checked.nik, checked.kk, g.kiosk_device)
    if started is None:
        return _form_again(form, {"form": NOT_FOUND})
    visit, token = started
    if request.headers.get("HX-Request") == "true":
        response = htmx_response(_render_status(visit), push_url=url_for("kiosk.status"))
    else:
        response = redirect(url_for("kiosk.status"), code=303)
    response.set_cookie(
        VISIT_COOKIE, token, httponly=True, samesite="Strict", secure=request.is_secure
    )
    return no_store(response)


def _form_again(form, errors):
    """Show the form again with what was wrong; nothing was stored."""
    return no_store(
        render_page("kiosk/status_form.html", block="main", form=form, errors=errors, status=422)
    )


def _render_status(visit, pin_form=None, pin_message=None, status=200):
    """Render the status page (or, for a form htmx posted, its block) for a live visit."""
    household = visit.household
    today = local_today()
    lines = program_lines(household, today)
    pkh = next((ln for ln in lines if ln.program.code == "PKH" and ln.amount), None)
    stage = next_pkh_stage(pkh.amount, today) if pkh else None
    printable = printable_vouchers(household)
    if pin_form is None and printable:
        # The PIN form shows only beside printable vouchers: build it only then.
        pin_form = PinForm()
    return render_page(
        "kiosk/status.html",
        block="main",
        household=household,
        lines=lines,
        summary=summarise(household, lines, len(printable)),
        printable=printable,
        plain=PLAIN,
        ages={p.id: age_on(p.birth_date, today) for p in household.members},
        pkh_stage=stage,
        pkh_when=format_date_id(date(stage.year, stage.month, 1), "MMMM y") if stage else "",
        pin_form=pin_form,
        pin_message=pin_message,
        pin_ok=visit.pin_verified_at is not None,
        pin_locked=pin_locked(household),
        tickets=household_tickets(household),
        ticket_kinds=TICKET_KINDS,
        ticket_stages=TICKET_STAGES,
        status=status,
    )


@bp.get("/status")
def status():
    """Show the verified household's status; without a live visit, go home."""
    visit = current_visit(request.cookies.get(VISIT_COOKIE))
    if visit is None:
        return no_store(redirect(url_for("kiosk.home"), code=303))
    # A refused print comes back here with its reason.
    message = next(iter(get_flashed_messages()), None)
    return no_store(_render_status(visit, pin_message=message))


@bp.post("/status/pin")
@limiter.limit(_limit("RATELIMIT_PIN"), key_func=device_key)
@limiter.limit(_limit("RATELIMIT_PIN_ADDRESS"), key_func=address_key)
def status_pin():
    """Check the household PIN before vouchers can be printed."""
    visit = current_visit(request.cookies.get(VISIT_COOKIE))
    if visit is None:
        return no_store(redirect(url_for("kiosk.home"), code=303))
    form = PinForm()
    result = verify_pin(visit.household, form.pin.data or "", visit)
    messages = {
        "format": _("PIN harus 6 digit angka."),
        "wrong": _("PIN salah. Periksa slip PIN Anda lalu coba lagi."),
        "locked": _("PIN salah 5 kali. Pencetakan dikunci 15 menit untuk keluarga ini."),
        "no_pin": _(
            "Keluarga ini belum punya PIN kios. Minta PIN kepada operator desa "
            "dengan membawa kartu keluarga."
        ),
    }
    code = 200 if result == "ok" else 422
    return no_store(_render_status(visit, PinForm(formdata=None), messages.get(result), code))


@bp.post("/kiosk/reset")
def reset():
    """Forget the resident now (idle timeout or the Selesai button)."""
    end_visit(request.cookies.get(VISIT_COOKIE))
    # A plain form post (no JavaScript) and the boosted Selesai button go home; the idle
    # script's fetch just needs a 204.
    html = "text/html" in request.headers.get("Accept", "")
    chose_language = g.get("kiosk_device") and request.cookies.get(LANG_COOKIE, "id") != "id"
    if htmx and not chose_language:
        # The boosted Selesai button: answer with the home page at once, one round trip
        # instead of a redirect and a second request (each costs 0.3 s or more on 2G).
        response = htmx_response(render_page("kiosk/home.html"), push_url=url_for("kiosk.home"))
    elif htmx:
        # Another language was chosen: a full load resets <html lang> and the keypad labels.
        response = htmx_response(redirect=url_for("kiosk.home"))
    elif html:
        response = redirect(url_for("kiosk.home"), code=303)
    else:
        response = current_app.response_class(status=204)
    response.delete_cookie(VISIT_COOKIE)
    # The next person starts in Bahasa Indonesia, whatever the last one chose.
    if g.get("kiosk_device"):
        response.delete_cookie(LANG_COOKIE)
    return no_store(response)


from . import slip_views  # noqa: E402,F401  (its routes are on this blueprint)
