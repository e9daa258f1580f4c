"""Demo tickets: a handful in Giri Kencana and Air Petai at each stage, through the services."""

from datetime import timedelta

from sqlalchemy import select

from ..auth.models import User
from ..eligibility.evaluation import local_today
from ..eligibility.models import Eligibility
from ..eligibility.recipients import recipients_for
from ..extensions import db
from ..registry.models import Household
from .submit import Draft, submit_ticket
from .workflow import Verification, decide_ticket, verify_ticket

# Urai is Giri Kencana's neighbour under the same operator: it fills in when a small test
# registry leaves Giri Kencana with too few families of its own.
GIRI, URAI, AIR_PETAI = "17.03.12.2003", "17.03.12.2001", "17.03.14.2017"
RINA_NIK, RINA_KK = "1703124203920004", "1703120506250004"
DEDI_NIK, DEDI_KK = "1703142208880002", "1703141010200003"
# Sri Wahyuni's and Bambang's families stay free of demo tickets: the kiosk walkthroughs
# and their tests start from them.
SRI_KK, BAMBANG_KK = "1703122003180001", "1703121505190002"
TAKEN = (SRI_KK, BAMBANG_KK, RINA_KK, DEDI_KK)


def _household(kk: str) -> Household:
    return db.session.scalar(select(Household).where(Household.kk_number == kk))


def _village_households(village: str):
    """Active households of the village other than the named demo families, newest first."""
    query = select(Household).where(
        Household.village_code == village,
        Household.status == "active",
        Household.kk_number.not_in(TAKEN),
    )
    # From the end of the list: tests pick households from the start.
    return db.session.scalars(query.order_by(Household.id.desc())).all()


def _head_nik(household: Household) -> str:
    return household.head.nik


def _eligible_not_receiving(village: str, program: str) -> Household | None:
    today = local_today()
    for household in _village_households(village):
        state = db.session.scalar(
            select(Eligibility.state).where(
                Eligibility.household_id == household.id, Eligibility.program_code == program
            )
        )
        if state == "eligible" and program not in recipients_for(household.id, today):
            return household
    return None


def _receiving(village: str, program: str, skip=()) -> Household | None:
    today = local_today()
    for household in _village_households(village):
        if household.id not in skip and program in recipients_for(household.id, today):
            return household
    return None


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _verify(username: str, ticket, decision="setuju") -> None:
    operator = _user(username)
    verification = Verification(
        field_notes="Dicek ke rumah bersama kepala dusun.",
        forum="musdes",
        forum_date=local_today() - timedelta(days=1),
        minutes_number="BA-DEMO/01",
        attendance=21,
        village_decision=decision,
    )
    verify_ticket(operator, ticket.id, verification)


def add_demo_tickets() -> None:
    """Submit the demo tickets, each through the services, in Giri Kencana and Air Petai.

    Rina Marlina's usul and Dedi Kurniawan's Reaktivasi are left for the walkthrough
    (docs/tiket.md) and its tests to submit: a demo copy would make them duplicates.
    """
    giri = _village_households(GIRI) + _village_households(URAI)
    air_petai = _village_households(AIR_PETAI)
    if len(giri) < 2 or not air_petai:
        return  # a registry too small for the rest
    pairs = (
        (objector, _receiving(objector.village_code, "SEMBAKO", skip=(objector.id,)))
        for objector in giri
    )
    objector, target = next(((o, t) for o, t in pairs if t is not None), (None, None))
    if target is not None:  # a neighbour who moved away: waits for the village
        draft = Draft("sanggah_lain", "phone", _head_nik(objector), subject_household_id=target.id)
        draft.reason_code, draft.text = "pindah", "Sudah pindah ke kabupaten lain."
        submit_ticket(None, draft)
    own = giri[1]  # a missing member: verified, waits for Dinsos
    ticket = submit_ticket(
        None,
        Draft(
            "sanggah_sendiri",
            "kiosk",
            _head_nik(own),
            subject_household_id=own.id,
            reason_code="anggota",
            text="Anak kedua belum tercatat.",
        ),
    )
    _verify("operator", ticket)
    proposed = _eligible_not_receiving(AIR_PETAI, "PBI")
    if proposed is not None:  # a PBI-JKN usul verified by Air Petai
        ticket = submit_ticket(
            None,
            Draft("usul", "kiosk", _head_nik(proposed), "PBI", subject_household_id=proposed.id),
        )
        if ticket.stage == "screened":
            _verify("operator-ap", ticket)
    already = _receiving(AIR_PETAI, "SEMBAKO") or _receiving(URAI, "SEMBAKO")
    if already is not None:  # already receiving: answered at once (auto-rejected)
        submit_ticket(
            None,
            Draft("usul", "kiosk", _head_nik(already), "SEMBAKO", subject_household_id=already.id),
        )
    member = air_petai[0]  # a member to add: approved, not yet closed
    ticket = submit_ticket(
        None,
        Draft(
            "sanggah_sendiri",
            "phone",
            _head_nik(member),
            subject_household_id=member.id,
            reason_code="anggota",
            text="Istri belum tercatat di KK.",
        ),
    )
    _verify("operator-ap", ticket)
    decide_ticket(_user("dinsos"), ticket.id, True, "Anggota dicatat di halaman keluarga.")
