"""Measure demo-data load time, status render time and kiosk transfer sizes on 100,000 households.

Usage: python -m bench.run [--households N] [--samples N]
"""

import argparse
import gzip
import re
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select

from bansos_app import create_app
from bansos_app.extensions import db
from bansos_app.kiosk.devices import enrol_device, register_device
from bansos_app.registry.models import Household, Person


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, 6))


def _csrf(html: bytes) -> str:
    return re.search(rb'"X-CSRFToken": "([^"]+)"', html).group(1).decode()


def main() -> None:
    """Run every measurement and print one line per figure."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bansos-bench-"))
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}", "RATELIMIT_ENABLED": False}
    )
    with app.app_context():
        upgrade()
    runner = app.test_cli_runner()
    started = time.perf_counter()
    result = runner.invoke(args=["bansos", "demo-data", "--households", str(args.households)])
    assert result.exit_code == 0, result.output
    print(f"demo-data load, {args.households:,} households: {time.perf_counter() - started:.1f} s")

    with app.app_context():
        from bansos_app.auth.models import User

        admin = db.session.scalar(select(User).where(User.username == "dinsos"))
        device, code = register_device(admin, "Bench kiosk", "17.03.12.2003", 80, 60)
        _, device_token = enrol_device(code)
        pairs = db.session.execute(
            select(Person.nik, Household.kk_number)
            .join(Household, Household.id == Person.household_id)
            .where(Person.relation == "kepala")
            .order_by(Household.id)
            .limit(args.samples * 50)
        ).all()[::50]
    _status_times(app, pairs, device_token)
    _sizes(app, device_token, pairs[0])


def _status_times(app, pairs, device_token) -> None:
    """Median server time of the status check (POST) and the status page (GET)."""
    client = app.test_client()
    client.set_cookie("bansos_kiosk", device_token)
    token = _csrf(client.get("/cek-status").data)
    post_ms, get_ms = [], []
    for nik, kk in pairs:
        t0 = time.perf_counter()
        r = client.post(
            "/cek-status",
            data={"nik": nik, "kk": kk, "csrf_token": token},
            headers={"HX-Request": "true"},
        )
        post_ms.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, r.status_code
        t0 = time.perf_counter()
        r = client.get("/status", headers={"HX-Request": "true"})
        get_ms.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200
    print(
        f"status check POST (query + visit + audit + render), median of {len(pairs)}: "
        f"{statistics.median(post_ms):.1f} ms (p95 {sorted(post_ms)[int(len(post_ms) * 0.95)]:.1f})"
    )
    print(
        f"status result GET (render for a live visit), median of {len(pairs)}: "
        f"{statistics.median(get_ms):.1f} ms (p95 {sorted(get_ms)[int(len(get_ms) * 0.95)]:.1f})"
    )


def _sizes(app, device_token, pair) -> None:
    """Compressed bytes of a first kiosk visit and of each htmx fragment."""
    for label, cookie in (("enrolled kiosk", device_token), ("phone", None)):
        client = app.test_client()
        if cookie:
            client.set_cookie("bansos_kiosk", cookie)
        home = client.get("/")
        html = home.get_data()
        assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)
        total = _gz(html)
        parts = [f"html {_gz(html)}"]
        for path in assets:
            body = client.get(path.decode()).get_data()
            total += _gz(body)
            parts.append(f"{path.decode().rsplit('/', 1)[-1]} {_gz(body)}")
        print(
            f"first visit to kiosk home ({label}), gzip: {total / 1024:.1f} KB ({', '.join(parts)})"
        )
    client = app.test_client()
    client.set_cookie("bansos_kiosk", device_token)
    token = _csrf(client.get("/cek-status").data)
    hx = {"HX-Request": "true"}
    nik, kk = pair
    frags = {
        "status result": client.post(
            "/cek-status", data={"nik": nik, "kk": kk, "csrf_token": token}, headers=hx
        ),
        "PIN wrong": client.post(
            "/status/pin", data={"pin": "000000", "csrf_token": token}, headers=hx
        ),
        "form error": client.post(
            "/cek-status", data={"nik": "123", "kk": kk, "csrf_token": token}, headers=hx
        ),
    }
    for name, r in frags.items():
        print(
            f"htmx fragment '{name}' ({r.status_code}), gzip: {_gz(r.get_data())} bytes "
            f"(raw {len(r.get_data())})"
        )


if __name__ == "__main__":
    main()
