"""What a resident reads about a ticket: kinds, reasons, a progress line, the answer."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from .models import Ticket
from .screening import message

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


def reason_label(ticket) -> str:
    """Return the chosen reason in words ('' when the kind has none)."""
    table = OWN_REASONS if ticket.kind == "sanggah_sendiri" else OTHER_REASONS
    return table.get(ticket.reason_code, "")


def decision(ticket) -> tuple[str, list]:
    """Return the decision's headline and its reasons in plain words, or ('', []) if none yet."""
    if ticket.outcome == "auto_rejected":
        codes = ticket.decision_reason.split()
        return _l("Ditolak oleh pemeriksaan sistem"), [message(c) for c in codes]
    if ticket.outcome == "lapsed":
        return _l("Gugur"), [
            _l(
                "Tiket ini gugur karena tidak diverifikasi desa dalam 14 hari. "
                "Anda boleh mengajukan lagi."
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
