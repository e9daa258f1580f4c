"""Distribution periods: open one, preview its issuance per village, sum up its vouchers."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, select

from ..audit.services import record
from ..eligibility.evaluation import rules_in_force
from ..eligibility.models import Program
from ..eligibility.recipient_models import Recipient, RecipientList
from ..extensions import db
from ..locking import lock_row
from ..registry.models import Household, Region
from .models import DistributionPeriod, Voucher

# A household with one of these statuses gets no new voucher (and loses its unspent ones).
NO_VOUCHER_STATUSES = ("blocked", "inactive")
MAX_LABEL = 60


class PeriodError(ValueError):
    """Bad input for a period: a message for the user and the field it concerns."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)  # lazy: turned into text in the user's language
        self.message, self.field = message, field


def voucher_programs() -> list[Program]:
    """The programs paid as vouchers (Sembako, LPG, Listrik), in their usual order."""
    query = select(Program).where(Program.kind == "voucher")
    return db.session.scalars(query.order_by(Program.sort_order, Program.code)).all()


def value_on(program_code: str, day: date) -> int | None:
    """Rupiah per distribution under the program's rule in force on the day (None: no rule)."""
    version = rules_in_force(day).get(program_code)
    return version.amount if version is not None and version.amount else None


# A distribution is a quarter or so; a year is ample, and keeps expiry inside the token's range.
MAX_DAYS = 366


def open_period(actor, program_code, label, starts_on, ends_on) -> DistributionPeriod:
    """Open a distribution period of a voucher program; audited and committed."""
    # The program row is locked: two periods opened at once (a double click) are checked for
    # a taken label and overlapping dates one after the other, not both against the old state.
    program = lock_row(Program, program_code or "") if program_code else None
    label = " ".join((label or "").split())
    if program is None or program.kind != "voucher":
        raise PeriodError(_l("Pilih program voucher (Sembako, LPG atau Listrik)."), "program")
    if not label:
        raise PeriodError(_l("Isi nama periode, misalnya 2026 Tahap 4."), "label")
    if len(label) > MAX_LABEL:
        raise PeriodError(_l("Nama periode paling banyak %(n)d huruf.", n=MAX_LABEL), "label")
    if starts_on is None:
        raise PeriodError(_l("Isi tanggal mulai."), "starts_on")
    if ends_on is None:
        raise PeriodError(_l("Isi tanggal berakhir."), "ends_on")
    if ends_on < starts_on:
        raise PeriodError(_l("Tanggal berakhir tidak boleh sebelum tanggal mulai."), "ends_on")
    if (ends_on - starts_on).days > MAX_DAYS:
        raise PeriodError(_l("Satu periode paling lama satu tahun."), "ends_on")
    same = DistributionPeriod.program_code == program.code
    taken = select(DistributionPeriod.id).where(same, DistributionPeriod.label == label)
    if db.session.scalar(taken):
        raise PeriodError(_l("Program ini sudah punya periode dengan nama itu."), "label")
    overlap = db.session.scalar(
        select(DistributionPeriod).where(
            same, DistributionPeriod.starts_on <= ends_on, DistributionPeriod.ends_on >= starts_on
        )
    )
    if overlap is not None:
        raise PeriodError(
            _l("Tanggalnya bertumpang tindih dengan periode %(label)s.", label=overlap.label),
            "starts_on",
        )
    if value_on(program.code, starts_on) is None:
        raise PeriodError(
            _l("Program ini belum punya nilai per penyaluran pada tanggal mulai."), "starts_on"
        )
    period = DistributionPeriod(
        program_code=program.code,
        label=label,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(period)
    db.session.flush()
    record(
        actor,
        "vouchers.period_opened",
        period,
        program=program.code,
        label=label,
        starts_on=starts_on.isoformat(),
        ends_on=ends_on.isoformat(),
    )
    db.session.commit()
    return period


def recipients_on(period: DistributionPeriod):
    """Select (household id, village) of the recipients due a voucher in the period, once each.

    A recipient on a list valid on the period's first day, active, of a household that is
    neither blocked nor inactive.
    """
    return (
        select(Recipient.household_id, Recipient.village_code)
        .join(RecipientList, Recipient.list_id == RecipientList.id)
        .join(Household, Household.id == Recipient.household_id)
        .where(
            Recipient.program_code == period.program_code,
            Recipient.state == "active",
            RecipientList.valid_from <= period.starts_on,
            RecipientList.valid_until >= period.starts_on,
            Household.status.not_in(NO_VOUCHER_STATUSES),
        )
        .distinct()
    )


def _has_voucher(period_id: int, household_id):
    return exists().where(Voucher.period_id == period_id, Voucher.household_id == household_id)


def candidates(period: DistributionPeriod):
    """Select the recipients due a voucher in the period that do not have one yet."""
    due = recipients_on(period).subquery()
    return select(due.c.household_id, due.c.village_code).where(
        ~_has_voucher(period.id, due.c.household_id)
    )


@dataclass
class PreviewRow:
    """One village's line of an issuance preview."""

    village_code: str
    name: str
    households: int = 0  # to receive a new voucher
    rupiah: int = 0
    already: int = 0  # have their voucher for this period already


@dataclass
class Preview:
    """What issuing a period would do, per village and in total."""

    value: int | None
    rows: list = field(default_factory=list)

    @property
    def households(self) -> int:
        """New vouchers in total."""
        return sum(r.households for r in self.rows)

    @property
    def rupiah(self) -> int:
        """Rupiah of the new vouchers in total."""
        return sum(r.rupiah for r in self.rows)

    @property
    def already(self) -> int:
        """Recipients that have their voucher already."""
        return sum(r.already for r in self.rows)


def issuance_preview(period: DistributionPeriod, village_codes=None) -> Preview:
    """Per village (within `village_codes`, None: all): households and rupiah to issue."""
    value = value_on(period.program_code, period.starts_on)
    due = recipients_on(period).subquery()
    has = _has_voucher(period.id, due.c.household_id)
    query = (
        select(
            due.c.village_code,
            Region.name,
            func.sum(case((has, 0), else_=1)),
            func.sum(case((has, 1), else_=0)),
        )
        .join(Region, Region.code == due.c.village_code)
        .group_by(due.c.village_code, Region.name)
        .order_by(due.c.village_code)
    )
    if village_codes is not None:
        query = query.where(due.c.village_code.in_(village_codes))
    preview = Preview(value)
    for code, name, new, already in db.session.execute(query):
        new, already = int(new or 0), int(already or 0)
        preview.rows.append(PreviewRow(code, name, new, new * (value or 0), already))
    return preview


def period_figures(village_codes=None) -> dict[int, dict]:
    """Per period id: vouchers active, spent and voided, and rupiah issued and unspent."""
    query = select(
        Voucher.period_id,
        func.sum(case((Voucher.state == "active", 1), else_=0)),
        func.sum(case((Voucher.state == "spent", 1), else_=0)),
        func.sum(case((Voucher.state == "voided", 1), else_=0)),
        func.sum(Voucher.value),
        func.sum(case((Voucher.state == "active", Voucher.balance), else_=0)),
    ).group_by(Voucher.period_id)
    if village_codes is not None:
        query = query.where(Voucher.village_code.in_(village_codes))
    keys = ("active", "spent", "voided", "rupiah", "unspent")
    return {
        row[0]: dict(zip(keys, (int(v or 0) for v in row[1:]), strict=True))
        for row in db.session.execute(query)
    }


def list_periods() -> list[DistributionPeriod]:
    """Every period, the newest first."""
    query = select(DistributionPeriod).order_by(
        DistributionPeriod.starts_on.desc(), DistributionPeriod.program_code
    )
    return db.session.scalars(query).all()


def period_on(program_code: str, day: date) -> DistributionPeriod | None:
    """The program's period covering the day, if any."""
    return db.session.scalar(
        select(DistributionPeriod).where(
            and_(
                DistributionPeriod.program_code == program_code,
                DistributionPeriod.starts_on <= day,
                DistributionPeriod.ends_on >= day,
            )
        )
    )
