"""Queries behind the staff pages: the home's figures, the villages overview, the look-up."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import distinct, exists, func, select
from sqlalchemy.orm import aliased, selectinload

from ..auth.access import scope_villages, scoped_village_codes
from ..eligibility.evaluation import local_today
from ..eligibility.models import Eligibility, Program, RuleVersion
from ..eligibility.recipient_models import Recipient, RecipientList
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


@dataclass
class AreaFigures:
    """What one village (or kecamatan, or the whole scope) holds, per program."""

    code: str = ""
    name: str = ""
    households: int = 0  # active
    review_households: int = 0  # an active recipient of some program, no longer eligible for it
    recipients: dict = field(default_factory=dict)  # program code -> active recipients today
    eligible: dict = field(default_factory=dict)  # program code -> eligible households
    review: dict = field(default_factory=dict)  # program code -> recipients needing review

    def add(self, other: "AreaFigures") -> None:
        """Add another area's counts to these (a household lives in one area only)."""
        self.households += other.households
        self.review_households += other.review_households
        for mine, theirs in (
            (self.recipients, other.recipients),
            (self.eligible, other.eligible),
            (self.review, other.review),
        ):
            for program, n in theirs.items():
                mine[program] = mine.get(program, 0) + n


@dataclass
class HomeFigures:
    """The staff home's figures: per village for a village role, per kecamatan for Dinsos."""

    by_kecamatan: bool
    programs: list
    areas: list
    total: AreaFigures
    upcoming: list = field(default_factory=list)  # RuleVersions taking effect in 60 days


UPCOMING_DAYS = 60


def home_figures(user, today: date | None = None) -> HomeFigures:
    """Count households, recipients, eligible and needing review per area, in grouped queries."""
    today = today or local_today()
    codes = scoped_village_codes(user)
    by_kecamatan = codes is None

    def area(column):
        # Kemendagri codes: the kecamatan is the first 8 characters of a village's code.
        return func.substr(column, 1, 8) if by_kecamatan else column

    def scoped(query, column):
        return query if codes is None else query.where(column.in_(codes))

    areas: dict[str, AreaFigures] = {}

    def at(code: str) -> AreaFigures:
        return areas.setdefault(code, AreaFigures(code=code))

    hh_area = area(Household.village_code)
    households = select(hh_area, func.count()).where(Household.status == "active")
    for code, n in db.session.execute(scoped(households, Household.village_code).group_by(hh_area)):
        at(code).households = n
    eligible = (
        select(hh_area, Eligibility.program_code, func.count())
        .join(Household, Household.id == Eligibility.household_id)
        .where(Eligibility.state == "eligible")
    )
    eligible = scoped(eligible, Household.village_code).group_by(hh_area, Eligibility.program_code)
    for code, program, n in db.session.execute(eligible):
        at(code).eligible[program] = n
    valid = (
        (Recipient.state == "active")
        & (RecipientList.valid_from <= today)
        & (RecipientList.valid_until >= today)
    )
    # One list per program is valid on a given day; only where two overlap must a household on
    # both count once, and only then is the DISTINCT (a sort of every recipient) paid for.
    lists, programs_listed = db.session.execute(
        select(func.count(RecipientList.id), func.count(distinct(RecipientList.program_code)))
        .where(RecipientList.valid_from <= today)
        .where(RecipientList.valid_until >= today)
    ).one()
    counted = (
        func.count(distinct(Recipient.household_id)) if lists > programs_listed else func.count()
    )
    on_lists = (
        select(hh_area, Recipient.program_code)
        .join(RecipientList, RecipientList.id == Recipient.list_id)
        .join(Household, Household.id == Recipient.household_id)
        .where(valid)
    )
    recipients = scoped(on_lists.add_columns(counted), Household.village_code)
    for code, program, n in db.session.execute(
        recipients.group_by(hh_area, Recipient.program_code)
    ):
        at(code).recipients[program] = n
    # Recipients no longer eligible are few: fetched one row each, counted per program and per
    # household here (a household may need review for two programs).
    review = (
        on_lists.add_columns(Recipient.household_id)
        .join(
            Eligibility,
            (Eligibility.household_id == Recipient.household_id)
            & (Eligibility.program_code == Recipient.program_code),
        )
        .where(Eligibility.state == "not_eligible")
        .distinct()
    )
    seen = set()
    for code, program, household_id in db.session.execute(scoped(review, Household.village_code)):
        figures = at(code)
        figures.review[program] = figures.review.get(program, 0) + 1
        if (code, household_id) not in seen:
            seen.add((code, household_id))
            figures.review_households += 1
    if codes is not None:
        for code in codes:  # a village with nothing yet still gets its row
            at(code)
    in_areas = Region.code.in_(list(areas))
    names = dict(db.session.execute(select(Region.code, Region.name).where(in_areas)).all())
    total = AreaFigures()
    for figures in areas.values():
        figures.name = names.get(figures.code, figures.code)
        total.add(figures)
    # Loaded before the versions: their .program then comes from the session, not a query.
    programs = list(db.session.scalars(select(Program).order_by(Program.sort_order)))
    upcoming = []
    if by_kecamatan:
        upcoming = list(
            db.session.scalars(
                select(RuleVersion)
                .where(RuleVersion.effective_from > today)
                .where(RuleVersion.effective_from <= today + timedelta(days=UPCOMING_DAYS))
                .order_by(RuleVersion.effective_from, RuleVersion.program_code)
            )
        )
    return HomeFigures(
        by_kecamatan=by_kecamatan,
        programs=programs,
        areas=sorted(areas.values(), key=lambda a: a.name),
        total=total,
        upcoming=upcoming,
    )
