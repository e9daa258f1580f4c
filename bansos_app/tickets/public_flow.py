"""The resident's usul-sanggah flow: which screen comes next, and the choices each one offers."""

from datetime import date

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import and_, exists, func, select

from ..eligibility.evaluation import local_today
from ..eligibility.models import Program
from ..eligibility.recipient_models import Recipient, RecipientList
from ..eligibility.recipients import recipients_for
from ..eligibility.services import age_on
from ..extensions import db
from ..registry.identity import mask_number
from ..registry.models import Household, Person

PAGE = 6  # families a screen: big rows, no scrolling on a landscape kiosk
ADULT = 17  # who may submit: a member old enough to hold a KTP
FLOW_MINUTES = 30

# Each screen and the answer it stores; a screen is shown while its answer is missing.
ANSWERS = {
    "who": "who",
    "kind": "kind",
    "whom": "whom",
    "family": "name",
    "pick": "household",
    "program": "program",
    "own_reason": "reason",
    "other_reason": "reason",
    "text": "text_done",
    "confirm": None,
}


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def sign(state: dict, salt: str = "usul-flow") -> str:
    """Return the flow state as a signed value for a hidden field (never for a URL)."""
    return _serializer(salt).dumps(state)


def unsign(value: str | None, visit_id: int, salt: str = "usul-flow", minutes=FLOW_MINUTES):
    """Return the state a signed value holds for this visit, or None if forged, old or foreign."""
    if not value or len(value) > 4000:
        return None
    try:
        state = _serializer(salt).loads(value, max_age=minutes * 60)
    except BadSignature:
        return None
    # A value from another resident's visit (a kiosk is shared) starts nothing.
    return state if isinstance(state, dict) and state.get("v") == visit_id else None


def adults(household: Household, today: date | None = None) -> list[Person]:
    """Return the living members who may submit (17 or older; all living if none is)."""
    today = today or local_today()
    living = [p for p in household.members if p.deceased_date is None]
    grown = [p for p in living if age_on(p.birth_date, today) >= ADULT]
    return grown or living


def steps(state: dict) -> list[str]:
    """Return the screens of the flow as far as the answers so far decide it."""
    names = ["who", "kind"]
    kind = state.get("kind")
    if kind == "usul":
        names.append("whom")
        whom = state.get("whom")
        if whom == "new":
            names.append("family")
        elif whom == "registry":
            names.append("pick")
        names.append("program")
    elif kind == "sanggah_sendiri":
        names.append("own_reason")
    elif kind == "sanggah_lain":
        names += ["pick", "other_reason"]
    elif kind == "reaktivasi":
        names.append("program")
    return [*names, "text", "confirm"] if kind else names


def current_step(state: dict) -> str:
    """Return the first screen whose answer is still missing."""
    return next(s for s in steps(state) if ANSWERS[s] is None or ANSWERS[s] not in state)


def go_back(state: dict) -> dict:
    """Forget the answer of the screen before the current one."""
    names = steps(state)
    at = names.index(current_step(state))
    for name in reversed(names[:at]):
        if name == "who" and state.get("who_auto"):
            continue  # chosen for the resident: nothing to go back to
        state.pop(ANSWERS[name], None)
        state.pop("preset", None)  # from here on the resident chooses: count every screen
        if name == "family":
            state.pop("nik", None)
            state.pop("kk", None)
        if name == "kind":
            # Everything after the kind depends on it.
            for key in ("whom", "name", "nik", "kk", "household", "program", "reason", "text"):
                state.pop(key, None)
        break
    return state


def programs_open_to(household_id: int | None) -> list[Program]:
    """Return the programs a household does not receive (all for a family new to the registry)."""
    programs = db.session.scalars(select(Program).order_by(Program.sort_order)).all()
    if household_id is None:
        return programs
    receiving = recipients_for(household_id, local_today())
    return [p for p in programs if p.code not in receiving]


def programs_offered(state: dict, own_id: int) -> list[Program]:
    """Return the program screen's choices: those not yet received by one's own family, else all."""
    # Leaving out what another family already receives would tell what that family receives.
    own = state.get("kind") == "reaktivasi" or state.get("whom") == "mine"
    return programs_open_to(own_id if own else None)


def _is_recipient(today: date):
    return exists().where(
        Recipient.household_id == Household.id,
        Recipient.state == "active",
        Recipient.list_id == RecipientList.id,
        and_(RecipientList.valid_from <= today, RecipientList.valid_until >= today),
    )


def _families(village: str, own_id: int, recipients_only: bool):
    query = (
        select(Household.id, Person.name, Household.kk_number)
        .join(Person, and_(Person.household_id == Household.id, Person.relation == "kepala"))
        .where(Household.village_code == village, Household.id != own_id)
    )
    if recipients_only:
        query = query.where(_is_recipient(local_today()))
    return query


def village_families(village: str, own_id: int, recipients_only: bool, letter: str, page: int):
    """Return one page of the village's families (id, head name, masked KK) and if more follow."""
    query = _families(village, own_id, recipients_only)
    if letter:
        query = query.where(func.upper(func.substr(Person.name, 1, 1)) == letter)
    rows = db.session.execute(
        query.order_by(Person.name, Household.id).offset(page * PAGE).limit(PAGE + 1)
    ).all()
    shown = [(hid, name, mask_number(kk)) for hid, name, kk in rows[:PAGE]]
    return shown, len(rows) > PAGE


def family_allowed(village: str, own_id: int, recipients_only: bool, household_id) -> bool:
    """Return whether a posted household is one the list offered (the field can be forged)."""
    if not isinstance(household_id, int):
        return False
    query = _families(village, own_id, recipients_only).where(Household.id == household_id)
    return db.session.execute(query).first() is not None


def head_name(household_id: int | None) -> str:
    """Return the name of a household's head, for the confirm screen."""
    household = db.session.get(Household, household_id) if household_id else None
    head = household.head if household else None
    return head.name if head else "-"
