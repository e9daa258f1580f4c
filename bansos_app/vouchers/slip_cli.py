"""`flask bansos print-slips`: a village's voucher slips as one PDF file."""

import sys
import time

import click

from ..cli import bansos_cli
from ..extensions import db
from ..registry.models import Region
from .models import DistributionPeriod
from .slip_tasks import print_village_slips
from .slips import PAPERS


@bansos_cli.command("print-slips")
@click.option("--village", required=True, help="Village code, e.g. 17.03.12.2003.")
@click.option("--period", "period_id", type=int, default=None, help="Default: every open period.")
@click.option("--paper", type=click.Choice(PAPERS), default="a4", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
def print_slips_cmd(village, period_id, paper, output):
    """Write the village's printable voucher slips to a PDF; every print is counted."""
    region = db.session.get(Region, village)
    if region is None or region.level != 4:
        click.echo(f"Unknown village code {village!r}.", err=True)
        sys.exit(2)
    if period_id is not None and db.session.get(DistributionPeriod, period_id) is None:
        click.echo(f"Unknown period {period_id}.", err=True)
        sys.exit(2)
    started = time.perf_counter()
    pdf, count = print_village_slips(None, village, period_id, paper)
    if not count:
        click.echo("No printable vouchers for that village and period; no file written.", err=True)
        sys.exit(1)
    with open(output, "wb") as file:
        file.write(pdf)
    elapsed = time.perf_counter() - started
    click.echo(f"{count} slips ({paper}) written to {output} in {elapsed:.1f} s.")
