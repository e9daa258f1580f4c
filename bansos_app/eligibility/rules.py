"""Program rule versions: list them, check a draft, preview its impact per village, add it."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..auth.access import can
from ..extensions import db
from ..registry.identity import mask_number
from ..registry.models import Household, Person, Region
from .evaluation import answers, local_today, rules_in_force
from .models import COMPONENT_CODES, PkhComponent, Program, RuleVersion

MAX_AMOUNT = 2_000_000_000  # the column is a 32-bit integer
SAMPLE_VILLAGES = 20  # villages that get named sample households; the rest only counts


@dataclass
class RuleDraft:
    """A rule version as typed in the form, not saved yet."""

    effective_from: date
    desil_min: int
    desil_max: int
    note: str
    amount: int | None = None
    member_cap: int | None = None
    elderly_age: int | None = None
    components: dict[str, int] | None = None  # PKH: code -> rupiah per year


class RuleError(Exception):
    """A draft that cannot be saved: a list of (field, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class VillageImpact:
    """One village's households that gain and lose the program, with a few named ones."""

    code: str
    name: str
    gain: int = 0
    lose: int = 0
    gain_sample: list = field(default_factory=list)
    lose_sample: list = field(default_factory=list)


@dataclass
class Preview:
    """What a draft would change on its effective date, against the rule otherwise in force."""

    baseline: RuleVersion | None
    villages: list[VillageImpact]

    @property
    def gain(self) -> int:
        """Households that would gain the program in all villages."""
        return sum(v.gain for v in self.villages)

    @property
    def lose(self) -> int:
        """Households that would lose the program in all villages."""
        return sum(v.lose for v in self.villages)


def get_program(code: str) -> Program | None:
    """Return the program with this code, or None."""
    return db.session.get(Program, code) if len(code) <= 12 else None


def rule_versions(program_code: str) -> list[RuleVersion]:
    """Return every version of a program's rule, newest effective date first."""
    query = select(RuleVersion).where(RuleVersion.program_code == program_code)
    return list(db.session.scalars(query.order_by(RuleVersion.effective_from.desc())))


def version_state(version: RuleVersion, in_force: RuleVersion | None, today: date) -> str:
    """Say whether a version is in force ("berlaku"), upcoming ("akan") or past ("lama")."""
    if version.effective_from > today:
        return "akan"
    return "berlaku" if in_force is not None and version.id == in_force.id else "lama"


def programs_overview(today: date | None = None) -> list[dict]:
    """Every program with the version in force today and the versions still to come."""
    today = today or local_today()
    in_force = rules_in_force(today)
    programs = db.session.scalars(select(Program).order_by(Program.sort_order, Program.code))
    return [
        {
            "program": p,
            "in_force": in_force.get(p.code),
            "upcoming": [v for v in p.versions if v.effective_from > today],
        }
        for p in programs
    ]


def validate_draft(program_code: str, draft: RuleDraft, today: date | None = None) -> list:
    """Return what is wrong with a draft as (field, message) pairs; empty when it can be saved."""
    program = get_program(program_code)
    if program is None:
        return [("program", _l("Program tidak dikenal."))]
    today = today or local_today()
    errors = []
    for name in ("desil_min", "desil_max"):
        if not 1 <= getattr(draft, name) <= 10:
            errors.append((name, _l("Desil harus antara 1 dan 10.")))
    if not errors and draft.desil_min > draft.desil_max:
        errors.append(("desil_min", _l("Desil terendah tidak boleh di atas desil tertinggi.")))
    errors += _date_errors(program_code, draft.effective_from, today)
    if program.kind == "voucher":
        errors += _amount_errors("amount", draft.amount, required=True)
    if program.code == "PKH":
        errors += _pkh_errors(draft)
    if not draft.note.strip():
        errors.append(("note", _l("Isi dasar perubahan, misalnya nomor keputusan menteri.")))
    return errors


def _date_errors(program_code: str, day: date, today: date) -> list:
    if day < today:
        return [("effective_from", _l("Tanggal berlaku tidak boleh sebelum hari ini."))]
    current = rules_in_force(today).get(program_code)
    if current is not None and day <= current.effective_from:
        message = _l("Tanggal berlaku harus sesudah tanggal versi yang berlaku sekarang.")
        return [("effective_from", message)]
    taken = select(RuleVersion.id).where(
        RuleVersion.program_code == program_code, RuleVersion.effective_from == day
    )
    if db.session.scalar(taken) is not None:
        return [("effective_from", _l("Sudah ada versi yang berlaku mulai tanggal itu."))]
    return []


def _amount_errors(name: str, amount: int | None, required: bool = False) -> list:
    if amount is None:
        return [(name, _l("Isi nilai dalam rupiah."))] if required else []
    if amount < 0:
        return [(name, _l("Nilai tidak boleh negatif."))]
    if amount > MAX_AMOUNT:
        return [(name, _l("Nilai terlalu besar."))]
    return []


def _pkh_errors(draft: RuleDraft) -> list:
    errors = []
    if draft.member_cap is None or draft.member_cap < 1:
        errors.append(("member_cap", _l("Batas anggota yang dihitung paling sedikit 1.")))
    elif draft.member_cap > 20:
        errors.append(("member_cap", _l("Batas anggota yang dihitung paling banyak 20.")))
    if draft.elderly_age is None or not 40 <= draft.elderly_age <= 100:
        errors.append(("elderly_age", _l("Usia lansia harus antara 40 dan 100 tahun.")))
    components = draft.components or {}
    for code in COMPONENT_CODES:
        errors += _amount_errors(f"comp_{code}", components.get(code), required=True)
    if not errors and not any(components.values()):
        errors.append(("comp_pregnant", _l("Paling sedikit satu komponen harus bernilai.")))
    return errors


def _draft_version(program_code: str, draft: RuleDraft) -> RuleVersion:
    """A RuleVersion for the draft, never added to the session (no program relationship set)."""
    return RuleVersion(
        program_code=program_code,
        effective_from=draft.effective_from,
        desil_min=draft.desil_min,
        desil_max=draft.desil_max,
        amount=draft.amount,
        member_cap=draft.member_cap,
        elderly_age=draft.elderly_age,
        note=draft.note.strip(),
    )


def _candidates(draft: RuleDraft, baseline: RuleVersion | None):
    """Households whose answer can differ, by desil, or None when none can."""
    # Outside both desil ranges nobody qualifies; inside both, only PKH's member rules (elderly
    # age, cap, components) can change an answer. Leaving the rest out keeps 250,000
    # households within seconds: a narrower Sembako range reads only the desil it drops.
    new = set(range(draft.desil_min, draft.desil_max + 1))
    if baseline is None:
        desils = new
    else:
        old = set(range(baseline.desil_min, baseline.desil_max + 1))
        same_members = draft.components is None or (
            (draft.elderly_age, draft.member_cap) == (baseline.elderly_age, baseline.member_cap)
            and draft.components == {c.code: c.yearly_amount for c in baseline.components}
        )
        desils = new ^ old if same_members else new | old
    if not desils:
        return None
    return select(Household.id).where(Household.desil.in_(sorted(desils)))


def _changes(program_code: str, draft: RuleDraft, baseline: RuleVersion | None, sample: int):
    """Changed households ranked per village and direction, with the count per group."""
    candidates = _candidates(draft, baseline)
    if candidates is None:
        return []
    day = draft.effective_from
    components = draft.components if program_code == "PKH" else None
    version = _draft_version(program_code, draft)
    new = answers(version, day, candidates, components=components).subquery()
    now = new.c.state == "eligible"
    if baseline is None:  # nobody has the program before its first version
        rows = select(new.c.household_id, new.c.village_code, literal("gain").label("change"))
        rows = rows.where(now)
    else:
        old = answers(baseline, day, candidates).subquery()
        change = case((now, literal("gain")), else_=literal("lose")).label("change")
        rows = select(new.c.household_id, new.c.village_code, change)
        rows = rows.join(old, old.c.household_id == new.c.household_id)
        rows = rows.where(new.c.state != old.c.state)
    rows = rows.subquery()
    group = (rows.c.village_code, rows.c.change)
    ranked = select(
        rows.c.village_code,
        rows.c.change,
        rows.c.household_id,
        func.count().over(partition_by=group).label("n"),
        func.row_number().over(partition_by=group, order_by=rows.c.household_id).label("rn"),
    ).subquery()
    # At least one row per group, which carries its count.
    query = select(ranked).where(ranked.c.rn <= max(sample, 1))
    return db.session.execute(query.order_by(ranked.c.village_code, ranked.c.rn)).all()


def preview_rule_change(program_code: str, draft: RuleDraft, sample: int = 5) -> Preview:
    """Count per village the households that gain and lose the program under the draft."""
    baseline = rules_in_force(draft.effective_from).get(program_code)
    villages: dict[str, VillageImpact] = {}
    picked: list[tuple[VillageImpact, str, int]] = []
    for code, change, household_id, n, rn in _changes(program_code, draft, baseline, sample):
        village = villages.setdefault(code, VillageImpact(code, code))
        setattr(village, change, n)
        if rn <= sample and len(villages) <= SAMPLE_VILLAGES:
            picked.append((village, change, household_id))
    names = dict(
        db.session.execute(select(Region.code, Region.name).where(Region.code.in_(villages))).all()
    )
    for village in villages.values():
        village.name = names.get(village.code, village.code)
    people = _sample_people([household_id for _, _, household_id in picked])
    for village, change, household_id in picked:
        getattr(village, f"{change}_sample").append(people[household_id])
    return Preview(baseline, sorted(villages.values(), key=lambda v: v.code))


def _sample_people(household_ids: list[int]) -> dict[int, dict]:
    """Name and masked number of each household's head (or its masked KK number)."""
    if not household_ids:
        return {}
    head = and_(Person.household_id == Household.id, Person.relation == "kepala")
    query = (
        select(Household.id, Household.kk_number, Person.name, Person.nik)
        .outerjoin(Person, head)
        .where(Household.id.in_(household_ids))
        .order_by(Person.id)
    )
    people = {}
    for household_id, kk, name, nik in db.session.execute(query):
        people.setdefault(
            household_id,
            {"name": name or "", "number": mask_number(nik or kk), "is_nik": nik is not None},
        )
    return people


def add_rule_version(actor, program_code: str, draft: RuleDraft) -> RuleVersion:
    """Save a new version of a program's rule (old ones stay), audited with its impact."""
    if not can(actor, "rules.manage"):
        raise PermissionError("rules.manage")
    errors = validate_draft(program_code, draft)
    if errors:
        raise RuleError(errors)
    impact = preview_rule_change(program_code, draft, sample=0)
    version = _draft_version(program_code, draft)
    version.created_by_id = actor.id
    if program_code == "PKH":
        version.components = [
            PkhComponent(code=code, yearly_amount=draft.components[code])
            for code in COMPONENT_CODES
        ]
    else:
        version.member_cap = version.elderly_age = None
    db.session.add(version)
    try:
        db.session.flush()
    except IntegrityError:  # another admin saved the same date a moment ago
        db.session.rollback()
        raise RuleError(
            [("effective_from", _l("Sudah ada versi yang berlaku mulai tanggal itu."))]
        ) from None
    record(
        actor,
        "rules.version_added",
        version,
        program=program_code,
        effective_from=draft.effective_from.isoformat(),
        desil_min=draft.desil_min,
        desil_max=draft.desil_max,
        amount=version.amount,
        member_cap=version.member_cap,
        elderly_age=version.elderly_age,
        components=draft.components if program_code == "PKH" else None,
        note=version.note,
        replaces=impact.baseline.id if impact.baseline else None,
        gain=impact.gain,
        lose=impact.lose,
    )
    db.session.commit()
    return version
