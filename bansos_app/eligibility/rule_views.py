"""Staff pages for programs and their rule versions: list, versions, impact preview, save."""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.access import can, requires
from ..extensions import db
from ..jobs.services import start_job
from ..pages import no_store, render_page
from . import rules
from .evaluation import local_today, rules_in_force
from .rule_forms import COMPONENT_LABELS, RuleVersionForm

bp = Blueprint("rules", __name__)


def _program_or_404(code: str):
    program = rules.get_program(code)
    if program is None:
        abort(404)
    return program


def _page(program, form=None, preview=None, status=200, block=None):
    """The program page: its versions, and for those who may, the form and any preview."""
    today = local_today()
    in_force = rules_in_force(today).get(program.code)
    if form is None and can(current_user, "rules.manage"):
        form = RuleVersionForm()
        form.prefill(in_force, today)
    versions = rules.rule_versions(program.code)
    return no_store(
        render_page(
            "eligibility/program.html",
            block=block,
            status=status,
            program=program,
            versions=versions,
            states={v.id: rules.version_state(v, in_force, today) for v in versions},
            form=form,
            preview=preview,
            component_labels=COMPONENT_LABELS,
        )
    )


@bp.get("/")
@requires("rules.view")
def programs():
    """List the programs with the rule in force today and the versions still to come."""
    overview = rules.programs_overview(local_today())
    return render_page(
        "eligibility/programs.html", overview=overview, component_labels=COMPONENT_LABELS
    )


@bp.get("/<code>")
@requires("rules.view")
def program(code: str):
    """Show a program's versions and, for a Dinsos admin, the form for a new one."""
    return _page(_program_or_404(code))


@bp.post("/<code>/pratinjau")
@requires("rules.manage")
def preview(code: str):
    """Show per village who would gain and lose the program under the typed rule."""
    program = _program_or_404(code)
    form = RuleVersionForm()
    draft = form.checked_draft(program)
    if draft is None:
        return _page(program, form, status=422, block="editor")
    impact = rules.preview_rule_change(program.code, draft)
    return _page(program, form, preview=impact, block="editor")


@bp.post("/<code>/simpan")
@requires("rules.manage")
def save(code: str):
    """Save the previewed rule as a new version; the old versions stay."""
    program = _program_or_404(code)
    form = RuleVersionForm()
    draft = form.checked_draft(program)
    if draft is not None:
        try:
            version = rules.add_rule_version(current_user, program.code, draft)
        except rules.RuleError as e:
            db.session.rollback()
            form.add_errors(e.errors)
        else:
            flash(_("Versi baru disimpan (#%(id)d).", id=version.id))
            if version.effective_from <= local_today():
                # In force today: re-evaluate everyone now (queued), not at the next hourly run,
                # so that staff pages and new recipient lists already follow the new rule.
                job = start_job(current_user, "evaluate_all", {})
                return redirect(url_for("jobs.job", job_id=job.id), code=303)
            return redirect(url_for("rules.program", code=program.code), code=303)
    return _page(program, form, status=422)
