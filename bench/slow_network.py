"""The kiosk on a 2G link: each step tap-to-painted, and the bytes of a repeat home visit.

Debian's Chromium (touch, 1280x800) against gunicorn with two workers on a throw-away SQLite
database, with the link emulated through the DevTools protocol: 300 ms round trip, 50 kbit/s
down, 25 kbit/s up. Targets: every step at most 1.5 s; a repeat home visit at most 1.5 KB.

Usage: python -m bench.slow_network [--runs N]
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LINK = {"latency": 300, "downloadThroughput": 50_000 / 8, "uploadThroughput": 25_000 / 8}
SRI = ("1703124107850001", "1703122003180001", "246810")
STEP_TARGET, HOME_BYTES_TARGET = 1.5, 1500


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _setup(tmp: Path) -> dict:
    """A migrated database with demo data and one registered kiosk; returns the env to serve."""
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
        "SECRET_KEY": "bench-secret",
        "RATELIMIT_STATUS_DEVICE": "1000 per minute",
        "RATELIMIT_PIN": "1000 per minute",
    }
    env.pop("REDIS_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for cmd in (["db", "upgrade"], ["bansos", "demo-data", "--households", "200"]):
        subprocess.run(flask + cmd, cwd=ROOT, env=env, check=True, capture_output=True)
    return env


def _enrolment_code(env: dict) -> str:
    script = (
        "from bansos_app import create_app\n"
        "from bansos_app.extensions import db\n"
        "from bansos_app.auth.models import User\n"
        "from bansos_app.kiosk.devices import register_device\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    op = db.session.query(User).filter_by(username='operator').one()\n"
        "    print(register_device(op, 'Kios bench', '17.03.12.2003', 80, 600)[1])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return out.stdout.decode().strip().splitlines()[-1]


def _serve(env: dict, port: int):
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def _painted(page) -> None:
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")


def _step(page, tap: str, done: str) -> float:
    """Seconds from the tap to the next screen painted."""
    start = time.perf_counter()
    page.tap(tap)
    page.wait_for_selector(done, state="visible")
    _painted(page)
    return time.perf_counter() - start


def _type_on_keypad(page, digits: str) -> None:
    for d in digits:
        page.tap(f'.kp-key[data-key="{d}"]')


def _walk(page, base: str) -> dict:
    """One resident: home → form → result (→ PIN) → home; seconds per step."""
    times = {}
    page.goto(base + "/")
    times["home → form"] = _step(page, ".choice-status", "#nik")
    if not page.is_visible("#kp"):
        page.tap("#nik")
    _type_on_keypad(page, SRI[0])
    page.tap("#kk")
    _type_on_keypad(page, SRI[1])
    times["submit → result"] = _step(page, "#status-form [type=submit]", "#status-title")
    if page.is_visible("#pin"):
        page.tap("#pin")
        _type_on_keypad(page, SRI[2])
        times["PIN → answer"] = _step(page, ".pin-form [type=submit]", "#vouchers .ok")
    times["Selesai → home"] = _step(
        page, 'form[action$="/kiosk/reset"] [type=submit]', ".choice-status"
    )
    return times


def _repeat_home_bytes(page, cdp, base: str) -> int:
    """Bytes on the wire (headers included) for one more visit to the kiosk home."""
    sizes, urls = {}, {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.setdefault(e["requestId"], e["request"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.setdefault(e["requestId"], e))
    page.goto(base + "/")
    page.wait_for_load_state("networkidle")
    for rid, event in sizes.items():
        path = urls.get(rid, {}).get("url", "?")[len(base) :]
        print(f"    {path}: {int(event['encodedDataLength'])} B received")
    return int(sum(e["encodedDataLength"] for e in sizes.values()))


def main() -> None:
    """Run the walk several times on the emulated link and print medians against targets."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bansos-2g-"))
    env = _setup(tmp)
    code = _enrolment_code(env)
    port = _free_port()
    proc = _serve(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True)
            page = context.new_page()
            page.goto(f"{base}/perangkat/daftar/{code}")
            page.click("button[type=submit]")
            page.wait_for_selector(".start-link")
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", {"offline": False, **LINK})
            _walk(page, base)  # the first visit fills the cache; it is not measured
            runs = [_walk(page, base) for _ in range(args.runs)]
            home_bytes = _repeat_home_bytes(page, cdp, base)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(
        f"Kiosk on 2G (300 ms RTT, 50/25 kbit/s), median of {args.runs} walks after a first visit:"
    )
    for step in runs[0]:
        median = statistics.median(r[step] for r in runs)
        worst = max(r[step] for r in runs)
        verdict = "ok" if median <= STEP_TARGET else "OVER"
        print(
            f"  {step:<16} {median:5.2f} s (worst {worst:.2f})  target ≤{STEP_TARGET} s  {verdict}"
        )
    if "PIN → answer" not in runs[0]:
        print("  PIN → answer     not asked: no voucher to print yet, so the kiosk asks no PIN")
    verdict = "ok" if home_bytes <= HOME_BYTES_TARGET else "OVER"
    print(
        f"  repeat home visit {home_bytes:,} B on the wire"
        f"  target ≤{HOME_BYTES_TARGET:,} B  {verdict}"
    )


if __name__ == "__main__":
    main()
