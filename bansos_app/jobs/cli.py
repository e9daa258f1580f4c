"""`flask bansos worker` (the queue's consumer) and `flask bansos evaluate`."""

import logging
import time
from datetime import date

import click

from ..cli import bansos_cli
from ..eligibility.evaluation import evaluate_all
from .queue import huey, storage_description
from .services import start_job


@bansos_cli.command("worker")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 32))
def worker_cmd(workers):
    """Run the task queue's consumer for this app: queued jobs and the hourly evaluation."""
    if huey.immediate:
        raise click.ClickException("HUEY_IMMEDIATE is set: tasks run in the web process.")
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    click.echo(f"Worker: {workers} threads, queue {storage_description()}.")
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.run()  # until SIGINT (graceful) or SIGTERM


@bansos_cli.command("evaluate")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@click.option("--queue", "queued", is_flag=True, help="Hand it to the worker instead.")
def evaluate_cmd(as_of, queued):
    """Re-evaluate every household for every program now (or queue it with --queue)."""
    day: date | None = as_of.date() if as_of else None
    if queued:
        job = start_job(None, "evaluate_all", {"as_of": day.isoformat()} if day else {})
        click.echo(f"Queued job {job.id}: follow it at /staf/tugas/{job.id}")
        return
    started = time.perf_counter()
    run = evaluate_all(None, as_of=day)
    elapsed = time.perf_counter() - started
    click.echo(f"Evaluated for {run.as_of}: {run.changed} rows changed in {elapsed:.1f} s.")
