"""Time issuing one period's vouchers to 100,000 recipients on PostgreSQL (target: 30 s).

The database (DATABASE_URL, by default .../bansos_bench100k) is built or reused by
bench.scale; the bench puts the first 100,000 households that may receive vouchers on a
Sembako recipient list of its own, then opens a fresh period each run and issues it twice:
the first run issues every voucher, the second (idempotent) none.
Usage: python -m bench.issuance [--recipients 100000]
"""

import argparse
import os
import time
from datetime import date, timedelta

from sqlalchemy import delete, func, insert, literal, select

from bansos_app.eligibility.evaluation import local_today
from bansos_app.eligibility.recipient_models import Recipient, RecipientList
from bansos_app.extensions import db
from bansos_app.registry.models import Household
from bansos_app.vouchers.models import DistributionPeriod, Voucher
from bansos_app.vouchers.periods import NO_VOUCHER_STATUSES
from bansos_app.vouchers.services import issue_vouchers, open_period

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bansos_bench100k"
SK = "BENCH-ISSUANCE"
LABEL = "Bench issuance"


def ensure_recipients(n: int) -> RecipientList:
    """A Sembako list valid this year and next holding the first `n` households that qualify."""
    lst = db.session.scalar(select(RecipientList).where(RecipientList.sk_number == SK))
    if lst is not None:
        have = db.session.scalar(select(func.count()).where(Recipient.list_id == lst.id))
        if have == n:
            return lst
        db.session.execute(delete(Recipient).where(Recipient.list_id == lst.id))
    else:
        year = local_today().year
        lst = RecipientList(
            program_code="SEMBAKO",
            valid_from=date(year, 1, 1),
            valid_until=date(year + 1, 12, 31),
            sk_number=SK,
            sk_date=date(year, 1, 1),
            mode="all",
        )
        db.session.add(lst)
        db.session.flush()
    chosen = (
        select(
            literal(lst.id),
            Household.id,
            literal("SEMBAKO"),
            Household.village_code,
            literal("active"),
            Household.desil,
            literal("bench"),
        )
        .where(Household.status.not_in(NO_VOUCHER_STATUSES))
        .order_by(Household.id)
        .limit(n)
    )
    columns = ["list_id", "household_id", "program_code", "village_code", "state", "desil"]
    db.session.execute(insert(Recipient).from_select([*columns, "added_reason"], chosen))
    db.session.commit()
    return lst


def _fresh_period() -> DistributionPeriod:
    """Drop the bench's earlier periods and their vouchers, then open a new one."""
    old = select(DistributionPeriod.id).where(DistributionPeriod.label.like(LABEL + "%"))
    db.session.execute(delete(Voucher).where(Voucher.period_id.in_(old)))
    db.session.execute(delete(DistributionPeriod).where(DistributionPeriod.id.in_(old)))
    # Any other Sembako period overlapping today would refuse the new one: start after them.
    last = db.session.scalar(
        select(func.max(DistributionPeriod.ends_on)).where(
            DistributionPeriod.program_code == "SEMBAKO"
        )
    )
    db.session.commit()
    start = max(local_today(), (last or local_today()) + timedelta(days=1))
    return open_period(None, "SEMBAKO", f"{LABEL} {start}", start, start + timedelta(days=30))


def run(app, recipients: int = 100_000, out=print) -> dict:
    """Issue a fresh period to `recipients` households, then again; print and return seconds."""
    with app.test_request_context():
        ensure_recipients(recipients)
        period = _fresh_period()
        started = time.perf_counter()
        issued = issue_vouchers(period, None)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = issue_vouchers(period, None)
        second = time.perf_counter() - started
        dialect = db.engine.dialect.name
    verdict = "ok" if first <= 30 else "OVER the 30 s target"
    out(
        f"issue vouchers to {issued:,} recipients ({dialect}): {first:.1f} s "
        f"({verdict}); second run issues {again}: {second:.1f} s"
    )
    return {"issued": issued, "seconds": first, "again": again, "again_seconds": second}


def main() -> None:
    """Build or reuse the bench database, then time the issuance."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=100_000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    server, name = url.rsplit("/", 1)
    os.environ["BENCH_PG"] = server
    from .scale import ensure_registry

    # A tenth more households than recipients: blocked and inactive ones are left out.
    app = ensure_registry(name, args.recipients + args.recipients // 10)
    run(app, args.recipients)


if __name__ == "__main__":
    main()
