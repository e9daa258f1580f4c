"""What the settlement pages list: a shop's periods, and every shop in one period."""

from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from ..registry.models import Region
from ..vouchers.models import DistributionPeriod, Redemption
from .models import PROGRAM_OF_KIND, Merchant, Settlement

KIND_OF_PROGRAM = {program: kind for kind, program in PROGRAM_OF_KIND.items()}


@dataclass
class Row:
    """One shop in one period: its settlement (None before its first use) and its figures."""

    merchant: Merchant
    period: DistributionPeriod
    settlement: Settlement | None
    count: int
    total: int
    village_name: str = ""

    @property
    def state(self) -> str:
        """The settlement's state; a shop without a row yet is open."""
        return self.settlement.state if self.settlement else "open"


def _live(merchant_ids, period_ids) -> dict:
    """{(merchant_id, period_id): (count, total)} of redemptions not undone."""
    if not merchant_ids or not period_ids:
        return {}
    rows = db.session.execute(
        select(
            Redemption.merchant_id,
            Redemption.period_id,
            func.count(Redemption.id),
            func.coalesce(func.sum(Redemption.amount), 0),
        )
        .where(
            Redemption.merchant_id.in_(merchant_ids),
            Redemption.period_id.in_(period_ids),
            Redemption.undone_at.is_(None),
        )
        .group_by(Redemption.merchant_id, Redemption.period_id)
    ).all()
    return {(m, p): (int(c), int(t)) for m, p, c, t in rows}


def _figures(settlement, live) -> tuple[int, int]:
    """Frozen figures once submitted; the running ones while open."""
    if settlement is not None and settlement.state != "open":
        return settlement.redemption_count, settlement.total
    return live


def shop_periods(merchant: Merchant) -> list[Row]:
    """The periods of the shop's program, newest first, with its figures and state in each."""
    periods = db.session.scalars(
        select(DistributionPeriod)
        .where(DistributionPeriod.program_code == merchant.program_code)
        .order_by(DistributionPeriod.starts_on.desc(), DistributionPeriod.id.desc())
    ).all()
    settlements = {
        s.period_id: s
        for s in db.session.scalars(select(Settlement).filter_by(merchant_id=merchant.id))
    }
    live = _live([merchant.id], [p.id for p in periods])
    rows = []
    for period in periods:
        settlement = settlements.get(period.id)
        count, total = _figures(settlement, live.get((merchant.id, period.id), (0, 0)))
        rows.append(Row(merchant, period, settlement, count, total))
    return rows


def period_rows(period: DistributionPeriod, scope=None, village="", state="") -> list[Row]:
    """Every shop of the period's kind in scope (and village, state if given), by village, name."""
    kind = KIND_OF_PROGRAM.get(period.program_code)
    query = (
        select(Merchant, Settlement, Region.name)
        .outerjoin(
            Settlement,
            (Settlement.merchant_id == Merchant.id) & (Settlement.period_id == period.id),
        )
        .join(Region, Region.code == Merchant.village_code)
        .where(Merchant.kind == kind)
        .order_by(Region.name, Merchant.name, Merchant.id)
    )
    if scope is not None:
        query = query.where(Merchant.village_code.in_(scope))
    if village:
        query = query.where(Merchant.village_code == village)
    found = db.session.execute(query).all()
    live = _live([m.id for m, _, _ in found], [period.id])
    rows = []
    for merchant, settlement, village_name in found:
        row_state = settlement.state if settlement else "open"
        if state and row_state != state:
            continue
        count, total = _figures(settlement, live.get((merchant.id, period.id), (0, 0)))
        # An inactive shop with nothing to settle is no longer worth a line.
        if not merchant.active and not count and settlement is None:
            continue
        rows.append(Row(merchant, period, settlement, count, total, village_name))
    return rows


def counters(rows: list[Row]) -> dict:
    """Shops, redemptions and rupiah in the rows, and how many shops are in each state."""
    by_state = {s: 0 for s in ("open", "submitted", "approved", "paid")}
    for row in rows:
        by_state[row.state] += 1
    return {
        "shops": len(rows),
        "count": sum(r.count for r in rows),
        "total": sum(r.total for r in rows),
        "states": by_state,
    }


def row_for(merchant: Merchant, period: DistributionPeriod) -> Row:
    """One shop's row in one period (after an action on it)."""
    settlement = db.session.scalar(
        select(Settlement).filter_by(merchant_id=merchant.id, period_id=period.id)
    )
    live = _live([merchant.id], [period.id])
    count, total = _figures(settlement, live.get((merchant.id, period.id), (0, 0)))
    name = db.session.scalar(select(Region.name).where(Region.code == merchant.village_code))
    return Row(merchant, period, settlement, count, total, name or merchant.village_code)
