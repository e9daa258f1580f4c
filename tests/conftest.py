"""Shared fixtures: one migrated database per session, emptied after every test."""

import html
import os
import re
import threading
import time
from datetime import date, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy.exc import OperationalError
from werkzeug.serving import make_server

from bansos_app import create_app
from bansos_app.extensions import db, limiter
from bansos_app.registry.models import Household


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The application on a fresh database built by the migrations (SQLite or DATABASE_URL)."""
    instance = tmp_path_factory.mktemp("instance")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'test.db'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "HUEY_IMMEDIATE": True,  # queued jobs run at once, in the test's process
            "VOUCHER_KEY_DIR": str(instance / "voucher-keys"),
            # A cheap scrypt cost: checks read the cost from each hash, so nothing else changes.
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        }
    )
    with app.app_context():
        upgrade()
        app.config["TEST_SEED_ROWS"] = _seeded_rows()
    yield app


# Rows the migrations seed (today's programs and rules): put back after each test empties
# the tables, so that every test starts from the database a fresh install has.
SEEDED_TABLES = ("program", "rule_version", "pkh_component")


def _seeded_rows() -> dict:
    return {
        name: [dict(row._mapping) for row in db.session.execute(db.metadata.tables[name].select())]
        for name in SEEDED_TABLES
    }


def _restore_seed(rows: dict) -> None:
    for name in SEEDED_TABLES:
        if rows[name]:
            db.session.execute(db.metadata.tables[name].insert(), rows[name])
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            db.text("SELECT setval('rule_version_id_seq', (SELECT max(id) FROM rule_version))")
        )
        db.session.execute(
            db.text("SELECT setval('pkh_component_id_seq', (SELECT max(id) FROM pkh_component))")
        )


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Empty every table and the rate limiter's memory after each test that used the app."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    # The limiter's storage is shared by the whole session; without the app it has none yet.
    limiter.reset()
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        _restore_seed(app.config["TEST_SEED_ROWS"])
        db.session.commit()


@pytest.fixture
def ctx(app):
    """An application context for service-level tests."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def regions(app):
    """Kabupaten Bengkulu Utara (17.03) with its kecamatan and villages."""
    from bansos_app.registry.regions import load_regions

    with app.app_context():
        load_regions("17.03")


@pytest.fixture
def demo(app):
    """A small deterministic demo registry with the three fixed households and demo accounts."""
    runner = app.test_cli_runner()
    # Without the demo tickets: ticket tests start from none (the queue tests add them).
    args = ["bansos", "demo-data", "--households", "40", "--seed", "3", "--no-tickets"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return result


def csrf_from(html: bytes | str) -> str:
    """Pull the CSRF token out of a rendered page."""
    text = html.decode() if isinstance(html, bytes) else html
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text) or re.search(
        r'"X-CSRFToken": "([^"]+)"', text
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


class AuthActions:
    """Log staff in and out through the real pages."""

    def __init__(self, client):
        self._client = client

    def login(self, username="operator", password="demo-operator"):
        page = self._client.get("/staf/masuk")
        return self._client.post(
            "/staf/masuk",
            data={"username": username, "password": password, "csrf_token": csrf_from(page.data)},
        )

    def logout(self):
        # Followed: a shop account's home redirects to its scan page.
        page = self._client.get("/staf/", follow_redirects=True)
        return self._client.post("/staf/keluar", data={"csrf_token": csrf_from(page.data)})


@pytest.fixture
def auth(client):
    """Login helper bound to the test client."""
    return AuthActions(client)


@pytest.fixture
def make_user(app, regions):
    """Factory: a staff account with a role and optional villages."""
    from bansos_app.auth.services import create_user

    def make(username="user1", role="operator_desa", villages=("17.03.12.2003",), password=None):
        with app.app_context():
            villages = villages if role in ("operator_desa", "pendamping") else ()
            user = create_user(None, username, password or f"{username}-pass-123", role, villages)
            return user.id

    return make


@pytest.fixture
def make_household(app, regions):
    """Factory: a household with a head, straight through the models."""
    from bansos_app.registry.identity import kk_for, nik_for
    from bansos_app.registry.models import Household, Person

    counter = {"n": 0}

    def make(village="17.03.12.2003", desil=3, status="active", members=1):
        counter["n"] += 1
        n = counter["n"]
        region6 = village.replace(".", "")[:6]
        with app.app_context():
            hh = Household(
                kk_number=kk_for(region6, date(2015, 1, 1), 500 + n),
                village_code=village,
                desil=desil,
                status=status,
            )
            for i in range(members):
                born = date(1980 + i, 1, 1)
                hh.members.append(
                    Person(
                        nik=nik_for(region6, born, "L", 900 + n * 10 + i),
                        name=f"Warga {n}-{i}",
                        birth_date=born,
                        sex="L",
                        relation="kepala" if i == 0 else "anak",
                    )
                )
            db.session.add(hh)
            db.session.commit()
            return hh.id

    return make


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole run (Playwright allows one per thread)."""
    from tests.browser import ARGS, CHROMIUM

    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def live_server(app):
    """The app served over HTTP on a free loopback port, for browser tests."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def page_text(response) -> str:
    """The response body as text."""
    return response.get_data(as_text=True)


def alerts(response) -> list[str]:
    """The texts of the role="alert" paragraphs, unescaped and with whitespace collapsed."""
    found = re.findall(r'<p class="alert" role="alert">(.*?)</p>', page_text(response), re.S)
    return [" ".join(html.unescape(a).split()) for a in found]


def run_at_once(app, count: int, action) -> list:
    """Call action(i) in `count` threads released together, each in its own app context.

    SQLite has one writer at a time: when its busy wait runs out ("database is locked") the
    thread rolls back and tries again, as a real caller would; PostgreSQL must never need to.
    Returns the results in completion order; any other error fails the calling test.
    """
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker(i: int) -> None:
        try:
            with app.app_context():
                barrier.wait()
                while True:
                    try:
                        results.append(action(i))
                        break
                    except OperationalError:
                        db.session.rollback()
                        if not sqlite:
                            raise
                        time.sleep(0.005)
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


@pytest.fixture
def make_voucher(app, make_household):
    """Factory: an issued voucher (and its period) straight through the models.

    Returns (voucher id, token, manual code). The period runs from a week ago to `ends_on`
    (by default a month ahead) unless one with the same program and label exists.
    """
    from bansos_app.vouchers.models import DistributionPeriod, Voucher
    from bansos_app.vouchers.tokens import code_hash, manual_code, sign_token

    def make(program="SEMBAKO", value=200_000, household_id=None, label="Uji", ends_on=None):
        household_id = household_id or make_household()
        today = date.today()
        with app.app_context():
            period = db.session.scalar(
                db.select(DistributionPeriod).filter_by(program_code=program, label=label)
            )
            if period is None:
                period = DistributionPeriod(
                    program_code=program,
                    label=label,
                    starts_on=today - timedelta(days=7),
                    ends_on=ends_on or today + timedelta(days=30),
                )
                db.session.add(period)
                db.session.flush()
            household = db.session.get(Household, household_id)
            code = manual_code(period.id, household_id)
            voucher = Voucher(
                period_id=period.id,
                household_id=household_id,
                program_code=program,
                village_code=household.village_code,
                value=value,
                balance=value,
                expires_on=period.ends_on,
                code_hash=code_hash(code),
            )
            db.session.add(voucher)
            db.session.commit()
            token = sign_token(voucher.id, program, value, period.ends_on)
            return voucher.id, token, code

    return make


@pytest.fixture
def make_merchant(app, make_user):
    """Factory: a shop of a kind in a village with its account; returns (id, username)."""
    from bansos_app.merchant.models import Merchant

    counter = {"n": 0}

    def make(kind="sembako", village="17.03.12.2003", username=None):
        counter["n"] += 1
        username = username or f"toko{counter['n']}"
        user_id = make_user(username, role="merchant", password=f"{username}-pass-123")
        with app.app_context():
            merchant = Merchant(
                name=f"Toko {counter['n']}", kind=kind, village_code=village, user_id=user_id
            )
            db.session.add(merchant)
            db.session.commit()
            return merchant.id, username

    return make
