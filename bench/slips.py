"""Time voucher slip PDFs: one slip against a minimal WeasyPrint page, and 1,000 slips on A4.

Usage: python -m bench.slips [--runs 7] [--batch 1000]

The vouchers are stand-ins with the attributes a slip reads (no database): the figures are
the QR codes, the template and WeasyPrint, which is where the time goes.
"""

import argparse
import statistics
import tempfile
import time
from datetime import date, timedelta
from types import SimpleNamespace

from bansos_app import create_app
from bansos_app.vouchers.slip_pdf import slips_pdf

NAMES = ("Sri Wahyuni", "Dedi Kurniawan", "Siti Aminah", "Rahmat Hidayat", "Yuliana Sari")


def voucher(number: int):
    """A stand-in voucher: what slip_for reads, as issued to a demo-like household."""
    head = SimpleNamespace(name=NAMES[number % len(NAMES)], nik=f"17031241078{number:05d}")
    return SimpleNamespace(
        id=number,
        period_id=4,
        household_id=10_000 + number,
        program_code="SEMBAKO",
        program=SimpleNamespace(name="Sembako / BPNT", name_id="Sembako / BPNT"),
        value=200_000,
        balance=200_000 if number % 7 else 120_000,
        period=SimpleNamespace(label="2026 Tahap 4"),
        expires_on=date.today() + timedelta(days=30),
        village=SimpleNamespace(name="Giri Kencana"),
        household=SimpleNamespace(head=head),
        serial=f"004-{number:07d}",
        print_count=number % 3,
    )


def minimal_pdf() -> bytes:
    """The yardstick: WeasyPrint's minimal one-page document."""
    from weasyprint import HTML

    return HTML(string="<!doctype html><title>x</title><p>Bansos Desa</p>").write_pdf()


def _seconds(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def run(app, runs: int = 7, batch: int = 1000, out=print) -> None:
    """Print the one-slip/minimal ratio (medians, interleaved) and the A4 batch time."""
    with app.app_context():
        one = [voucher(1)]
        minimal_pdf(), slips_pdf(one, "80")  # warm-up: imports, fonts, stylesheet
        slip_times, minimal_times = [], []
        for _ in range(runs):  # interleaved, so a burst of load falls on both
            minimal_times.append(_seconds(minimal_pdf))
            slip_times.append(_seconds(lambda: slips_pdf(one, "80")))
        slip_ms = statistics.median(slip_times) * 1000
        minimal_ms = statistics.median(minimal_times) * 1000
        out(f"minimal one-page WeasyPrint document: {minimal_ms:.1f} ms (median of {runs})")
        out(f"one voucher slip PDF (80 mm):        {slip_ms:.1f} ms (median of {runs})")
        out(f"ratio slip/minimal: {slip_ms / minimal_ms:.2f} (target at most 1.5)")
        many = [voucher(n) for n in range(1, batch + 1)]
        started = time.perf_counter()
        pdf = slips_pdf(many, "a4")
        elapsed = time.perf_counter() - started
        out(
            f"A4 batch of {batch:,} slips: {elapsed:.1f} s, {len(pdf) / 1e6:.1f} MB "
            f"(target at most 60 s)"
        )


def main() -> None:
    """Build a throwaway app (its signing key in a temporary folder) and measure."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bansos-slips-") as tmp:
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                "VOUCHER_KEY_DIR": f"{tmp}/keys",
            }
        )
        run(app, args.runs, args.batch)


if __name__ == "__main__":
    main()
