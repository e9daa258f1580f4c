"""Automatic screening on submit: each check stored with its result and reason code."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from ..eligibility.evaluation import local_today, rules_in_force
from ..eligibility.recipients import recipients_for
from ..extensions import db
from ..registry.models import Household, Person
from .models import Ticket, TicketCheck

OPEN_STAGES = ("submitted", "screened", "verified")

# Reason codes stored on each check; the text is chosen when shown, in the reader's language.
MESSAGES = {
    "ok": _l("Lolos."),
    "identity_known": _l("NIK dan KK pengaju terdaftar."),
    "identity_unknown": _l("NIK dan KK pengaju tidak terdaftar."),
    "identity_staff": _l("Keluarga baru didaftarkan oleh petugas desa yang bertanggung jawab."),
    "new_numbers_ok": _l("NIK dan KK keluarga yang diusulkan belum terdaftar."),
    "new_numbers_registered": _l(
        "NIK atau KK yang diusulkan sudah terdaftar: usulkan keluarga itu dari daftar desa."
    ),
    "duplicate": _l("Sudah ada tiket terbuka yang sama untuk keluarga ini."),
    "not_duplicate": _l("Tidak ada tiket terbuka yang sama."),
    "already_receiving": _l("Keluarga ini sudah menerima program ini."),
    "not_receiving": _l("Keluarga ini belum menerima program ini."),
    "not_a_recipient": _l("Keluarga ini bukan penerima bantuan saat ini."),
    "is_recipient": _l("Keluarga ini tercatat sebagai penerima."),
    "deceased": _l("Orang yang diusulkan tercatat sudah meninggal."),
    "alive": _l("Tidak tercatat meninggal."),
    "desil_in_range": _l("Desil keluarga sesuai batas program."),
    "desil_out_of_range": _l("Desil keluarga di luar batas program."),
    "desil_pending": _l("Keluarga menunggu pemeringkatan: desil dinilai setelah pendataan DTSEN."),
    "blocked_needs_musdesus": _l(
        "Keluarga ini diblokir; keluarga hanya dapat kembali lewat Reaktivasi "
        "dengan keputusan Musdesus."
    ),
    "not_blocked": _l("Keluarga ini tidak diblokir, jadi tidak perlu Reaktivasi."),
    "blocked_route_ok": _l("Jalur sesuai status keluarga."),
    "other_village": _l("Sanggahan hanya untuk penerima di desa Anda sendiri."),
    "same_village": _l("Penerima berada di desa yang sama dengan pengaju."),
    "own_household": _l("Data yang disanggah adalah data keluarga pengaju sendiri."),
    "not_own_household": _l(
        "Sanggah data sendiri hanya untuk keluarga Anda sendiri; "
        "untuk keluarga lain pilih Sanggah penerima lain."
    ),
}


def message(code: str):
    """Return the resident-facing text for a reason code."""
    return MESSAGES.get(code, code)


def _check(name: str, passed: bool, code: str) -> TicketCheck:
    return TicketCheck(name=name, passed=passed, reason=code)


def _duplicate(ticket: Ticket) -> bool:
    query = select(func.count()).where(
        Ticket.kind == ticket.kind,
        Ticket.stage.in_(OPEN_STAGES),
        Ticket.id != ticket.id,
    )
    if ticket.subject_household_id:
        query = query.where(Ticket.subject_household_id == ticket.subject_household_id)
    else:
        query = query.where(Ticket.proposed["nik"].as_string() == ticket.proposed.get("nik"))
    if ticket.program_code:
        query = query.where(Ticket.program_code == ticket.program_code)
    return db.session.scalar(query) > 0


def _new_numbers_registered(proposed: dict) -> bool:
    query = select(func.count()).select_from(Household).outerjoin(Person)
    query = query.where(
        or_(Household.kk_number == proposed.get("kk"), Person.nik == proposed.get("nik"))
    )
    return db.session.scalar(query) > 0


def _desil_check(household: Household, program_code: str) -> TicketCheck:
    if household.desil is None:
        return _check("desil", False, "desil_pending")
    version = rules_in_force(local_today()).get(program_code)
    inside = version is not None and version.desil_min <= household.desil <= version.desil_max
    return _check("desil", inside, "desil_in_range" if inside else "desil_out_of_range")


def screen(ticket: Ticket, submitter_household: Household | None) -> list[TicketCheck]:
    """Run every check that applies to this kind of ticket; return them, not yet stored."""
    # A family new to the registry, entered by accountable village staff (assisted
    # registration of someone without a phone): its head cannot be registered yet.
    staff_new = ticket.entered_by_id is not None and ticket.subject_household_id is None
    if submitter_household is not None:
        identity = _check("identitas", True, "identity_known")
    elif staff_new:
        identity = _check("identitas", True, "identity_staff")
    else:
        identity = _check("identitas", False, "identity_unknown")
    checks = [identity]
    dup = _duplicate(ticket)
    checks.append(_check("tiket_ganda", not dup, "duplicate" if dup else "not_duplicate"))
    household = ticket.subject_household
    if household is None:  # an usul of a family new to the registry
        taken = _new_numbers_registered(ticket.proposed or {})
        code = "new_numbers_registered" if taken else "new_numbers_ok"
        checks.append(_check("keluarga_baru", not taken, code))
        checks.append(_check("desil", True, "desil_pending"))
        return checks
    receiving = recipients_for(household.id, local_today())
    person = ticket.subject_person or household.head
    if ticket.kind in ("usul", "reaktivasi"):
        has = ticket.program_code in receiving
        code = "already_receiving" if has else "not_receiving"
        checks.append(_check("sudah_menerima", not has, code))
        dead = person is not None and person.deceased_date is not None
        checks.append(_check("meninggal", not dead, "deceased" if dead else "alive"))
        if ticket.program_code:
            checks.append(_desil_check(household, ticket.program_code))
        blocked = household.status == "blocked"
        if ticket.kind == "usul":
            code = "blocked_needs_musdesus" if blocked else "blocked_route_ok"
            checks.append(_check("jalur_blokir", not blocked, code))
        else:
            checks.append(
                _check("jalur_blokir", blocked, "blocked_route_ok" if blocked else "not_blocked")
            )
    elif ticket.kind == "sanggah_lain":
        same = (
            submitter_household is not None
            and household.village_code == submitter_household.village_code
        )
        checks.append(_check("desa", same, "same_village" if same else "other_village"))
        wanted = [ticket.program_code] if ticket.program_code else list(receiving)
        is_recipient = any(code in receiving for code in wanted)
        code = "is_recipient" if is_recipient else "not_a_recipient"
        checks.append(_check("penerima", is_recipient, code))
    elif ticket.kind == "sanggah_sendiri":
        # "My own data": a resident may not correct another family's desil or status.
        own = submitter_household is not None and submitter_household.id == household.id
        checks.append(_check("milik_sendiri", own, "own_household" if own else "not_own_household"))
    return checks
