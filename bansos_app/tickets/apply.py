"""Apply an approved ticket: the data change, inside the caller's (the decision's) transaction."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from ..audit.services import record
from ..eligibility.evaluation import evaluate_household, local_today
from ..eligibility.recipient_models import Recipient, RecipientList
from ..eligibility.recipients import RecipientError, add_recipient, remove_recipient
from ..extensions import db
from ..models_base import utcnow
from ..registry.edits import EditRefused, change_status
from ..registry.models import DesilHistory, Household, Person
from .submit import TicketError

# The words written on recipient rows and registry edits that a ticket made.
OTHER_REASON_TEXT = {
    "mampu": "sudah mampu",
    "meninggal": "meninggal",
    "pindah": "pindah",
    "ganda": "data ganda",
    "lainnya": "lainnya",
}


def current_list(program_code: str) -> RecipientList | None:
    """Return the program's recipient list valid today (the newest, should two overlap)."""
    today = local_today()
    query = (
        select(RecipientList)
        .where(
            RecipientList.program_code == program_code,
            RecipientList.valid_from <= today,
            RecipientList.valid_until >= today,
        )
        .order_by(RecipientList.valid_from.desc(), RecipientList.id.desc())
    )
    return db.session.scalars(query.limit(1)).first()


def _join(actor, ticket, household) -> str:
    lst = current_list(ticket.program_code)
    if lst is None:
        raise TicketError(_l("Belum ada daftar penerima program ini yang berlaku hari ini."))
    try:
        add_recipient(actor, lst, household, f"Tiket {ticket.number}", commit=False)
    except RecipientError as error:
        raise TicketError(error.message) from error
    return f"joined {ticket.program_code} list {lst.id}"


def _new_household(actor, ticket) -> str:
    p = ticket.proposed
    born, sex = date.fromisoformat(p["birth_date"]), p["sex"]  # read from the NIK on submit
    taken = db.session.scalar(
        select(Household.id)
        .outerjoin(Person)
        .where(or_(Household.kk_number == p["kk"], Person.nik == p["nik"]))
        .limit(1)
    )
    if taken is not None:
        # Registered since the screening (an import, another ticket): a unique key would fail.
        raise TicketError(_l("NIK atau KK yang diusulkan sekarang sudah terdaftar."))
    household = Household(
        kk_number=p["kk"],
        village_code=ticket.village_code,
        address=p.get("address", ""),
        desil=None,
        status="active",
        status_reason="Menunggu pemeringkatan (usul).",
        status_changed_at=utcnow(),
    )
    db.session.add(household)
    db.session.flush()
    db.session.add(
        Person(
            household_id=household.id,
            nik=p["nik"],
            name=p["name"],
            birth_date=born,
            sex=sex,
            relation="kepala",
        )
    )
    ticket.subject_household_id = household.id
    record(
        actor,
        "registry.household_created",
        household,
        ticket=ticket.number,
        reason="usul, menunggu pemeringkatan",
    )
    evaluate_household(household, actor)
    return f"household {household.id} created, waiting for assessment"


def _correct_own(actor, ticket, household) -> str:
    if ticket.reason_code == "desil":
        desil = (ticket.proposed or {}).get("desil")
        if desil is None:
            return "no desil recorded by the village"
        old = household.desil
        household.desil = desil
        db.session.add(
            DesilHistory(
                household_id=household.id,
                desil=desil,
                source="sanggah",
                effective_date=local_today(),
            )
        )
        record(actor, "registry.desil_changed", household, old=old, new=desil, ticket=ticket.number)
        evaluate_household(household, actor)
        return f"desil {old} -> {desil}"
    if ticket.reason_code == "status":
        # Through the registry's own rule: a graduated family returns only by a new
        # assessment, a blocked one only by Reaktivasi; an active one has nothing to change.
        if household.status == "blocked":
            raise TicketError(_l("Keluarga yang diblokir hanya dapat kembali lewat Reaktivasi."))
        old = household.status
        try:
            reason = f"Sanggah tiket {ticket.number} disetujui."
            change_status(actor, household, "active", reason, commit=False)
        except EditRefused as error:
            raise TicketError(error.message) from error
        return f"status {old} -> active"
    # Members are corrected one by one on the household page, with their own reasons.
    return "members to be corrected on the household page"


def _remove(actor, ticket, household) -> str:
    query = select(Recipient).where(
        Recipient.household_id == household.id, Recipient.state == "active"
    )
    if ticket.program_code:
        query = query.where(Recipient.program_code == ticket.program_code)
    reason = f"Sanggah tiket {ticket.number}: {OTHER_REASON_TEXT[ticket.reason_code]}"
    removed = 0
    for recipient in db.session.scalars(query).all():
        try:
            remove_recipient(actor, recipient, reason, commit=False)
        except RecipientError as error:  # removed meanwhile by someone else
            raise TicketError(error.message) from error
        removed += 1
    if not removed:
        raise TicketError(_l("Keluarga ini sudah tidak menjadi penerima."))
    return f"removed from {removed} list(s)"


def _reactivate(actor, ticket, household) -> str:
    if household.status != "blocked":
        raise TicketError(_l("Keluarga ini tidak lagi diblokir."))
    try:
        change_status(
            actor,
            household,
            "active",
            f"Reaktivasi tiket {ticket.number} (Musdesus {ticket.minutes_number})",
            commit=False,
        )
    except EditRefused as error:
        raise TicketError(error.message) from error
    return "unblocked; " + _join(actor, ticket, household)


def apply_ticket(actor, ticket) -> str:
    """Make the change an approved ticket asks for; refuse (TicketError) if it cannot be made."""
    household = ticket.subject_household
    if ticket.kind == "usul":
        return _join(actor, ticket, household) if household else _new_household(actor, ticket)
    if ticket.kind == "sanggah_sendiri":
        return _correct_own(actor, ticket, household)
    if ticket.kind == "sanggah_lain":
        return _remove(actor, ticket, household)
    return _reactivate(actor, ticket, household)
