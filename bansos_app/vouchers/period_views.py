"""Staff pages for distribution periods: the list, opening one, its preview and issuance."""

import json

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_htmx import make_response as htmx_response
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from ..auth.access import can, requires, scoped_village_codes
from ..extensions import db, htmx
from ..jobs.models import Job
from ..jobs.services import progress_of, start_job
from ..pages import no_store, render_page
from .models import DistributionPeriod
from .period_forms import period_form
from .services import (
    PeriodError,
    issuance_preview,
    list_periods,
    open_period,
    period_figures,
    voucher_programs,
)

bp = Blueprint("periods", __name__)
LIST, PAGE = "vouchers/period_list.html", "vouchers/period_show.html"


def _list_page(form=None, status=200, block=None):
    """Every period with its vouchers (the user's villages only); Dinsos also gets the form."""
    if form is None and can(current_user, "vouchers.issue"):
        form = period_form(voucher_programs())
    scope = scoped_village_codes(current_user)
    page = render_page(
        LIST,
        block=block,
        status=status,
        periods=list_periods(),
        figures=period_figures(scope),
        scoped=scope is not None,
        form=form,
    )
    return no_store(page)


@bp.get("/")
@requires("vouchers.view")
def index():
    """The distribution periods, newest first, with their vouchers by state."""
    return _list_page()


@bp.post("/buka")
@requires("vouchers.issue")
def create():
    """Open a period: its page follows (303); bad input gets the form back (422)."""
    form = period_form(voucher_programs(), formdata=request.form)
    if not form.validate_on_submit():
        return _list_page(form, status=422, block="open_form")
    try:
        period = open_period(
            current_user, form.program.data, form.label.data, form.starts_on.data, form.ends_on.data
        )
    except PeriodError as e:
        db.session.rollback()
        field = getattr(form, e.field or "", None) or form.label
        field.errors = [*field.errors, e.message]
        return _list_page(form, status=422, block="open_form")
    flash(_("Periode %(label)s dibuka.", label=period.label))
    target = url_for("periods.show", period_id=period.id)
    if htmx:
        return htmx_response("", redirect=target)
    return redirect(target, code=303)


def _latest_job(period: DistributionPeriod) -> Job | None:
    params = json.dumps({"period_id": period.id}, sort_keys=True)
    query = select(Job).where(Job.kind == "issue_vouchers", Job.params == params)
    return db.session.scalar(query.order_by(Job.id.desc()).limit(1))


@bp.get("/<int(max=2147483647):period_id>")
@requires("vouchers.view")
def show(period_id: int):
    """One period: per village, who gets a voucher and for how much; the issue button."""
    period = db.session.get(DistributionPeriod, period_id) or abort(404)
    scope = scoped_village_codes(current_user)
    figures = period_figures(scope).get(period.id, {})
    page = render_page(
        PAGE,
        period=period,
        preview=issuance_preview(period, scope),
        figures=figures,
        job=_latest_job(period) if can(current_user, "vouchers.issue") else None,
    )
    return no_store(page)


@bp.post("/<int(max=2147483647):period_id>/terbitkan")
@requires("vouchers.issue")
def issue(period_id: int):
    """Start issuing the period's vouchers in the queue; follow its progress."""
    period = db.session.get(DistributionPeriod, period_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    job = start_job(current_user, "issue_vouchers", {"period_id": period.id})
    if not htmx:
        return redirect(url_for("jobs.job", job_id=job.id), code=303)
    db.session.refresh(job)
    done, total = progress_of(job)
    return no_store(
        render_page(
            "jobs/job.html",
            block="progress",
            job=job,
            done=done,
            total=total,
            result=json.loads(job.result) if (job.result or "").startswith("{") else {},
            running=job.state in ("queued", "running"),
        )
    )
