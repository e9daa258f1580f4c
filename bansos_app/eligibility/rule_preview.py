"""The impact preview of a rule draft: who gains and who loses the program, per village."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, literal, select

from ..extensions import db
from ..registry.identity import mask_number
from ..registry.models import Household, Person, Region
from .evaluation import answers, rules_in_force
from .models import RuleVersion

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


def draft_version(program_code: str, draft: RuleDraft) -> RuleVersion:
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
    """Households whose answer can differ, or None when none can."""
    # Outside both desil ranges nobody qualifies; inside both, only who counts for PKH can change
    # an answer: the elderly age, or which components are worth something (amounts and the cap
    # change what is paid, not whether). Leaving the rest out keeps 250,000 households within
    # seconds: a narrower Sembako range reads only the desil it drops.
    new = set(range(draft.desil_min, draft.desil_max + 1))
    old = set(range(baseline.desil_min, baseline.desil_max + 1)) if baseline else set()
    desils = new ^ old
    if draft.components is not None and baseline is not None:
        valued = {c for c, amount in draft.components.items() if amount}
        same_members = draft.elderly_age == baseline.elderly_age and valued == {
            c.code for c in baseline.components if c.yearly_amount
        }
        # Narrowing further (say to those near the elderly age) made PostgreSQL's plans worse.
        desils = desils if same_members else new | old
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
    version = draft_version(program_code, draft)
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
