"""What the staff queues read: one page of tickets, the counters, and the poll's state."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..auth.access import can, scoped_village_codes
from ..eligibility.evaluation import local_today
from ..eligibility.recipients import recipients_for
from ..extensions import db
from ..registry.models import Person
from .models import Ticket, TicketPhoto
from .numbers import clean_number
from .screening import OPEN_STAGES

PER_PAGE = 25
EPOCH, MICRO = datetime(1970, 1, 1), timedelta(microseconds=1)
# The stage each role works on: the queue opens there.
STEP_STAGE = (("tickets.verify", "screened"), ("tickets.decide", "verified"))


@dataclass
class Filters:
    """What the queue is narrowed by; empty values mean no filter."""

    village: str = ""
    kind: str = ""
    stage: str = ""  # "" = every stage
    overdue: str = ""  # "ya", "tidak" or ""
    q: str = ""
    page: int = 1


@dataclass
class Page:
    """One page of the queue: the tickets with their subject's name, and where we are."""

    tickets: list
    names: dict = field(default_factory=dict)  # ticket id -> subject head's name
    total: int = 0
    page: int = 1
    pages: int = 1


def default_stage(user) -> str:
    """The stage waiting for this user's step (village: screened, Dinsos: verified)."""
    for permission, stage in STEP_STAGE:
        if can(user, permission):
            return stage
    return ""


def _scoped(query, user):
    codes = scoped_village_codes(user)
    return query if codes is None else query.where(Ticket.village_code.in_(codes))


def _filtered(user, f: Filters):
    query = _scoped(select(Ticket.id), user)
    if f.village:
        query = query.where(Ticket.village_code == f.village)
    if f.stage:
        query = query.where(Ticket.stage == f.stage)
    if f.kind:
        query = query.where(Ticket.kind == f.kind)
    if f.overdue:
        query = query.where(Ticket.overdue.is_(f.overdue == "ya"))
    if f.q:
        number = clean_number(f.q)
        if number:
            query = query.where(Ticket.number == number)
        else:
            like = f"%{f.q.lower()}%"
            heads = select(Person.household_id).where(
                Person.relation == "kepala", func.lower(Person.name).like(like)
            )
            proposed = func.lower(Ticket.proposed["name"].as_string()).like(like)
            query = query.where(Ticket.subject_household_id.in_(heads) | proposed)
    return query


def queue_page(user, f: Filters) -> Page:
    """Return one page of tickets in scope, oldest due first, with the subjects' names."""
    query = _filtered(user, f).add_columns(func.count().over())
    # Offset paging on (due_on, id); the window count gives the total in the same scan.
    ordered = query.order_by(Ticket.due_on, Ticket.id).limit(PER_PAGE)
    page = max(f.page, 1)
    rows = db.session.execute(ordered.offset((page - 1) * PER_PAGE)).all()
    if rows:
        total = rows[0][1]
    else:  # past the end (or nothing at all): count, then show the last page
        total = db.session.scalar(select(func.count()).select_from(_filtered(user, f).subquery()))
        page = max(1, -(-total // PER_PAGE))
        rows = db.session.execute(ordered.offset((page - 1) * PER_PAGE)).all() if total else []
    tickets = _load([r[0] for r in rows])
    return Page(tickets, subject_names(tickets), total, page, max(1, -(-total // PER_PAGE)))


def _load(ids) -> list[Ticket]:
    if not ids:
        return []
    found = db.session.scalars(
        select(Ticket).where(Ticket.id.in_(ids)).options(selectinload(Ticket.village))
    ).all()
    order = {ticket_id: i for i, ticket_id in enumerate(ids)}
    return sorted(found, key=lambda t: order[t.id])


def subject_names(tickets) -> dict:
    """{ticket id: name} of each subject's head (or the proposed name), in one query."""
    names = {t.id: (t.proposed or {}).get("name", "") for t in tickets}
    household_ids = {t.subject_household_id for t in tickets if t.subject_household_id}
    if not household_ids:
        return names
    heads = {}
    rows = db.session.execute(
        select(Person.household_id, Person.name, Person.relation)
        .where(Person.household_id.in_(household_ids))
        .order_by(Person.id)
    )
    for household_id, name, relation in rows:
        if household_id not in heads or relation == "kepala":
            heads.setdefault(household_id, name)
            if relation == "kepala":
                heads[household_id] = name
    for t in tickets:
        if t.subject_household_id:
            names[t.id] = heads.get(t.subject_household_id, "")
    return names


def counters(user) -> dict:
    """The counters and the poll's state in one scan of the tickets in scope.

    Waiting for the village, waiting for Dinsos, overdue, applied-not-closed; and the count
    and latest change of every ticket in scope, which the 30-second poll compares.
    """

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = _scoped(
        select(
            count(Ticket.stage == "screened"),
            count(Ticket.stage == "verified"),
            count(Ticket.overdue.is_(True) & Ticket.stage.in_(OPEN_STAGES)),
            count(Ticket.stage == "applied"),
            func.count(),
            func.max(Ticket.updated_at),
        ),
        user,
    )
    village, dinsos, overdue, applied, every, latest = db.session.execute(query).one()
    return {
        "village": village,
        "dinsos": dinsos,
        "overdue": overdue,
        "applied": applied,
        "state": _state(every, latest),
    }


def _state(count: int, latest) -> str:
    # Whole microseconds: a float timestamp could round the latest change away.
    stamp = (latest.replace(tzinfo=None) - EPOCH) // MICRO if latest else 0
    return f"{count}-{stamp}"


def poll_state(user) -> str:
    """A short token of the tickets in scope: their count and the latest change."""
    count, latest = db.session.execute(
        _scoped(select(func.count(), func.max(Ticket.updated_at)), user)
    ).one()
    return _state(count, latest)


def changed_since(user, state: str) -> int:
    """How many tickets in scope are new or changed after the state the page was drawn at."""
    try:
        since = EPOCH + int(state.split("-")[1][:20]) * MICRO
    except (IndexError, ValueError, OverflowError):
        return 0
    query = _scoped(select(func.count()).where(Ticket.updated_at > since), user)
    return db.session.scalar(query)


def household_facts(ticket: Ticket) -> dict:
    """The subject household beside the ticket: head, numbers, village, desil, status, programs."""
    household = ticket.subject_household
    if household is None:
        return {"household": None, "head": None, "receiving": []}
    on = local_today()
    return {
        "household": household,
        "head": household.head,
        "receiving": sorted(recipients_for(household.id, on)),
    }


def tickets_by_id(user, ids) -> dict:
    """{id: number} of the given tickets in the user's scope (for bulk results)."""
    if not ids:
        return {}
    query = _scoped(select(Ticket.id, Ticket.number).where(Ticket.id.in_(ids)), user)
    return dict(db.session.execute(query).all())


def has_photo(ticket_id: int) -> bool:
    """Return whether the ticket came with a house photo."""
    query = select(TicketPhoto.ticket_id).where(TicketPhoto.ticket_id == ticket_id)
    return db.session.scalar(query) is not None
