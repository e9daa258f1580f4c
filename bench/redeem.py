"""Shop redemptions per second: gunicorn (several workers) on PostgreSQL, 8 concurrent clients.

A fresh database is built by the migrations with N households, a Sembako period, one voucher
per household and a shop. Each client (its own process) logs in once as the shop, then posts
`/toko/tukar` (token, amount, idempotency key, CSRF) as fast as the server answers, Rp1.000 at
a time on vouchers of its own; with --verify every redemption is preceded by `/toko/periksa`
(as htmx asks for it).
Afterwards the ledger is checked: the redemptions counted by the clients are in it exactly
once and every voucher's balance equals its value minus its redemptions. Target: 200/s.

Usage: python -m bench.redeem [--households 2000] [--db bansos_bench_redeem] [--seconds 10]
       [--clients 8] [--workers 4] [--verify]
"""

import argparse
import http.client
import multiprocessing
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bansos_app.extensions import db

from .kiosk_wrk import _free_port
from .scale import SERVER, create_database, database_url

ROOT = Path(__file__).resolve().parents[1]
USERNAME, PASSWORD = "bench_toko", "bench-toko-pass-1"
AMOUNT = 1_000
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def build(name: str, households: int):
    """A fresh database with households, a Sembako period, a voucher each and a shop."""
    from flask_migrate import upgrade

    from bansos_app import create_app
    from bansos_app.auth.services import create_user
    from bansos_app.merchant.models import Merchant
    from bansos_app.registry.models import Household
    from bansos_app.vouchers.models import DistributionPeriod, Voucher
    from bansos_app.vouchers.tokens import code_hash, manual_code, sign_token

    from .scale import load_households

    create_database(name, fresh=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(name), "SECRET_KEY": "bench-secret"})
    with app.app_context():
        upgrade()
        load_households(households)
        today = date.today()
        period = DistributionPeriod(
            program_code="SEMBAKO",
            label="Bench",
            starts_on=today - timedelta(days=1),
            ends_on=today + timedelta(days=30),
        )
        db.session.add(period)
        db.session.flush()
        rows = db.session.execute(select(Household.id, Household.village_code)).all()
        vouchers = [
            Voucher(
                period_id=period.id,
                household_id=hid,
                program_code="SEMBAKO",
                village_code=village,
                value=200_000,
                balance=200_000,
                expires_on=period.ends_on,
                code_hash=code_hash(manual_code(period.id, hid)),
            )
            for hid, village in rows
        ]
        db.session.add_all(vouchers)
        user = create_user(None, USERNAME, PASSWORD, "merchant")
        db.session.add(
            Merchant(name="Bench", kind="sembako", village_code=rows[0][1], user_id=user.id)
        )
        db.session.commit()
        tokens = [sign_token(v.id, "SEMBAKO", v.value, v.expires_on) for v in vouchers]
    return app, tokens


def serve(name: str, port: int, workers: int) -> subprocess.Popen:
    """gunicorn with the project's config and `workers` workers; wait until it answers."""
    env = os.environ | {
        "DATABASE_URL": f"{SERVER}/{name}",
        "SECRET_KEY": "bench-secret",
        "WEB_CONCURRENCY": str(workers),
        "RATELIMIT_LOGIN": "1000 per minute",
    }
    env.pop("REDIS_URL", None)
    cmd = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", str(workers)]
    cmd += ["-b", f"127.0.0.1:{port}", "wsgi:app"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("gunicorn did not start")


class Shop:
    """One counter: a kept-alive connection and the shop's session cookie."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""

    def request(self, method: str, path: str, fields: dict | None = None, htmx=False):
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if htmx:
            headers["HX-Request"] = "true"
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith("session="):
                self.cookie = header.split(";", 1)[0]
        return response.status, data.decode()

    def login(self) -> str:
        """Log in as the shop; return the CSRF token of its scan page."""
        _status, page = self.request("GET", "/staf/masuk")
        csrf = CSRF.search(page).group(1)
        fields = {"username": USERNAME, "password": PASSWORD, "csrf_token": csrf}
        status, _ = self.request("POST", "/staf/masuk", fields)
        assert status == 303, f"login answered {status}"
        _status, page = self.request("GET", "/toko/")
        return CSRF.search(page).group(1)


def client(port, tokens, seconds, verify, start_at, queue) -> None:
    """Redeem Rp1.000 at a time over this client's vouchers until the time is up."""
    shop = Shop(port)
    csrf = shop.login()
    while time.time() < start_at:
        time.sleep(0.001)
    done, refused, i = 0, 0, 0
    ends = start_at + seconds
    while time.time() < ends:
        token = tokens[i % len(tokens)]
        i += 1
        if verify:
            # As the page's htmx asks: only the work area comes back.
            status, _ = shop.request(
                "POST", "/toko/periksa", {"csrf_token": csrf, "token": token}, htmx=True
            )
            assert status == 200, f"verify answered {status}"
        fields = {
            "csrf_token": csrf,
            "token": token,
            "amount": str(AMOUNT),
            "idempotency_key": secrets.token_hex(16),
        }
        status, _ = shop.request("POST", "/toko/tukar", fields)
        if status == 303:
            done += 1
        else:
            refused += 1
    queue.put((done, refused))


def check_ledger(app, expected: int) -> str:
    """Every counted redemption is in the ledger once and every balance adds up."""
    from bansos_app.vouchers.models import Redemption, Voucher

    with app.app_context():
        count, total = db.session.execute(
            select(func.count(Redemption.id), func.coalesce(func.sum(Redemption.amount), 0))
        ).one()
        spent = db.session.scalar(select(func.sum(Voucher.value - Voucher.balance)))
        keys = db.session.scalar(select(func.count(func.distinct(Redemption.idempotency_key))))
    ok = count == expected == keys and total == spent == expected * AMOUNT
    return f"ledger {'OK' if ok else 'MISMATCH'}: {count} redemptions, Rp{total:,} taken"


def main() -> None:
    """Build, serve, run the clients and print redemptions per second."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--db", default="bansos_bench_redeem")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--verify", action="store_true", help="verify before every redemption")
    args = parser.parse_args()
    app, tokens = build(args.db, args.households)
    port = _free_port()
    proc = serve(args.db, port, args.workers)
    try:
        queue = multiprocessing.Queue()
        start_at = time.time() + 3  # every client logged in before the clock starts
        shares = [tokens[i :: args.clients] for i in range(args.clients)]
        procs = [
            multiprocessing.Process(
                target=client, args=(port, share, args.seconds, args.verify, start_at, queue)
            )
            for share in shares
        ]
        for p in procs:
            p.start()
        results = [queue.get() for _ in procs]
        for p in procs:
            p.join()
    finally:
        proc.terminate()
        proc.wait(10)
    done = sum(r[0] for r in results)
    refused = sum(r[1] for r in results)
    mode = "verify + redeem" if args.verify else "redeem only"
    print(
        f"shop redemptions ({mode}), {args.clients} clients, gunicorn {args.workers} workers, "
        f"PostgreSQL: {done / args.seconds:,.0f} redemptions/s over {args.seconds} s "
        f"({done} done, {refused} refused; target at least 200/s)"
    )
    print(check_ledger(app, done))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average after the run: {load} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
