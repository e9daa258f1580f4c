"""The app as deployed: gunicorn with two workers behind real TLS, driven by Debian's Chromium.

The last review found every form failing over HTTPS while plain-HTTP tests stayed green, so
the resident's status check, the PIN and the staff login run here through a throw-away
certificate. CI runs this file on SQLite and again on PostgreSQL.
"""

import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser import needs_chromium

ROOT = Path(__file__).resolve().parents[1]
SRI = ("1703124107850001", "1703122003180001")

trustme = pytest.importorskip("trustme")
pytestmark = needs_chromium


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, ca_file: Path, proc) -> None:
    context = ssl.create_default_context(cafile=str(ca_file))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited early")
        try:
            with urllib.request.urlopen(url + "/healthz", context=context, timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s")


@pytest.fixture
def https_server(app, demo, tmp_path):
    """gunicorn -w 2 with a trustme certificate on the test database; yields its base URL."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file, ca_file = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    ca.cert_pem.write_to_path(str(ca_file))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env |= {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],  # the demo PIN is peppered with it
        # The demo's vouchers were issued with the test app's keys: the servers sign with them.
        "VOUCHER_KEY_DIR": app.config["VOUCHER_KEY_DIR"],
        "SESSION_COOKIE_SECURE": "1",
        "TRUSTED_HOSTS": "127.0.0.1,localhost",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}"]
            + ["--certfile", str(cert_file), "--keyfile", str(key_file), "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"https://127.0.0.1:{port}"
    try:
        _wait_until_up(base, ca_file, proc)
        yield base, log
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def page(browser, https_server):
    """A phone-sized Chromium page that accepts the throw-away certificate."""
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 360, "height": 740})
    yield context.new_page()
    context.close()


def test_status_pin_and_staff_login_work_over_https(https_server, page):
    base, log = https_server
    page.goto(f"{base}/cek-status")
    page.fill("#nik", SRI[0])
    page.fill("#kk", SRI[1])
    page.locator("#status-form [type=submit]").click()
    page.wait_for_url(f"{base}/status")
    assert "Sri Wahyuni" in page.inner_text("main")

    # The PIN form appears only when there is something to print; post it as the page would,
    # a real browser form post with the page's own token.
    with page.expect_navigation() as nav:
        page.evaluate(
            """() => {
              const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
              const f = document.createElement('form');
              f.method = 'post';
              f.action = '/status/pin';
              for (const [k, v] of [['csrf_token', token], ['pin', '246810']]) {
                const i = document.createElement('input');
                i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);
              }
              document.body.appendChild(f);
              f.submit();
            }"""
        )
    assert nav.value.status in (200, 303)
    assert "kedaluwarsa" not in page.content()

    page.goto(f"{base}/staf/masuk")
    page.fill("#username", "operator")
    page.fill("#password", "demo-operator")
    page.locator("form [type=submit]").first.click()
    page.wait_for_url(f"{base}/staf/")
    assert "Selamat datang" in page.inner_text("main")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["session"]["secure"]

    # Two workers and no Redis: the operator is told at start that limits are per worker.
    assert "no REDIS_URL" in log.read_text()


def test_a_form_post_from_another_site_is_refused_over_https(https_server, page):
    """The same-origin check still holds in a real browser: a cross-site post gets 400."""
    base, log = https_server
    page.goto(f"{base}/cek-status")
    token = page.evaluate(
        "() => JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken']"
    )
    # A page that is not ours (here a blank one, no CSP of ours) hosts the attacking form.
    page.goto("about:blank")
    page.set_content(
        f"""<form method="post" action="{base}/cek-status">
        <input name="csrf_token" value="{token}"><input name="nik" value="{SRI[0]}">
        <input name="kk" value="{SRI[1]}"><button>go</button></form>"""
    )
    with page.expect_navigation() as nav:
        page.click("button")
    assert nav.value.status == 400
    assert "Sri Wahyuni" not in page.content()
    # Refused by the same-origin guard itself, before the form token is even looked at.
    base_log = log.read_text()
    assert "refused POST /cek-status over HTTPS: not from this site" in base_log
