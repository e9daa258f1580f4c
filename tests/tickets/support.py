"""Shared helpers for ticket tests: demo people, and tickets driven to any stage."""

from datetime import date

from sqlalchemy import select

from bansos_app.auth.models import User
from bansos_app.eligibility.models import Eligibility
from bansos_app.eligibility.recipients import recipients_for
from bansos_app.extensions import db
from bansos_app.registry.models import Household, Person
from bansos_app.tickets.models import Ticket
from bansos_app.tickets.submit import Draft, submit_ticket
from bansos_app.tickets.workflow import Verification, decide_ticket, verify_ticket

SRI_NIK, SRI_KK = "1703124107850001", "1703122003180001"
BAMBANG_KK = "1703121505190002"
DEDI_NIK, DEDI_KK = "1703142208880002", "1703141010200003"
GIRI = "17.03.12.2003"
RINA_NIK, RINA_KK = "1703124203920004", "1703120506250004"  # eligible, on no list


def user(username: str) -> User:
    """Return a demo staff account by username (operator, dinsos, pendamping, ...)."""
    return db.session.scalar(select(User).where(User.username == username))


def household(kk: str) -> Household:
    """Return a household by KK number."""
    return db.session.scalar(select(Household).where(Household.kk_number == kk))


def eligible_not_receiving(program: str = "SEMBAKO", village: str = GIRI) -> Household:
    """Return a household of the village eligible for the program but not on its list."""
    query = (
        select(Household)
        .join(Eligibility, Eligibility.household_id == Household.id)
        .where(
            Eligibility.program_code == program,
            Eligibility.state == "eligible",
            Household.village_code == village,
            Household.status == "active",
        )
        .order_by(Household.id)
    )
    for hh in db.session.scalars(query):
        if program not in recipients_for(hh.id, date.today()):
            return hh
    raise AssertionError(f"no household eligible for {program} and not receiving in {village}")


def receiving(program: str = "SEMBAKO", village: str = GIRI, skip_kk=(SRI_KK,)) -> Household:
    """Return a household of the village on the program's list (not Sri's)."""
    query = select(Household).where(Household.village_code == village).order_by(Household.id)
    for hh in db.session.scalars(query):
        if hh.kk_number not in skip_kk and program in recipients_for(hh.id, date.today()):
            return hh
    raise AssertionError(f"no {program} recipient in {village}")


def sri_draft(**changes) -> Draft:
    """A kiosk draft from Sri Wahyuni; override any field."""
    values = dict(
        kind="sanggah_sendiri",
        channel="kiosk",
        submitter_nik=SRI_NIK,
        subject_household_id=household(SRI_KK).id,
        reason_code="desil",
    )
    values.update(changes)
    return Draft(**values)


def verification(**changes) -> Verification:
    """A complete, valid village verification; override any field."""
    values = dict(
        field_notes="Dicek ke rumah, sesuai.",
        forum="musdes",
        forum_date=date.today(),
        minutes_number="BA-12/2026",
        attendance=24,
        village_decision="setuju",
        desil=4,
    )
    values.update(changes)
    return Verification(**values)


def to_stage(draft: Draft, stage: str, verifier="operator", decider="dinsos") -> Ticket:
    """Submit a draft and drive the ticket on to stage: screened, verified, applied or closed."""
    ticket = submit_ticket(None, draft)
    assert ticket.stage == "screened", [(c.name, c.reason) for c in ticket.checks if not c.passed]
    if stage == "screened":
        return ticket
    forum = "musdesus" if ticket.kind == "reaktivasi" else "musdes"
    ticket = verify_ticket(user(verifier), ticket.id, verification(forum=forum))
    if stage == "verified":
        return ticket
    return decide_ticket(user(decider), ticket.id, stage == "applied", "Sesuai hasil musdes.")


def submitter_nik(n: int) -> str:
    """Return a distinct registered NIK from the demo (the n-th person of Giri Kencana)."""
    query = (
        select(Person.nik)
        .join(Household)
        .where(Household.village_code == GIRI, Person.deceased_date.is_(None))
        .order_by(Person.id)
    )
    return db.session.scalars(query).all()[n]


# Added for the workflow, screening and apply tests (helper "flow").
DEDI_VILLAGE = "17.03.14.2017"  # Air Petai
URAI = "17.03.12.2001"  # the operator's other village
TODAY_PLUS_15 = 15


def residents(village: str = GIRI) -> list[tuple[str, Household]]:
    """Return (head's NIK, household) for each active household of a village with a living head."""
    query = (
        select(Person.nik, Household)
        .join(Household, Person.household_id == Household.id)
        .where(
            Household.village_code == village,
            Household.status == "active",
            Person.relation == "kepala",
            Person.deceased_date.is_(None),
        )
        .order_by(Household.id)
    )
    return [tuple(row) for row in db.session.execute(query)]


def own_draft(nik: str, hh: Household, **changes) -> Draft:
    """A kiosk sanggah of one's own desil, from the head of the household; override any field."""
    values = dict(
        kind="sanggah_sendiri",
        channel="kiosk",
        submitter_nik=nik,
        subject_household_id=hh.id,
        reason_code="desil",
    )
    values.update(changes)
    return Draft(**values)


def audit_actions(since: int = 0) -> list[str]:
    """Return the audit actions written after the first `since` events, in order."""
    from bansos_app.audit.models import AuditEvent

    query = select(AuditEvent.action).order_by(AuditEvent.seq).offset(since)
    return list(db.session.scalars(query))


def audit_count() -> int:
    """Return how many audit events exist."""
    return len(audit_actions())


def ticket_row(ticket_id: int) -> dict:
    """Return every column of the ticket as stored (read fresh from the database)."""
    db.session.expire_all()
    table = Ticket.__table__
    row = db.session.execute(table.select().where(table.c.id == ticket_id)).one()
    return dict(row._mapping)
