"""The kiosk status page against a bare Flask endpoint, under one gunicorn, measured with wrk.

PostgreSQL with 100,000 households; gunicorn with gunicorn.conf.py and two workers serves
bench/pair_wsgi.py (the app, and "ok" at /bare/). A resident visit is started for a family
and its cookie sent with every /status request. Prints requests/s of each, their ratio
(target at least 0.15) and the status page's server time per request (median), from
gunicorn's access log under load and from sequential in-process requests.

Usage: python -m bench.kiosk_wrk [--households 100000] [--db bansos_bench100k] [--seconds 10]
"""

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import event, func, select

from bansos_app.extensions import db
from bansos_app.kiosk.services import VISIT_COOKIE, start_visit
from bansos_app.registry.models import Household, Person

from .scale import SERVER, ensure_registry

ROOT = Path(__file__).resolve().parents[1]
HEADERS = {"Accept-Encoding": "gzip", "Accept": "text/html"}


def family_visit(members: int = 5) -> str:
    """Start a visit for an active family of `members` members (desil 1-4); return the token."""
    hid = db.session.scalar(
        select(Household.id)
        .join(Person, Person.household_id == Household.id)
        .where(Household.status == "active", Household.desil <= 4)
        .group_by(Household.id)
        .having(func.count(Person.id) == members)
        .order_by(Household.id)
        .limit(1)
    )
    row = db.session.execute(
        select(Person.nik, Household.kk_number)
        .join(Household, Household.id == Person.household_id)
        .where(Household.id == hid)
        .limit(1)
    ).one()
    _visit, token = start_visit(row.nik, row.kk_number)
    return token


def ensure_answers() -> None:
    """Store eligibility answers first when evaluation exists: the status page reads them."""
    try:
        from bansos_app.eligibility.evaluation import evaluate_if_due
    except ImportError:
        return
    evaluate_if_due()


def in_process(app, token: str, n: int = 200) -> dict:
    """Median time of sequential GETs through the test client, and SQL statements per GET."""
    client = app.test_client()
    client.set_cookie(VISIT_COOKIE, token)
    statements = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get("/status", headers=HEADERS)  # warm-up: templates and caches
        statements.clear()
        assert client.get("/status", headers=HEADERS).status_code == 200, "visit is not live"
        per_get = list(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return {"statements": per_get} | _times(client, n)


def _median_ms(get, n: int) -> float:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        get()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def _times(client, n: int) -> dict:
    """Median ms of n sequential status GETs, and of n GETs of the bare app."""
    from .bare_wsgi import app as bare

    bare_client = bare.test_client()
    return {
        "/status": _median_ms(lambda: client.get("/status", headers=HEADERS), n),
        "bare": _median_ms(lambda: bare_client.get("/"), n),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(db_name: str, port: int, access_log: Path) -> subprocess.Popen:
    """Start gunicorn (the project's config, two workers) on the pair app; wait until it answers."""
    env = os.environ | {
        "DATABASE_URL": f"{SERVER}/{db_name}",
        "SECRET_KEY": "bench-secret",
        "WEB_CONCURRENCY": "2",
    }
    env.pop("REDIS_URL", None)
    cmd = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", "2"]
    cmd += ["-b", f"127.0.0.1:{port}", "--access-logfile", str(access_log)]
    cmd += ["--access-logformat", "%(r)s|%(s)s|%(D)s", "bench.pair_wsgi:app"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def wrk(url: str, seconds: int, connections: int, cookie: str = "") -> float:
    """Run wrk and return requests per second."""
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in HEADERS.items():
        cmd += ["-H", f"{name}: {value}"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [url], check=True, capture_output=True, text=True).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"wrk saw error answers from {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def _log_times(access_log: Path, path: str) -> tuple[float, set]:
    """Median server time (ms) and the statuses gunicorn logged for a path."""
    times, statuses = [], set()
    for line in access_log.read_text().splitlines():
        # The request line, not %(U)s: the dispatcher has cut /bare off PATH_INFO by then.
        request_line, status, micros = line.rsplit("|", 2)
        if request_line.split()[1] == path:
            times.append(int(micros) / 1000)
            statuses.add(status)
    return (statistics.median(times) if times else float("nan")), statuses


def measure(db_name: str, token: str, seconds: int, connections: int, out=print) -> None:
    """Serve, warm up, measure each endpoint with wrk and print the figures."""
    tmp = Path(tempfile.mkdtemp(prefix="bansos-wrk-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = serve(db_name, port, tmp / "access.log")
    try:
        cookie = f"{VISIT_COOKIE}={token}"
        wrk(f"{base}/status", 2, connections, cookie)  # warm-up both workers
        wrk(f"{base}/bare/", 2, connections)
        (tmp / "access.log").write_text("")
        # Alternate the two in halves, so that a burst of other load on the machine falls on
        # both rather than on one of them.
        half = max(1, seconds // 2)
        bare = status = 0.0
        for _ in range(2):
            bare += wrk(f"{base}/bare/", half, connections) / 2
            status += wrk(f"{base}/status", half, connections, cookie) / 2
        time.sleep(0.5)  # the access log is written after each answer
        status_ms, statuses = _log_times(tmp / "access.log", "/status")
        bare_ms, _ = _log_times(tmp / "access.log", "/bare/")
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    if statuses != {"200"}:
        out(f"WARNING: /status answered {sorted(statuses)}: the visit was not live throughout")
    out(f"bare Flask endpoint: {bare:,.0f} requests/s (server median {bare_ms:.2f} ms)")
    out(f"kiosk status page:   {status:,.0f} requests/s (server median {status_ms:.1f} ms)")
    out(f"ratio status/bare: {status / bare:.3f} (target at least 0.15)")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    out(f"(wrk -t2 -c{connections}, {seconds} s each in two halves, headers {HEADERS})")
    out(f"load average after the run: {load} on {os.cpu_count()} cores")


def main() -> None:
    """Build or reuse the 100,000-household database, then measure."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--db", default="bansos_bench100k")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--members", type=int, default=5)
    parser.add_argument(
        "--no-gzip", action="store_true", help="ask for uncompressed answers, as a bare client"
    )
    args = parser.parse_args()
    if args.no_gzip:
        HEADERS.pop("Accept-Encoding")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: make system-deps installs it")
    app = ensure_registry(args.db, args.households)
    with app.app_context():
        ensure_answers()
        token = family_visit(args.members)
    figures = in_process(app, token)
    writes = [s for s in figures["statements"] if not s.lstrip().upper().startswith("SELECT")]
    print(
        f"status GET, family of {args.members}: {len(figures['statements'])} SQL statements, "
        f"{len(writes)} of them writes; in-process median {figures['/status']:.1f} ms "
        f"(bare Flask {figures['bare']:.2f} ms)"
    )
    measure(args.db, token, args.seconds, args.connections)


if __name__ == "__main__":
    main()
