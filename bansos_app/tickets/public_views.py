"""Public ticket pages for kiosks and phones: the Usul / Sanggah flow, one screen at a time."""

from flask import Blueprint, g, request
from flask_babel import lazy_gettext as _l

from ..kiosk.services import VISIT_COOKIE, current_visit, extend_visit
from ..pages import no_store, render_page
from . import public_flow as flow
from .numbers import grouped
from .photo import max_bytes
from .public_forms import Refused, read_answer
from .public_labels import KINDS, OTHER_REASONS, OWN_REASONS
from .submit import due_days

bp = Blueprint("usul", __name__)

PRESETS = {"sanggah_sendiri": ("desil", "anggota", "status")}


@bp.app_template_filter("ticket_number")
def ticket_number(number: str) -> str:
    """Template filter: a ticket number as printed, "4821 5530 17"."""
    return grouped(number)


@bp.app_template_global("ticket_due_days")
def ticket_due_days() -> int:
    """Template global: the days each stage has (TICKET_DUE_DAYS), for the resident's text."""
    return due_days()


def submit_address_key() -> str:
    """Rate-limit key for submitting: the visit's household at a kiosk, else the client address."""
    # Every resident of a kiosk shares its address: counting that would refuse the 21st
    # family of the hour while leaving one family free to send dozens.
    if g.get("kiosk_device") is not None:
        visit = current_visit(request.cookies.get(VISIT_COOKIE))
        if visit is not None:
            return f"household:{visit.household_id}"
    return f"addr:{request.remote_addr}"


def _kinds(household) -> list[str]:
    kinds = ["usul", "sanggah_sendiri", "sanggah_lain"]
    # A household blocked for online gambling comes back only through a Reaktivasi.
    return [*kinds, "reaktivasi"] if household.status == "blocked" else kinds


def _new_state(visit) -> dict:
    state = {"v": visit.id}
    adults = flow.adults(visit.household)
    if len(adults) == 1:  # nobody else to choose: one screen less
        state.update(who=adults[0].id, who_auto=True)
    return state


def _render(visit, state, error=None, status=200, letter="", page=0):
    """Render the flow's current screen (only #main for htmx)."""
    household = visit.household
    step = flow.current_step(state)
    ctx = {}
    if step == "who":
        ctx["people"] = flow.adults(household)
    elif step == "pick":
        recipients_only = state.get("kind") == "sanggah_lain"
        ctx["families"], ctx["more"] = flow.village_families(
            household.village_code, household.id, recipients_only, letter, page
        )
    elif step == "program":
        ctx["programs"] = flow.programs_offered(state, household.id)
    if step in ("confirm", "other_reason"):
        ctx["subject_name"] = (
            state.get("name")
            if state.get("whom") == "new"
            else flow.head_name(state.get("household") or household.id)
        )
        ctx["program"] = next(
            (p for p in flow.programs_open_to(None) if p.code == state.get("program")), None
        )
    names = flow.steps(state)
    return no_store(
        render_page(
            "tickets/public/flow.html",
            block="main",
            status=status,
            step=step,
            number=_shown_number(state, names.index(step) + 1),
            state=state,
            signed=flow.sign(state),
            household=household,
            kinds=_kinds(household),
            kind_labels=KINDS,
            own_reasons=OWN_REASONS,
            other_reasons=OTHER_REASONS,
            letter=letter,
            page=page,
            error=error,
            photo_max_mb=max_bytes() // 2**20,
            **ctx,
        )
    )


def _shown_number(state: dict, number: int) -> int:
    """Number the screens the resident sees: those answered for them do not count."""
    return max(1, number - bool(state.get("who_auto")) - 2 * bool(state.get("preset")))


def _no_visit():
    """Explain that the resident first checks their status (NIK + KK), then comes back."""
    return no_store(render_page("tickets/public/need_status.html", block="main"))


@bp.get("/usul-sanggah")
def start():
    """Start the flow; the status page's "Sanggah desil" starts with the kind and reason chosen."""
    visit = current_visit(request.cookies.get(VISIT_COOKIE))
    if visit is None:
        return _no_visit()
    state = _new_state(visit)
    kind, reason = request.args.get("jenis"), request.args.get("alasan")
    if kind in PRESETS and reason in PRESETS[kind]:
        state.update(kind=kind, reason=reason, preset=True)
    return _render(visit, state)


@bp.post("/usul-sanggah")
def step():
    """Take one screen's answer (or go back, or page the list) and show the next screen."""
    visit = current_visit(request.cookies.get(VISIT_COOKIE))
    if visit is None:
        return _no_visit()
    state = flow.unsign(request.form.get("flow"), visit.id)
    if state is None:
        return _render(visit, _new_state(visit), _l("Waktu habis. Silakan mulai lagi."), 422)
    now = flow.current_step(state)
    if request.form.get("kembali"):
        return _render(visit, flow.go_back(state))
    chosen = request.form["huruf"] if "huruf" in request.form else request.form.get("huruf_aktif")
    letter = (chosen or "")[:1].upper()
    letter = letter if "A" <= letter <= "Z" else ""
    if now == "pick" and ("huruf" in request.form or "halaman" in request.form):
        page = request.form.get("halaman", "0")
        page = int(page) if page.isascii() and page.isdigit() and len(page) < 4 else 0
        return _render(visit, state, letter=letter, page=page)
    if request.form.get("langkah") != now:
        return _render(visit, state)  # a double tap answered this screen already
    try:
        state.update(
            read_answer(now, request.form, state, visit.household, _kinds(visit.household))
        )
    except Refused as refused:
        return _render(visit, state, refused.message, 422, letter=letter)
    return _render(visit, state)


@bp.after_request
def _keep_visit(response):
    """Each answer and the submit keep the resident's visit open: the flow may outlast it."""
    # After the page is rendered: extend_visit commits, which expires what the page read.
    keeps = request.method == "POST" and request.endpoint in ("usul.step", "usul.submit")
    if keeps and response.status_code < 500:
        visit = current_visit(request.cookies.get(VISIT_COOKIE))
        if visit is not None:
            extend_visit(visit)
    return response


from . import public_check, public_submit  # noqa: E402,F401  (their routes are on this blueprint)
