"""Checks for the kiosk device set-up in kiosk/ (launcher, installer, Chromium policy).

Everything runs the real scripts with subprocess; the last test starts Debian's Chromium
headless with the launcher's own flag list against the running app (``live_server``).
"""

import http.server
import json
import os
import shutil
import stat
import subprocess
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
KIOSK = REPO / "kiosk"
LAUNCHER = KIOSK / "bansos-kiosk-launcher"
INSTALL = KIOSK / "install.sh"
POLICY = KIOSK / "policies" / "bansos-kiosk.json"
CHROMIUM = Path("/usr/bin/chromium")

REQUIRED_FLAGS = [
    "--kiosk",
    "--kiosk-printing",
    "--noerrdialogs",
    "--disable-pinch",
    "--overscroll-history-navigation=0",
    "--disable-session-crashed-bubble",
]


def clean_env(**extra):
    """Environment without the developer's Wayland session or a kiosk.env override."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"WAYLAND_DISPLAY", "BANSOS_KIOSK_ENV", "BANSOS_KIOSK_FLAGS", "CHROMIUM"}
    }
    # Point at a file that does not exist, so a kiosk.env installed on this machine
    # cannot change what the tests see.
    env["BANSOS_KIOSK_ENV"] = "/nonexistent/kiosk.env"
    env.update(extra)
    return env


def launcher_flags():
    out = subprocess.run(
        ["bash", str(LAUNCHER), "--print-flags"],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    return out.split()


def test_shellcheck_passes():
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed")
    result = subprocess.run(
        [shellcheck, str(LAUNCHER), str(INSTALL)],
        cwd=KIOSK,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_policy_is_valid_json():
    policy = json.loads(POLICY.read_text())
    assert policy["TranslateEnabled"] is False
    assert policy["PrintingPaperSizeDefault"]["custom_size"]["width"] == 80000
    # Chromium wants this one as a JSON *string*; it must parse too.
    selection = json.loads(policy["DefaultPrinterSelection"])
    assert selection["namePattern"] == "bansos-receipt"


def test_print_flags_lists_the_kiosk_flags():
    flags = launcher_flags()
    for flag in REQUIRED_FLAGS:
        assert flag in flags
    # The URL comes from kiosk.env, never from the flags file.
    assert not [f for f in flags if "://" in f]


def _readable_by_everyone(path):
    for part in [path, *path.parents]:
        mode = part.stat().st_mode
        if not mode & (stat.S_IXOTH if part.is_dir() else stat.S_IROTH):
            return False
    return True


def test_install_dry_run_needs_no_root():
    cmd = ["bash", str(INSTALL), "--dry-run", "--url", "http://x/", "--paper", "58"]
    # When the tests run as root, drop to "nobody" to prove --dry-run needs no root.
    if os.geteuid() == 0 and shutil.which("setpriv") and _readable_by_everyone(INSTALL):
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    result = subprocess.run(cmd, env=clean_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert '"width": 58000' in result.stdout
    assert '"http://x"' in result.stdout


class _OkHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


FAKE_CHROMIUM = """#!/bin/bash
# Records its arguments and whether the profile dir exists; the second start stops
# the launcher the way systemd would (SIGTERM) while the "browser" still runs.
log=$(dirname "$0")
n=$(($(ls "$log" | grep -c '^start\\.') + 1))
for a; do
    case $a in --user-data-dir=*) [ -d "${a#*=}" ] && echo "${a#*=}" >"$log/profile.$n" ;; esac
done
printf '%s\\n' "$@" >"$log/start.$n"
if [ "$n" -ge 2 ]; then kill -TERM "$PPID"; exec sleep 30; fi
"""


def test_launcher_restarts_browser_with_fresh_profiles(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _OkHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    logdir = tmp_path / "log"
    logdir.mkdir()
    fake = logdir / "fake-chromium"
    fake.write_text(FAKE_CHROMIUM)
    fake.chmod(0o755)
    runtime = tmp_path / "run"
    runtime.mkdir()
    env_file = tmp_path / "kiosk.env"
    env_file.write_text(
        f"KIOSK_URL='{base}/'\n"
        f"KIOSK_ENROL_URL='{base}/kiosk/enrol/secret'\n"
        f"CHROMIUM='{fake}'\n"
        "RESTART_PAUSE=0\n"
    )
    try:
        result = subprocess.run(
            ["bash", str(LAUNCHER)],
            env=clean_env(BANSOS_KIOSK_ENV=str(env_file), XDG_RUNTIME_DIR=str(runtime)),
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        server.shutdown()
        server.server_close()

    assert result.returncode == 143, result.stderr  # stopped by SIGTERM, like systemd does
    starts = [(logdir / f"start.{n}").read_text().splitlines() for n in (1, 2)]
    profiles = [(logdir / f"profile.{n}").read_text().strip() for n in (1, 2)]
    for args in starts:
        assert args[-1] == f"{base}/kiosk/enrol/secret"  # the enrolment link opens first
        assert set(REQUIRED_FLAGS) <= set(args)
    # A new profile on the runtime tmpfs for each start, and nothing left behind.
    assert profiles[0] != profiles[1]
    assert all(Path(p).parent == runtime for p in profiles)
    assert list(runtime.iterdir()) == []


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_headless_chromium_renders_home_with_launcher_flags(live_server, tmp_path):
    # Keep every kiosk flag; only the Wayland/Ozone ones cannot work without a display.
    flags = [
        f
        for f in launcher_flags()
        if not f.startswith("--ozone-platform") and f != "--enable-features=UseOzonePlatform"
    ]
    cmd = [
        str(CHROMIUM),
        *flags,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--dump-dom",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        live_server.rstrip("/") + "/",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Cek Status" in result.stdout
