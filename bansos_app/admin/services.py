"""Queries behind the staff pages: the villages overview and the household look-up."""

from dataclasses import dataclass, field

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased, selectinload

from ..auth.access import scope_villages, scoped_village_codes
from ..extensions import db
from ..registry.models import Household, Person, Region

PER_PAGE = 25
# Enough to find a family by part of a name; more means the operator should type more.
LOOKUP_LIMIT = 10


@dataclass
class VillagePage:
    """One page of the villages overview, with totals over the whole filter."""

    rows: list = field(default_factory=list)  # (Region, kecamatan name, active, total)
    villages: int = 0
    active: int = 0
    households: int = 0
    page: int = 1
    pages: int = 1


def kecamatans_in_scope(user) -> list[Region]:
    """Return the kecamatan (districts) that hold at least one village in the user's scope."""
    villages = scope_villages(user).subquery()
    return list(
        db.session.scalars(
            select(Region)
            .where(Region.code.in_(select(villages.c.parent_code)))
            .order_by(Region.name)
        )
    )


def _filtered_villages(user, kecamatan: str | None, name: str):
    """Select the codes of the villages in scope that pass the kecamatan and name filters."""
    query = scope_villages(user).with_only_columns(Region.code).order_by(None)
    if kecamatan:
        query = query.where(Region.parent_code == kecamatan)
    if name:
        query = query.where(func.lower(Region.name).contains(name.lower(), autoescape=True))
    return query


def village_page(user, kecamatan: str | None = None, name: str = "", page: int = 1) -> VillagePage:
    """Return one page of the user's villages with household counts, and the filter's totals."""
    codes = _filtered_villages(user, kecamatan, name).subquery()
    # Totals in one aggregate over the whole filter, not a sum over the rows of one page.
    villages, active, households = db.session.execute(
        select(
            func.count(func.distinct(codes.c.code)),
            func.count(Household.id).filter(Household.status == "active"),
            func.count(Household.id),
        )
        .select_from(codes)
        .outerjoin(Household, Household.village_code == codes.c.code)
    ).one()
    pages = max(1, -(-villages // PER_PAGE))
    page = min(max(page, 1), pages)
    kecamatan_region = aliased(Region)
    rows = db.session.execute(
        select(
            Region,
            kecamatan_region.name,
            func.count(Household.id).filter(Household.status == "active"),
            func.count(Household.id),
        )
        .join(codes, codes.c.code == Region.code)
        .outerjoin(kecamatan_region, kecamatan_region.code == Region.parent_code)
        .outerjoin(Household, Household.village_code == Region.code)
        .group_by(Region.code, kecamatan_region.code)
        .order_by(Region.code)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return VillagePage(
        rows=[tuple(row) for row in rows],
        villages=villages,
        active=active,
        households=households,
        page=page,
        pages=pages,
    )


def _in_scope(query, user):
    """Limit a household query to the user's villages."""
    codes = scoped_village_codes(user)
    if codes is not None:
        query = query.where(Household.village_code.in_(codes))
    return query


def find_households_by_number(user, number: str) -> list[Household]:
    """Return the household in scope whose KK, or one of whose members' NIK, is `number`."""
    member = exists().where(Person.household_id == Household.id, Person.nik == number)
    query = select(Household).where((Household.kk_number == number) | member)
    return _load(_in_scope(query, user).order_by(Household.id).limit(LOOKUP_LIMIT + 1))


def find_households_by_name(user, name: str) -> list[Household]:
    """Return households in scope with a member whose name contains `name`, any case."""
    member = exists().where(
        Person.household_id == Household.id,
        func.lower(Person.name).contains(name.lower(), autoescape=True),
    )
    query = select(Household).where(member)
    return _load(_in_scope(query, user).order_by(Household.id).limit(LOOKUP_LIMIT + 1))


def _load(query) -> list[Household]:
    """Run a household query with members and village loaded in two more queries, not N."""
    options = (selectinload(Household.members), selectinload(Household.village))
    return list(db.session.scalars(query.options(*options)))
