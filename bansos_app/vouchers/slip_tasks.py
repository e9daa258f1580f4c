"""Bulk slip printing: a village's vouchers as one PDF, in the task queue or from the CLI."""

import time
from collections.abc import Callable
from pathlib import Path

from flask import current_app

from ..auth.models import User
from ..eligibility.evaluation import local_today
from ..extensions import db
from ..jobs.queue import job_task
from ..jobs.tasks import run_job
from .slip_pdf import slips_pdf
from .slips import PAPERS, record_prints, village_vouchers


def exports_dir() -> Path:
    """Where finished slip PDFs wait for their download (instance/exports/)."""
    path = Path(current_app.instance_path) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def print_village_slips(
    actor, village_code: str, period_id: int | None, paper: str, progress: Callable | None = None
) -> tuple[bytes, int]:
    """Render the village's printable slips as one PDF and count each print (committed)."""
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}")
    progress = progress or (lambda done, total: None)
    vouchers = village_vouchers(village_code, [period_id] if period_id else None, local_today())
    steps = len(vouchers) + 1
    progress(0, steps)
    pdf = slips_pdf(vouchers, paper, progress=progress) if vouchers else b""
    # Counted once the PDF exists: a failed render prints nothing and counts nothing.
    record_prints(actor, vouchers, channel="bulk")
    db.session.commit()
    progress(steps, steps)
    return pdf, len(vouchers)


def _print_slips(job, params: dict, progress: Callable) -> dict:
    """The job's work: write the PDF under instance/exports/ and name it in the result."""
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    started = time.perf_counter()
    pdf, count = print_village_slips(
        actor, params["village"], params.get("period"), params.get("paper", "a4"), progress
    )
    name = f"{job.id}.pdf" if count else ""
    if count:
        (exports_dir() / name).write_bytes(pdf)
    return {
        "file": name,
        "count": count,
        "village": params["village"],
        "paper": params.get("paper", "a4"),
        "seconds": round(time.perf_counter() - started, 1),
    }


@job_task("print_slips")
def print_slips_task(job_id: int) -> dict | None:
    """Bulk slip PDF for one village (and period, or every open period), with progress."""
    return run_job(job_id, _print_slips)
