"""Vouchers: issue a period's vouchers to the recipients, expiry; periods and voiding re-exported.

Issuance is set-based: the candidates come from one SELECT, their manual-code hashes are
computed in Python (HMAC needs the key, which the database never sees) and the rows go in
by batches with ON CONFLICT DO NOTHING, so that a second run, or two at once, issues nothing
twice.
"""

from collections.abc import Callable
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from ..audit.services import record
from ..eligibility.evaluation import local_today
from ..extensions import db
from ..locking import lock_row
from ..models_base import utcnow
from . import tokens
from .models import DistributionPeriod, Voucher
from .periods import (  # noqa: F401 - the package's services in one place
    PeriodError,
    candidates,
    issuance_preview,
    list_periods,
    open_period,
    period_figures,
    value_on,
    voucher_programs,
)
from .voiding import void_unspent  # noqa: F401

BATCH = 5000


def is_expired(voucher: Voucher, today: date | None = None) -> bool:
    """Whether the voucher is past the end of its last day (in WIB)."""
    return (today or local_today()) > voucher.expires_on


def _count(period_id: int) -> int:
    return db.session.scalar(select(func.count()).where(Voucher.period_id == period_id))


def issue_vouchers(period: DistributionPeriod, actor, progress: Callable | None = None) -> int:
    """Issue the period's vouchers to every recipient without one; return how many are new.

    Audited as one event with the counts and committed; a second run issues nothing new.
    """
    progress = progress or (lambda done, total: None)
    period = lock_row(DistributionPeriod, period.id)  # one issuance of a period at a time
    value = value_on(period.program_code, period.starts_on)
    if value is None:
        db.session.rollback()
        raise PeriodError(
            _l("Program ini belum punya nilai per penyaluran pada tanggal mulai."), "period"
        )
    before = _count(period.id)
    rows = db.session.execute(candidates(period).order_by("household_id")).all()
    total = len(rows)
    progress(0, total)
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(Voucher.__table__).on_conflict_do_nothing()
    now = utcnow()
    common = {
        "period_id": period.id,
        "program_code": period.program_code,
        "value": value,
        "balance": value,
        "state": "active",
        "expires_on": period.ends_on,
        "issued_at": now,
        "print_count": 0,
        "void_reason": "",
    }
    for start in range(0, total, BATCH):
        batch = rows[start : start + BATCH]
        params = [
            {
                **common,
                "household_id": household_id,
                "village_code": village_code,
                "code_hash": tokens.code_hash(tokens.manual_code(period.id, household_id)),
            }
            for household_id, village_code in batch
        ]
        db.session.execute(insert, params)
        progress(start + len(batch), total)
    after = _count(period.id)
    issued = after - before
    period.issued_at, period.issued_count = now, after
    record(
        actor,
        "vouchers.issued",
        period,
        program=period.program_code,
        label=period.label,
        issued=issued,
        total=after,
        value=value,
        rupiah=issued * value,
    )
    db.session.commit()
    return issued
