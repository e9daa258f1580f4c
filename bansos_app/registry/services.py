"""The village registry for staff: find households, and read one with its programs and history."""

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from ..audit.models import AuditEvent
from ..auth.access import scoped_village_codes
from ..auth.models import User
from ..eligibility.evaluation import local_today
from ..eligibility.models import Eligibility, Program
from ..eligibility.reasons import explain
from ..eligibility.recipient_models import Recipient, RecipientList
from ..eligibility.recipients import recipients_for
from ..extensions import db
from ..models_base import utcnow
from .models import Household, Person

PER_PAGE = 25
# Pages past this many matches are no use to anyone (type more instead), and counting every
# household with a common name over a million persons would cost more than the page itself.
COUNT_CAP = 1000
AUDIT_ROWS = 50
# The desil filter's value for families that wait for their DTSEN assessment (desil NULL).
PENDING_DESIL = "menunggu"


@dataclass
class Filters:
    """What the list is narrowed by; empty values mean no filter."""

    q: str = ""
    village: str = ""
    desil: int | str | None = None  # 1-10, or PENDING_DESIL
    status: str = ""
    program: str = ""
    state: str = ""  # eligible, not_eligible or receiving: for the program, or any program
    review: bool = False


@dataclass
class Row:
    """One household in the list, with what the page shows about its programs."""

    household: Household
    head: Person | None
    programs: list = field(default_factory=list)  # (program code, eligible|receiving|not_eligible)
    review: bool = False


def _receiving(on: date):
    """Active recipients on a list valid on `on`."""
    return (
        select(Recipient.household_id, Recipient.program_code)
        .join(RecipientList, RecipientList.id == Recipient.list_id)
        .where(
            Recipient.state == "active",
            RecipientList.valid_from <= on,
            RecipientList.valid_until >= on,
        )
    )


def _needs_review(on: date):
    """Active recipients whose stored answer is now not eligible ("perlu ditinjau")."""
    return (
        _receiving(on)
        .join(
            Eligibility,
            and_(
                Eligibility.household_id == Recipient.household_id,
                Eligibility.program_code == Recipient.program_code,
            ),
        )
        .where(Eligibility.state == "not_eligible")
    )


def households_query(user, filters: Filters, on: date | None = None):
    """Select the households in the user's scope that pass the filters, newest id last."""
    on = on or local_today()
    query = select(Household)
    codes = scoped_village_codes(user)
    if codes is not None:
        query = query.where(Household.village_code.in_(codes))
    if filters.village:
        query = query.where(Household.village_code == filters.village)
    if filters.q:
        query = query.where(_matches(filters.q))
    if filters.desil == PENDING_DESIL:
        query = query.where(Household.desil.is_(None))
    elif filters.desil:
        query = query.where(Household.desil == filters.desil)
    if filters.status:
        query = query.where(Household.status == filters.status)
    if filters.state == "receiving":
        sub = _receiving(on)
        if filters.program:
            sub = sub.where(Recipient.program_code == filters.program)
        query = query.where(Household.id.in_(select(sub.subquery().c.household_id)))
    elif filters.state:  # eligible or not, for the program or, without one, for any program
        answers = select(Eligibility.household_id).where(Eligibility.state == filters.state)
        if filters.program:
            answers = answers.where(Eligibility.program_code == filters.program)
        query = query.where(Household.id.in_(answers))
    if filters.review:
        sub = _needs_review(on).subquery()
        query = query.where(Household.id.in_(select(sub.c.household_id)))
    return query.order_by(Household.id)


def _matches(q: str):
    """16 digits: that exact KK or NIK. Anything else: part of a member's name, any case."""
    if len(q) == 16 and q.isascii() and q.isdigit():
        # A UNION of two unique-index look-ups: an OR here makes PostgreSQL walk every household.
        by_kk = select(Household.id).where(Household.kk_number == q)
        return Household.id.in_(by_kk.union(select(Person.household_id).where(Person.nik == q)))
    # lower(name) LIKE '%q%': on PostgreSQL a trigram index on lower(name) serves it.
    named = select(Person.household_id).where(
        func.lower(Person.name).contains(q.lower(), autoescape=True)
    )
    return Household.id.in_(named)


@dataclass
class Page:
    """One page of the list: its rows, the number of matches (up to COUNT_CAP) and the pages."""

    items: list
    total: int
    page: int
    pages: int
    capped: bool  # more than COUNT_CAP matched: shown as "more than 1.000"

    @property
    def has_prev(self) -> bool:
        """Whether a page comes before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether a page comes after this one."""
        return self.page < self.pages


def search_households(user, filters: Filters, page: int = 1) -> Page:
    """Return one page of rows; the matches are counted up to COUNT_CAP."""
    on = local_today()
    # One query for the ids of the first COUNT_CAP + 1 matches gives the count and the page:
    # a name search's trigram scan runs once, not once to count and again for the page.
    ids = list(
        db.session.scalars(
            households_query(user, filters, on).with_only_columns(Household.id).limit(COUNT_CAP + 1)
        )
    )
    capped, ids = len(ids) > COUNT_CAP, ids[:COUNT_CAP]
    pages = max(1, -(-len(ids) // PER_PAGE))
    page = min(max(page, 1), pages)
    chosen = ids[(page - 1) * PER_PAGE : page * PER_PAGE]
    households = (
        db.session.scalars(
            select(Household)
            .where(Household.id.in_(chosen))
            .order_by(Household.id)
            .options(selectinload(Household.village))
        ).all()
        if chosen
        else []
    )
    return Page(_rows(households, on), len(ids), page, pages, capped)


def _rows(households: list[Household], on: date) -> list[Row]:
    """Heads, program states and review marks for one page, in three queries (not per row)."""
    ids = [h.id for h in households]
    if not ids:
        return []
    heads: dict[int, Person] = {}
    for person in db.session.scalars(
        select(Person).where(Person.household_id.in_(ids)).order_by(Person.id)
    ):
        current = heads.get(person.household_id)
        if current is None or (person.relation == "kepala" and current.relation != "kepala"):
            heads[person.household_id] = person
    states: dict[int, dict[str, str]] = {i: {} for i in ids}
    for hid, code, state in db.session.execute(
        select(Eligibility.household_id, Eligibility.program_code, Eligibility.state).where(
            Eligibility.household_id.in_(ids)
        )
    ):
        states[hid][code] = state
    receiving = _receiving(on).where(Recipient.household_id.in_(ids))
    for hid, code in db.session.execute(receiving):
        states[hid][code] = "receiving"
    review_sub = _needs_review(on).where(Recipient.household_id.in_(ids)).subquery()
    review = set(db.session.scalars(select(review_sub.c.household_id)))
    order = program_codes()
    return [
        Row(
            household=h,
            head=heads.get(h.id),
            programs=[(c, states[h.id][c]) for c in order if c in states[h.id]],
            review=h.id in review,
        )
        for h in households
    ]


def program_codes() -> list[str]:
    """Program codes in their display order."""
    return list(db.session.scalars(select(Program.code).order_by(Program.sort_order)))


def household_in_scope(user, household_id: int) -> Household | None:
    """The household if it exists inside the user's villages; None otherwise (a 404)."""
    household = db.session.get(Household, household_id)
    codes = scoped_village_codes(user)
    if household is None or (codes is not None and household.village_code not in codes):
        return None
    return household


@dataclass
class ProgramLine:
    """One program on the household page: its stored answer, reason, version and recipient."""

    program: Program
    answer: Eligibility | None
    reason: str
    recipient: Recipient | None
    review: bool


def program_lines(household: Household, on: date | None = None) -> list[ProgramLine]:
    """Every program with the household's stored answer and recipient state."""
    on = on or local_today()
    answers = {
        row.program_code: row
        for row in db.session.scalars(
            select(Eligibility)
            .where(Eligibility.household_id == household.id)
            .options(selectinload(Eligibility.rule_version))
        )
    }
    recipients = recipients_for(household.id, on)  # the newest list wins, as at the kiosk
    lines = []
    for program in db.session.scalars(select(Program).order_by(Program.sort_order)):
        answer, recipient = answers.get(program.code), recipients.get(program.code)
        lines.append(
            ProgramLine(
                program=program,
                answer=answer,
                reason=explain(answer, household) if answer else "",
                recipient=recipient,
                review=bool(recipient and answer and answer.state == "not_eligible"),
            )
        )
    return lines


def pin_state(household: Household) -> tuple[str, datetime | None]:
    """The kiosk PIN: ("none", None), ("locked", until) or ("set", set at)."""
    if not household.pin_hash:
        return "none", None
    if household.pin_locked_until and household.pin_locked_until > utcnow():
        return "locked", household.pin_locked_until
    return "set", household.pin_set_at


def audit_trail(household: Household, limit: int = AUDIT_ROWS) -> list:
    """The newest audit events about the household or its persons: (event, actor, details)."""
    person_ids = [str(p.id) for p in household.members]
    about = or_(
        and_(AuditEvent.object_type == "household", AuditEvent.object_id == str(household.id)),
        and_(AuditEvent.object_type == "person", AuditEvent.object_id.in_(person_ids)),
    )
    rows = db.session.execute(
        select(AuditEvent, User.full_name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(about)
        .order_by(AuditEvent.seq.desc())
        .limit(limit)
    )
    trail = []
    for event, name in rows:
        details = json.loads(event.details or "{}")
        if isinstance(details.get("died_on"), str):  # stored ISO; shown as an Indonesian date
            details["died_on"] = date.fromisoformat(details["died_on"])
        trail.append((event, name, details))
    return trail
