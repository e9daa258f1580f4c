"""Issue 9's queue targets with 10,000 open tickets: page time, fragment sizes, idle poll bytes.

A fresh PostgreSQL database (bansos_bench_tickets on BENCH_PG) gets the demo registry and
10,000 open tickets spread over every village; SQLite in a temporary folder with --sqlite.
Prints one line per figure with its target.

Usage: python -m bench.tickets [--households 2000] [--samples 50] [--sqlite]
"""

import argparse
import random
import re
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert, select, text

from bansos_app import create_app
from bansos_app.extensions import db
from bansos_app.models_base import utcnow
from bansos_app.registry.models import Household
from bansos_app.tickets.models import Ticket
from bansos_app.tickets.numbers import new_number

from .fragments import staff_client

OPEN = 10_000
PAGE_MS, FRAGMENT, POLL = 100, 4096, 200
BR = {"Accept-Encoding": "br, gzip"}
HX = {"HX-Request": "true", **BR}
# What any HTTP server adds to each answer (gunicorn's words): counted in the wire size.
SERVER_LINES = ("Date: Thu, 01 Jan 2026 00:00:00 GMT", "Server: gunicorn", "Connection: close")


def _app(args):
    if args.sqlite:
        folder = Path(tempfile.mkdtemp(prefix="bansos-tickets-"))
        url, label = f"sqlite:///{folder / 'bench.db'}", "SQLite"
    else:
        from .scale import create_database, database_url

        create_database("bansos_bench_tickets", fresh=True)
        url, label = database_url("bansos_bench_tickets"), "PostgreSQL"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(
        args=["bansos", "demo-data", "--households", str(args.households)]
    )
    assert result.exit_code == 0, result.output
    return app, label


def _add_open_tickets(n: int, seed: int = 9) -> None:
    """n open tickets (screened or verified, some overdue) about random households."""
    rng, today, now = random.Random(seed), date.today(), utcnow()
    households = db.session.execute(select(Household.id, Household.village_code)).all()
    numbers, rows = set(), []
    while len(numbers) < n:
        numbers.add(new_number())
    for number in numbers:
        hid, village = rng.choice(households)
        due = today + timedelta(days=rng.randrange(-5, 15))
        kind = rng.choice(("usul", "sanggah_sendiri", "sanggah_lain"))
        stage = rng.choice(("screened", "verified"))
        rows.append(
            dict(
                number=number,
                kind=kind,
                channel="kiosk",
                program_code="SEMBAKO",
                village_code=village,
                submitter_nik_hash="0" * 64,
                subject_household_id=hid,
                proposed={},
                reason_code={"sanggah_sendiri": "anggota", "sanggah_lain": "mampu"}.get(kind, ""),
                text="",
                stage=stage,
                # Verified by the village's musdes, which agreed: Dinsos may approve.
                village_decision="setuju" if stage == "verified" else None,
                due_on=due,
                overdue=due < today,
                created_at=now,
                updated_at=now - timedelta(seconds=rng.randrange(86_400)),
            )
        )
    for start in range(0, n, 2_000):
        db.session.execute(insert(Ticket), rows[start : start + 2_000])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE ticket"))
        db.session.commit()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _wire(response) -> int:
    """Status line, the app's headers, the server's usual lines, blank line and body."""
    lines = [f"HTTP/1.1 {response.status}"]
    lines += [f"{k}: {v}" for k, v in response.headers.items()] + list(SERVER_LINES)
    return len(("\r\n".join(lines) + "\r\n\r\n").encode()) + len(response.get_data())


def _verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "OVER"


def measure(app, samples: int, out=print) -> None:
    """Print the page's median time, the fragments' compressed sizes and the idle poll's bytes."""
    client = staff_client(app, "dinsos", "demo-dinsos-admin")
    client.get("/staf/tiket/")  # warm the caches
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        response = client.get("/staf/tiket/", headers=BR)
        times.append(time.perf_counter() - started)
    page_ms = statistics.median(times) * 1000
    html = client.get("/staf/tiket/").get_data(as_text=True)
    table = client.get("/staf/tiket/?tahap=verified", headers=HX)
    fragment_times = []
    for page in range(1, samples + 1):
        started = time.perf_counter()
        client.get(f"/staf/tiket/?tahap=semua&hal={page}", headers=HX)
        fragment_times.append(time.perf_counter() - started)
    with app.app_context():
        # The first verified ticket in the list, and a ticket with real screening checks.
        ids = db.session.scalars(
            # An objection to one's own members: approving it changes no registry data, so
            # the approval goes through whatever the random household is.
            select(Ticket.id)
            .where(Ticket.stage == "verified", Ticket.kind == "sanggah_sendiri")
            .order_by(Ticket.due_on, Ticket.id)
        ).all()
        checked = db.session.scalar(
            select(Ticket.id)
            .where(Ticket.stage == "screened")
            .join(Ticket.checks)
            .order_by(Ticket.id)
            .limit(1)
        )
    detail = client.get(f"/staf/tiket/{checked}", headers=HX)
    # The demo's first ticket (Rina's usul) as its village operator sees it: with the form.
    operator = staff_client(app, "operator", "demo-operator")
    form = operator.get(f"/staf/tiket/{checked}", headers=HX)
    row = client.post(
        f"/staf/tiket/{ids[0]}/putuskan?tahap=verified",
        data={"csrf_token": _csrf(html), "keputusan": "setujui", "alasan": "Sesuai musdes."},
        headers=HX,
    )
    assert row.status_code == 200, row.get_data(as_text=True)[:500]
    # After the approval the page carries the new state: its poll is idle.
    html = client.get("/staf/tiket/").get_data(as_text=True)
    poll_url = re.search(r'id="poll" hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")
    idle = client.get(poll_url, headers={"HX-Request": "true", **BR})
    out(
        f"  GET /staf/tiket/ as Dinsos, full page: median {page_ms:.1f} ms of {samples}"
        f"  target ≤{PAGE_MS} ms  {_verdict(page_ms, PAGE_MS)}"
    )
    frag_ms = statistics.median(fragment_times) * 1000
    out(f"  table fragment (htmx), pages 1-{samples}: median {frag_ms:.1f} ms")
    for label, response in (
        ("table fragment (25 rows)", table),
        ("row after inline approve + counters", row),
        ("expanded detail (Dinsos)", detail),
        ("expanded detail with the verification form (operator)", form),
    ):
        size = len(response.get_data())
        encoding = response.headers.get("Content-Encoding", "none")
        out(
            f"  {label} ({response.status_code}): {size:,} B {encoding}"
            f"  target ≤{FRAGMENT:,} B  {_verdict(size, FRAGMENT)}"
        )
    wire = _wire(idle)
    out(
        f"  idle poll ({idle.status_code}): {wire} B on the wire incl. status line and headers"
        f"  target ≤{POLL} B  {_verdict(wire, POLL)}"
    )
    document = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options")
    document += ("Referrer-Policy", "Permissions-Policy")
    extra = sum(len(k) + len(v) + 2 for k, v in idle.headers.items() if k in document)
    for k, v in idle.headers.items():
        out(f"      {k}: {v}  ({len(k) + len(v) + 4} B)")
    out(f"      (the five page-security headers take {extra} B of it; an empty 204 has no page)")


def main() -> None:
    """Build the database, add the tickets and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    app, label = _app(args)
    with app.app_context():
        _add_open_tickets(OPEN)
    print(
        f"Ticket queues, {label}, {args.households:,} households + {OPEN:,} open tickets "
        f"(built in {time.perf_counter() - started:.0f} s):"
    )
    measure(app, args.samples)


if __name__ == "__main__":
    main()
