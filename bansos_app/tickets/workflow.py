"""The strict ticket workflow: village verification, Dinsos decision, closing, lapsing.

Every step locks the ticket, checks its stage, changes it and writes the audit event in one
transaction, so a double click or two staff at once give exactly one transition.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from ..audit.services import record
from ..auth.access import can, in_scope
from ..eligibility.evaluation import local_today
from ..extensions import db
from ..locking import lock_row
from ..models_base import utcnow
from .apply import apply_ticket
from .models import FORUMS, VILLAGE_DECISIONS, Ticket
from .submit import TicketError, due_days

# Which step moves a ticket from which stage to which. Anything else is refused.
STEPS = {
    "verify": ("screened", "verified"),
    "approve": ("verified", "applied"),
    "reject": ("verified", "closed"),
    "close": ("applied", "closed"),
    "lapse": ("screened", "closed"),
}
PERMISSION = {"verify": "tickets.verify", "approve": "tickets.decide", "reject": "tickets.decide"}
PERMISSION["close"] = "tickets.decide"
MAX_ID = 2**31 - 1  # the id column is a 32-bit integer
# Objections lapse when the village has not verified them in time (usul only turn overdue).
LAPSING_KINDS = ("sanggah_sendiri", "sanggah_lain")

WRONG_STAGE = {
    "verify": _l("Tiket ini tidak menunggu verifikasi desa."),
    "approve": _l("Tiket ini belum diverifikasi desa atau sudah diputuskan."),
    "reject": _l("Tiket ini belum diverifikasi desa atau sudah diputuskan."),
    "close": _l("Hanya tiket yang sudah diterapkan yang dapat ditutup."),
}


@dataclass
class Verification:
    """What the village records: the field check and the deliberation with its minutes."""

    field_notes: str
    forum: str  # musdes or musdesus
    forum_date: date | None
    minutes_number: str
    attendance: int | None
    village_decision: str  # setuju or tolak
    desil: int | None = None  # the corrected desil, for an objection to one's own desil


def _claim(actor, ticket_id: int, step: str) -> Ticket:
    """Lock the ticket and check that this actor may take this step now; else refuse."""
    if not can(actor, PERMISSION[step]):
        raise TicketError(_l("Anda tidak berwenang untuk langkah ini."), "form")
    # An id from a form may be text or out of the column's range: PostgreSQL would raise.
    if not _whole(ticket_id) or not 0 < ticket_id <= MAX_ID:
        raise TicketError(_l("Tiket tidak ditemukan."), "form")
    ticket = lock_row(Ticket, ticket_id)
    if ticket is None:
        db.session.rollback()
        raise TicketError(_l("Tiket tidak ditemukan."), "form")
    problem = None
    if not in_scope(actor, ticket.village_code):
        problem = _l("Tiket ini bukan dari desa Anda.")
    elif step != "verify" and ticket.entered_by_id is not None and ticket.entered_by_id == actor.id:
        # The village step records the deliberation's minutes, and a village often has one
        # operator, who both proposes and records; the decision is never theirs.
        problem = _l("Tiket yang Anda ajukan sendiri diputuskan oleh petugas lain.")
    elif ticket.stage != STEPS[step][0]:
        problem = WRONG_STAGE[step]
    if problem is not None:
        db.session.rollback()
        raise TicketError(problem, "form")
    return ticket


def _text(value: str | None, limit: int, field: str, required=True) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise TicketError(_l("Bagian ini wajib diisi."), field)
    if len(value) > limit:
        raise TicketError(_l("Paling banyak %(n)d huruf.", n=limit), field)
    return value


def _whole(value) -> bool:
    # A form may hand over text; only a real whole number is compared (bool is an int too).
    return isinstance(value, int) and not isinstance(value, bool)


def _check_verification(ticket: Ticket, v: Verification) -> Verification:
    notes = _text(v.field_notes, 500, "field_notes")
    minutes = _text(v.minutes_number, 60, "minutes_number")
    if v.forum not in FORUMS:
        raise TicketError(_l("Pilih musdes atau Musdesus."), "forum")
    if ticket.kind == "reaktivasi" and v.forum != "musdesus":
        raise TicketError(_l("Reaktivasi hanya dengan keputusan Musdesus."), "forum")
    # A datetime is a date too, but cannot be compared with one: refused like text.
    forum_date_ok = isinstance(v.forum_date, date) and not isinstance(v.forum_date, datetime)
    if not forum_date_ok or v.forum_date > local_today():
        raise TicketError(
            _l("Tanggal musyawarah tidak boleh kosong atau di masa depan."), "forum_date"
        )
    if v.forum_date < ticket.created_at.date() - timedelta(days=366):
        raise TicketError(_l("Tanggal musyawarah terlalu lama sebelum tiket ini."), "forum_date")
    if not _whole(v.attendance) or not 1 <= v.attendance <= 5000:
        raise TicketError(_l("Jumlah hadir harus 1 sampai 5000."), "attendance")
    if v.village_decision not in VILLAGE_DECISIONS:
        raise TicketError(_l("Pilih keputusan musyawarah."), "village_decision")
    desil = v.desil
    # Only an agreed objection to one's own desil carries the village's corrected value.
    wants_desil = ticket.kind == "sanggah_sendiri" and ticket.reason_code == "desil"
    wants_desil = wants_desil and v.village_decision == "setuju"
    if wants_desil and (not _whole(desil) or not 1 <= desil <= 10):
        raise TicketError(_l("Tulis desil yang benar menurut verifikasi (1 sampai 10)."), "desil")
    return Verification(
        notes,
        v.forum,
        v.forum_date,
        minutes,
        v.attendance,
        v.village_decision,
        desil if wants_desil else None,
    )


def verify_ticket(actor, ticket_id: int, verification: Verification) -> Ticket:
    """Record the village's field check and deliberation; the ticket goes to Dinsos."""
    ticket = _claim(actor, ticket_id, "verify")
    try:
        v = _check_verification(ticket, verification)
    except TicketError:
        db.session.rollback()
        raise
    now = utcnow()
    ticket.field_notes, ticket.forum, ticket.forum_date = v.field_notes, v.forum, v.forum_date
    ticket.minutes_number, ticket.attendance = v.minutes_number, v.attendance
    ticket.village_decision = v.village_decision
    if v.desil is not None:
        ticket.proposed = {**(ticket.proposed or {}), "desil": v.desil}
    ticket.verified_by_id, ticket.verified_at = actor.id, now
    ticket.stage, ticket.overdue, ticket.updated_at = "verified", False, now
    ticket.due_on = local_today() + timedelta(days=due_days())
    record(
        actor,
        "tickets.verified",
        ticket,
        forum=v.forum,
        minutes=v.minutes_number,
        attendance=v.attendance,
        decision=v.village_decision,
    )
    db.session.commit()
    return ticket


def decide_ticket(actor, ticket_id: int, approve: bool, reason: str) -> Ticket:
    """Dinsos approves (and the change is applied, same transaction) or rejects, with a reason."""
    step = "approve" if approve else "reject"
    ticket = _claim(actor, ticket_id, step)
    try:
        reason = _text(reason, 300, "reason")
        if approve and ticket.village_decision != "setuju":
            # Dinsos decides after the village: what the musdes refused cannot be applied.
            raise TicketError(
                _l("Musyawarah desa menolak tiket ini; Dinsos hanya dapat menolaknya."), "form"
            )
        change = apply_ticket(actor, ticket) if approve else ""
    except TicketError:
        db.session.rollback()
        raise
    now = utcnow()
    ticket.decision_reason, ticket.decided_by_id, ticket.decided_at = reason, actor.id, now
    ticket.outcome = "approved" if approve else "rejected"
    ticket.stage, ticket.overdue, ticket.updated_at = STEPS[step][1], False, now
    if approve:
        ticket.applied_at = now
    else:
        ticket.closed_at = now
    record(
        actor,
        f"tickets.{'approved' if approve else 'rejected'}",
        ticket,
        reason=reason,
        change=change,
    )
    db.session.commit()
    return ticket


def close_ticket(actor, ticket_id: int) -> Ticket:
    """Close an applied ticket: its decision has been announced, nothing is left to do."""
    ticket = _claim(actor, ticket_id, "close")
    ticket.stage, ticket.closed_at = "closed", utcnow()
    ticket.updated_at = ticket.closed_at
    record(actor, "tickets.closed", ticket)
    db.session.commit()
    return ticket


def run_bulk(actor, ticket_ids, step: str, reason: str = "") -> tuple[int, list]:
    """Take one step on many tickets, each in its own transaction; return (done, refusals)."""
    if step not in ("approve", "reject", "close"):
        # Anything else would fall through to a rejection below.
        raise TicketError(_l("Langkah tidak dikenal."), "form")
    done, refused = 0, []
    for ticket_id in ticket_ids:
        if isinstance(ticket_id, str) and ticket_id.isascii() and ticket_id.isdigit():
            ticket_id = int(ticket_id)  # checkbox values arrive as text
        try:
            if step == "close":
                close_ticket(actor, ticket_id)
            else:
                decide_ticket(actor, ticket_id, step == "approve", reason)
            done += 1
        except TicketError as error:
            refused.append((ticket_id, error.message))
    return done, refused


def mark_overdue(today: date | None = None) -> dict:
    """Lapse objections the village left unverified past due; flag other late tickets."""
    today = today or local_today()
    lapsing = and_(Ticket.stage == "screened", Ticket.kind.in_(LAPSING_KINDS))
    late = select(Ticket.id).where(
        Ticket.stage.in_(("screened", "verified")),
        Ticket.due_on < today,
        or_(lapsing, Ticket.overdue.is_(False)),
    )
    lapsed = flagged = 0
    for ticket_id in db.session.scalars(late.order_by(Ticket.id)).all():
        ticket = lock_row(Ticket, ticket_id)
        if ticket is None or ticket.stage not in ("screened", "verified") or ticket.due_on >= today:
            continue
        now = utcnow()
        if ticket.stage == "screened" and ticket.kind in LAPSING_KINDS:
            ticket.stage, ticket.outcome, ticket.closed_at = "closed", "lapsed", now
            ticket.decision_reason = "lapsed"
            record(None, "tickets.lapsed", ticket, due_on=ticket.due_on.isoformat())
            lapsed += 1
        elif not ticket.overdue:
            ticket.overdue = True
            record(
                None,
                "tickets.overdue",
                ticket,
                stage=ticket.stage,
                due_on=ticket.due_on.isoformat(),
            )
            flagged += 1
        else:
            continue
        ticket.updated_at = now
        db.session.commit()
    db.session.commit()
    return {"lapsed": lapsed, "overdue": flagged}
