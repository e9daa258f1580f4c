"""Queries behind the staff pages."""

from sqlalchemy import func, select

from ..auth.access import scope_villages
from ..extensions import db
from ..registry.models import Household, Region


def villages_with_counts(user) -> list[tuple[Region, int, int]]:
    """Return the user's villages with active and total household counts."""
    villages = scope_villages(user).subquery()
    rows = db.session.execute(
        select(
            Region,
            func.count(Household.id),
            func.count(Household.id).filter(Household.status == "active"),
        )
        .join(villages, villages.c.code == Region.code)
        .outerjoin(Household, Household.village_code == Region.code)
        .group_by(Region.code)
        .order_by(Region.code)
    ).all()
    return [(region, total, active) for region, total, active in rows]
