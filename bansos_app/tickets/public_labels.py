"""What a resident reads about a ticket: kinds, reasons, a progress line, the answer."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..registry.models import Person
from .models import Ticket
from .screening import message
from .submit import due_days

KINDS = {
    "usul": _l("Usulan penerima"),
    "sanggah_sendiri": _l("Data saya salah"),
    "sanggah_lain": _l("Sanggah penerima lain"),
    "reaktivasi": _l("Reaktivasi"),
}
OWN_REASONS = {
    "desil": _l("Desil (peringkat) keluarga saya salah"),
    "anggota": _l("Anggota keluarga saya salah"),
    "status": _l("Status keluarga saya salah"),
}
OTHER_REASONS = {
    "mampu": _l("Sudah mampu"),
    "meninggal": _l("Sudah meninggal"),
    "pindah": _l("Sudah pindah"),
    "ganda": _l("Data ganda"),
    "lainnya": _l("Alasan lain"),
}
PROGRESS = (
    _l("Diajukan"),
    _l("Diperiksa sistem"),
    _l("Verifikasi desa"),
    _l("Keputusan Dinsos"),
    _l("Selesai"),
)
# How far along each stage is: the index of the last step done in PROGRESS.
DONE = {"submitted": 0, "screened": 1, "verified": 2, "applied": 3, "closed": 4}
STAGES = {
    "submitted": _l("Diajukan, menunggu pemeriksaan sistem"),
    "screened": _l("Menunggu verifikasi desa"),
    "verified": _l("Menunggu keputusan Dinas Sosial"),
    "applied": _l("Disetujui dan sudah dijalankan"),
    "closed": _l("Selesai"),
}
# Screening reasons that tell what the registry knows of the subject's family (its desil,
# its programs, a death, a block). About another family they would make the kiosk an oracle
# for a neighbour's private data, so the resident reads one sentence instead.
PRIVATE_CODES = frozenset(
    {
        "blocked_needs_musdesus",
        "not_blocked",
        "deceased",
        "desil_out_of_range",
        "desil_pending",
        "new_numbers_registered",
        "duplicate",
        "already_receiving",
        "not_receiving",
        "not_a_recipient",
    }
)
NOT_POSSIBLE = _l(
    "Tiket ini tidak dapat diproses menurut data desa. Operator desa dapat menjelaskan alasannya."
)


def reason_label(ticket) -> str:
    """Return the chosen reason in words ('' when the kind has none)."""
    table = OWN_REASONS if ticket.kind == "sanggah_sendiri" else OTHER_REASONS
    return table.get(ticket.reason_code, "")


def about_own_household(ticket) -> bool:
    """Return whether the ticket's subject is the submitter's own household."""
    if ticket.subject_household_id is None or ticket.submitter_person_id is None:
        return False  # a family new to the registry, or a submitter the registry lacks
    submitter = db.session.get(Person, ticket.submitter_person_id)
    return submitter is not None and submitter.household_id == ticket.subject_household_id


def screening_reasons(ticket) -> list:
    """Return the automatic refusal's reasons, private ones as one sentence for another family."""
    codes = ticket.decision_reason.split()
    if about_own_household(ticket):
        return [message(c) for c in codes]
    shown = [message(c) for c in codes if c not in PRIVATE_CODES]
    return [*shown, NOT_POSSIBLE] if len(shown) < len(codes) else shown


def decision(ticket) -> tuple[str, list]:
    """Return the decision's headline and its reasons in plain words, or ('', []) if none yet."""
    if ticket.outcome == "auto_rejected":
        return _l("Ditolak oleh pemeriksaan sistem"), screening_reasons(ticket)
    if ticket.outcome == "lapsed":
        return _l("Gugur"), [
            _l(
                "Tiket ini gugur karena tidak diverifikasi desa dalam %(days)d hari. "
                "Anda boleh mengajukan lagi.",
                days=due_days(),
            )
        ]
    if ticket.outcome == "approved" or ticket.stage == "applied":
        return _l("Disetujui Dinas Sosial"), [
            ticket.decision_reason
        ] if ticket.decision_reason else []
    if ticket.outcome == "rejected":
        return _l("Ditolak Dinas Sosial"), [
            ticket.decision_reason
        ] if ticket.decision_reason else []
    return "", []


def progress(ticket) -> int:
    """Return the index in PROGRESS of the last step done."""
    if ticket.outcome in ("auto_rejected", "lapsed", "rejected"):
        return len(PROGRESS) - 1
    return DONE.get(ticket.stage, 0)


def household_tickets(household, limit: int = 10) -> list[Ticket]:
    """Return the tickets any member of the household submitted, newest first."""
    ids = [p.id for p in household.members]
    if not ids:
        return []
    query = (
        select(Ticket)
        .where(Ticket.submitter_person_id.in_(ids))
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
