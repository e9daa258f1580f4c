"""Submit a ticket: validate, screen at once, answer a clear failure, queue the rest."""

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit.services import record
from ..auth.access import can, in_scope
from ..eligibility.evaluation import local_today
from ..eligibility.models import Program
from ..extensions import db
from ..locking import lock_key
from ..models_base import utcnow
from ..registry.identity import check_kk, check_nik, mask_number
from ..registry.models import Household, Person, Region
from .models import CHANNELS, KINDS, OTHER_REASONS, OWN_REASONS, Ticket, TicketPhoto
from .numbers import new_number, nik_key
from .screening import OPEN_STAGES, screen


class TicketError(ValueError):
    """A ticket refused with a message for the user (and the field it concerns)."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)  # lazy: turned into text in the user's language
        self.message, self.field = message, field


@dataclass
class Draft:
    """What a resident or staff member asked for, before any check."""

    kind: str
    channel: str  # kiosk, phone or staff
    submitter_nik: str
    program_code: str | None = None
    subject_household_id: int | None = None
    subject_person_id: int | None = None
    proposed: dict = field(default_factory=dict)  # nik, kk, name for a family new to the registry
    reason_code: str = ""
    text: str = ""
    photo: tuple[bytes, int, int] | None = None  # already re-encoded: (jpeg, width, height)
    device_id: int | None = None


def due_days() -> int:
    """Return how many days each stage has (TICKET_DUE_DAYS, 14 by default)."""
    return int(current_app.config.get("TICKET_DUE_DAYS", 14))


def _clean_text(text: str | None) -> str:
    return " ".join((text or "").split())


def _validate(draft: Draft) -> None:
    if draft.kind not in KINDS:
        raise TicketError(_l("Jenis tiket tidak dikenal."), "kind")
    if draft.channel not in CHANNELS:
        raise TicketError(_l("Saluran pengajuan tidak dikenal."), "channel")
    if draft.kind in ("usul", "reaktivasi"):
        draft.reason_code = ""  # no reason list for these: anything sent is ignored, not stored
    text = _clean_text(draft.text)
    if len(text) > 300:
        raise TicketError(_l("Keterangan paling banyak 300 huruf."), "text")
    if draft.kind in ("usul", "reaktivasi") and not draft.program_code:
        raise TicketError(_l("Pilih programnya."), "program")
    if draft.program_code and db.session.get(Program, draft.program_code) is None:
        raise TicketError(_l("Program tidak dikenal."), "program")
    if draft.kind == "sanggah_lain":
        if draft.reason_code not in OTHER_REASONS:
            raise TicketError(_l("Pilih alasan sanggahan."), "reason")
        if draft.reason_code == "lainnya" and not text:
            raise TicketError(_l("Tulis alasannya secara singkat."), "text")
    if draft.kind == "sanggah_sendiri" and draft.reason_code not in OWN_REASONS:
        raise TicketError(_l("Pilih data mana yang salah."), "reason")
    if draft.proposed:
        nik = check_nik(draft.proposed.get("nik"))
        if not nik.ok or nik.birth_date is None:
            raise TicketError(_l("NIK kepala keluarga yang diusulkan tidak valid."), "nik")
        # The NIK carries the birth date and sex the new person row needs.
        draft.proposed["birth_date"], draft.proposed["sex"] = nik.birth_date.isoformat(), nik.sex
        if not check_kk(draft.proposed.get("kk")).ok:
            raise TicketError(_l("Nomor KK keluarga yang diusulkan tidak valid."), "kk")
        name = _clean_text(draft.proposed.get("name"))
        if not 2 <= len(name) <= 120:
            raise TicketError(_l("Tulis nama kepala keluarga yang diusulkan."), "name")
        draft.proposed["name"] = name
        address = _clean_text(draft.proposed.get("address"))
        if len(address) > 200:
            raise TicketError(_l("Alamat paling banyak 200 huruf."), "address")
        draft.proposed["address"] = address
    if draft.subject_household_id is None and not (
        draft.kind == "usul" and draft.proposed.get("nik") and draft.proposed.get("name")
    ):
        raise TicketError(_l("Pilih keluarga yang dimaksud."), "subject")


def _open_count(nik_hash: str) -> int:
    query = select(func.count()).where(
        Ticket.submitter_nik_hash == nik_hash, Ticket.stage.in_(OPEN_STAGES)
    )
    return db.session.scalar(query)


def _just_sent(nik_hash: str, draft: Draft) -> Ticket | None:
    """Return the same ticket sent moments ago: a double tap or a reload must not make two."""
    query = select(Ticket).where(
        Ticket.submitter_nik_hash == nik_hash,
        Ticket.kind == draft.kind,
        Ticket.created_at >= utcnow() - timedelta(minutes=2),
        Ticket.subject_household_id == draft.subject_household_id
        if draft.subject_household_id
        else Ticket.subject_household_id.is_(None),
        Ticket.program_code == draft.program_code
        if draft.program_code
        else Ticket.program_code.is_(None),
        Ticket.reason_code == (draft.reason_code or ""),
    )
    for ticket in db.session.scalars(query.order_by(Ticket.id.desc())):
        if (ticket.proposed or {}).get("nik") == (draft.proposed or {}).get("nik"):
            return ticket
    return None


def _submitter(nik: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.nik == nik))


def _unused_number() -> str:
    while True:
        number = new_number()
        if db.session.scalar(select(Ticket.id).where(Ticket.number == number)) is None:
            return number


def submit_ticket(actor, draft: Draft) -> Ticket:
    """Store a ticket and its screening, audited, committed; a clear failure closes it at once.

    `actor` is the staff member entering it (assisted registration) or None for a resident,
    whose NIK and KK the kiosk or phone visit has already checked.
    """
    _validate(draft)
    nik_hash = nik_key(draft.submitter_nik)
    # One submission per NIK at a time: the repeat and open-ticket checks below must see the
    # ticket a concurrent request (a double tap, a second kiosk) is storing.
    lock_key(f"ticket-submitter:{nik_hash}")
    repeat = _just_sent(nik_hash, draft)
    if repeat is not None:
        db.session.commit()
        return repeat
    limit = int(current_app.config.get("TICKET_OPEN_PER_NIK", 3))
    if _open_count(nik_hash) >= limit:
        raise TicketError(
            _l(
                "Anda sudah punya %(n)d tiket yang masih diproses. Tunggu sampai salah satunya "
                "selesai.",
                n=limit,
            ),
            "form",
        )
    submitter = _submitter(draft.submitter_nik)
    subject = (
        db.session.get(Household, draft.subject_household_id)
        if draft.subject_household_id
        else None
    )
    if draft.subject_household_id and subject is None:
        raise TicketError(_l("Keluarga yang dimaksud tidak ditemukan."), "subject")
    person = db.session.get(Person, draft.subject_person_id) if draft.subject_person_id else None
    if draft.subject_person_id and person is None:
        raise TicketError(_l("Orang yang dimaksud tidak ditemukan."), "subject")
    if person is not None and person.household_id != draft.subject_household_id:
        raise TicketError(_l("Orang yang dimaksud bukan anggota keluarga itu."), "subject")
    village = subject.village_code if subject else draft.proposed.get("village_code")
    known = db.session.get(Region, village) if isinstance(village, str) else None
    if known is None or known.level != 4:
        # An unknown code would otherwise fail on the foreign key, as a crash, not a message.
        raise TicketError(_l("Pilih desa keluarga yang diusulkan."), "village")
    # Assisted entries carry the staff member's name: only village staff, in their villages.
    if actor is not None and not can(actor, "tickets.submit"):
        raise TicketError(_l("Anda tidak berwenang untuk langkah ini."), "form")
    if actor is not None and not in_scope(actor, village):
        raise TicketError(_l("Anda hanya dapat mengajukan tiket untuk desa Anda sendiri."), "form")
    today = local_today()
    ticket = Ticket(
        number=_unused_number(),
        kind=draft.kind,
        channel=draft.channel,
        program_code=draft.program_code or None,
        village_code=village,
        submitter_nik_hash=nik_hash,
        submitter_person_id=submitter.id if submitter else None,
        entered_by_id=getattr(actor, "id", None),
        subject_household_id=subject.id if subject else None,
        subject_person_id=person.id if person else None,
        proposed=draft.proposed or {},
        reason_code=draft.reason_code or "",
        text=_clean_text(draft.text),
        stage="submitted",
        due_on=today + timedelta(days=due_days()),
    )
    ticket.subject_household = subject
    ticket.subject_person = person
    db.session.add(ticket)
    db.session.flush()
    record(
        actor,
        "tickets.submitted",
        ticket,
        kind=ticket.kind,
        channel=ticket.channel,
        device=draft.device_id,
        submitter=mask_number(draft.submitter_nik),
    )
    if draft.photo is not None:
        data, width, height = draft.photo
        db.session.add(TicketPhoto(ticket_id=ticket.id, data=data, width=width, height=height))
    checks = screen(ticket, submitter.household if submitter else None)
    ticket.checks = checks
    failed = [c.reason for c in checks if not c.passed]
    now = utcnow()
    if failed:
        ticket.stage, ticket.outcome, ticket.closed_at = "closed", "auto_rejected", now
        ticket.decision_reason = " ".join(failed)  # reason codes; shown as text
    else:
        ticket.stage = "screened"
    ticket.updated_at = now
    record(None, "tickets.screened", ticket, passed=not failed, failed=failed)
    db.session.commit()
    return ticket
