"""Staff page for bulk voucher slips: start a village's PDF, follow it, download it."""

import json

from flask import Blueprint, abort, redirect, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms.validators import DataRequired

from ..auth.access import in_scope, requires, scope_villages
from ..eligibility.evaluation import local_today
from ..extensions import db
from ..jobs.models import Job
from ..jobs.services import can_see, progress_of, start_job
from ..pages import no_store, render_page
from ..validators import ChoiceField
from .slip_tasks import exports_dir
from .slips import open_periods

bp = Blueprint("vouchers_slips", __name__)
PAPER_CHOICES = [
    SelectChoice("a4", _l("A4, 9 slip per lembar (printer biasa)")),
    SelectChoice("80", _l("Kertas struk 80 mm")),
    SelectChoice("58", _l("Kertas struk 58 mm")),
]


class SlipForm(FlaskForm):
    """Which village, period and paper to print slips for."""

    village = ChoiceField(_l("Desa"), validators=[DataRequired(_l("Pilih desa."))])
    period = ChoiceField(_l("Periode"), default="")
    paper = ChoiceField(_l("Kertas"), choices=PAPER_CHOICES, default="a4")


def _form() -> SlipForm:
    form = SlipForm()
    villages = db.session.scalars(scope_villages(current_user)).all()
    form.village.choices = [SelectChoice(v.code, f"{v.name} ({v.code})") for v in villages]
    periods = open_periods(local_today())
    form.period.choices = [SelectChoice("", _l("Semua periode yang berjalan"))] + [
        SelectChoice(str(p.id), f"{p.program.name} · {p.label}") for p in periods
    ]
    return form


def _page(form, status=200):
    jobs = db.session.scalars(
        db.select(Job)
        .where(Job.kind == "print_slips", Job.created_by_id == current_user.id)
        .order_by(Job.id.desc())
        .limit(10)
    ).all()
    return no_store(
        render_page("vouchers/slips.html", form=form, jobs=jobs, status=status, loads=json.loads)
    )


@bp.get("/")
@requires("vouchers.print")
def index():
    """Offer the bulk print form and the user's recent print jobs."""
    return _page(_form())


@bp.post("/")
@requires("vouchers.print")
def start():
    """Queue the village's slip PDF and follow its progress."""
    form = _form()
    if not form.validate_on_submit():
        return _page(form, status=422)
    params = {
        "village": form.village.data,
        "period": int(form.period.data) if form.period.data else None,
        "paper": form.paper.data,
    }
    job = start_job(current_user, "print_slips", params)
    return redirect(url_for("vouchers_slips.job", job_id=job.id), code=303)


def _job_for_user(job_id: int) -> tuple[Job, dict]:
    """The print job, if this user may see it (404 for another kind, 403 for another user)."""
    job = db.session.get(Job, job_id)
    if job is None or job.kind != "print_slips":
        abort(404)
    params = json.loads(job.params or "{}")
    if not can_see(current_user, job) or not in_scope(current_user, params.get("village", "")):
        abort(403)
    return job, params


@bp.get("/tugas/<int(max=2147483647):job_id>")
@requires("vouchers.print")
def job(job_id: int):
    """Show a print job's progress (htmx polls the block) and, when done, its download."""
    job, params = _job_for_user(job_id)
    done, total = progress_of(job)
    return no_store(
        render_page(
            "vouchers/slip_job.html",
            block="progress",
            job=job,
            params=params,
            done=done,
            total=total,
            result=json.loads(job.result) if job.result.startswith("{") else {},
            running=job.state in ("queued", "running"),
        )
    )


@bp.get("/tugas/<int(max=2147483647):job_id>/unduh")
@requires("vouchers.print")
def download(job_id: int):
    """Send the finished PDF to a user who may see the job."""
    job, params = _job_for_user(job_id)
    result = json.loads(job.result) if job.result.startswith("{") else {}
    name = result.get("file") or ""
    path = exports_dir() / name
    if job.state != "done" or name != f"{job.id}.pdf" or not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"slip-voucher-{params['village']}-{result.get('paper')}-{job.id}.pdf",
        max_age=0,
    )
    return no_store(response)
