"""Time fixing recipient lists and the staff home's figures on the 250,000-household registry.

Run after `bench.issue7` (it needs the stored answers that benchmark leaves behind).
Usage: python -m bench.penetapan [--db bansos_bench] [--households 250000]
"""

import argparse
import statistics
import time
from datetime import date

from sqlalchemy import func, select

from bansos_app.admin.services import home_figures
from bansos_app.auth.models import User
from bansos_app.auth.services import create_user
from bansos_app.eligibility.models import Eligibility, Program
from bansos_app.eligibility.recipient_lists import fix_recipient_list
from bansos_app.eligibility.recipient_models import Recipient
from bansos_app.extensions import db
from bansos_app.registry.models import Household

from .issue7 import bench_user


def _forget_lists() -> None:
    """Start from no recipient lists, so every run fixes the same ones."""
    for table in ("recipient", "village_quota", "recipient_list"):
        db.session.execute(db.metadata.tables[table].delete())
    db.session.commit()


def _village_user() -> User:
    """An operator of the two villages with the most households."""
    user = db.session.scalar(select(User).where(User.username == "bench-operator"))
    if user is None:
        codes = db.session.scalars(
            select(Household.village_code)
            .group_by(Household.village_code)
            .order_by(func.count().desc())
            .limit(2)
        ).all()
        user = create_user(None, "bench-operator", "bench-operator-pass", "operator_desa", codes)
        db.session.commit()
    return user


def _median_s(action, times: int = 5) -> float:
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        action()
        spent.append(time.perf_counter() - started)
        db.session.rollback()
    return statistics.median(spent)


def run(app, out=print) -> None:
    """Fix one list per program (every eligible household), then time the home figures."""
    with app.app_context():
        if not db.session.scalar(select(func.count()).select_from(Eligibility)):
            out("no stored answers: run bench.issue7 first")
            return
        _forget_lists()
        year = date.today().year
        for code in db.session.scalars(select(Program.code).order_by(Program.sort_order)).all():
            started = time.perf_counter()
            start, end = date(year, 1, 1), date(year, 12, 31)
            fix_recipient_list(None, code, start, end, f"BENCH-{code}", start, "all")
            spent = time.perf_counter() - started
            taken = select(func.count()).where(Recipient.program_code == code)
            count = db.session.scalar(taken)
            out(f"fix recipient list {code}, every eligible household ({count:,}): {spent:.1f} s")
        dinsos, operator = bench_user(), _village_user()
        for who, user in (
            ("Dinsos, per kecamatan", dinsos),
            ("operator of two villages", operator),
        ):
            spent = _median_s(lambda user=user: home_figures(user))
            out(f"staff home figures, {who}: median {spent:.2f} s of 5")


def main() -> None:
    """Reuse the benchmark registry and print the figures."""
    from .scale import ensure_registry

    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=250_000)
    parser.add_argument("--db", default="bansos_bench")
    args = parser.parse_args()
    run(ensure_registry(args.db, args.households, False))


if __name__ == "__main__":
    main()
