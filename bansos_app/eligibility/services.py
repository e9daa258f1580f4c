"""What a household receives and why, read from the stored answers and recipient lists."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.orm import contains_eager, joinedload

from ..extensions import db
from .evaluation import evaluate_household, local_today
from .models import Eligibility, Program, RuleVersion
from .reasons import explain
from .recipient_models import Recipient
from .recipients import recipients_for

# Month in which each quarterly PKH stage (tahap) is paid out.
PKH_STAGE_MONTHS = (1, 4, 7, 10)


@dataclass
class ProgramLine:
    """One program's answer for a household: receiving, eligible (not yet set) or not, and why."""

    program: Program
    state: str  # receiving, eligible or not_eligible
    reason: str
    amount: int | None = None
    components: list = field(default_factory=list)
    version: RuleVersion | None = None
    recipient: Recipient | None = None
    needs_review: bool = False  # on a recipient list, but no longer eligible
    reason_codes: list = field(default_factory=list)


@dataclass
class PkhStage:
    """The next quarterly PKH cash stage."""

    number: int
    year: int
    month: int
    amount: int


def age_on(born: date, today: date) -> int:
    """Return a person's age in whole years on `today`."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def pkh_components(household, version: RuleVersion, today: date) -> list[tuple[str, str, int]]:
    """Return (component, member name, yearly rupiah) for the members PKH counts, for display.

    The stored answer is computed in SQL (evaluation.py); this lists the same members, the
    highest-valued first up to the version's cap, so a resident sees who was counted.
    """
    amounts = {c.code: c.yearly_amount for c in version.components if c.yearly_amount > 0}
    counted = []
    for person in household.members:
        if person.deceased_date and person.deceased_date <= today:
            continue
        age = age_on(person.birth_date, today)
        has = {
            "pregnant": person.pregnant,
            "child_0_6": age <= 6,
            person.school_level or "-": True,
            "disability": person.severe_disability,
            "elderly": age >= (version.elderly_age or 60),
        }
        mine = [(code, person.name, amounts[code]) for code in amounts if has.get(code)]
        if mine:
            counted.append((sum(m[2] for m in mine), person.id, mine))
    counted.sort(key=lambda c: (-c[0], c[1]))
    return [item for _, _, mine in counted[: version.member_cap or 4] for item in mine]


def next_pkh_stage(yearly: int, today: date) -> PkhStage:
    """Return the next quarterly stage after today, worth a quarter of the yearly total."""
    for number, month in enumerate(PKH_STAGE_MONTHS, start=1):
        if month > today.month:
            return PkhStage(number, today.year, month, yearly // 4)
    return PkhStage(1, today.year + 1, PKH_STAGE_MONTHS[0], yearly // 4)


def _stored_answers(household_id: int, today: date) -> tuple[list[Eligibility], bool]:
    """Return the household's stored answers in program order, and whether they are stale.

    One round trip: every program, its answer for the household (if any) and the id of the
    version in force today (a correlated subquery, as rules_in_force() picks it: the latest
    effective date that has come; program and date are unique together), so the stale check
    costs no extra queries. Stale means missing, or made under another version.
    """
    in_force = (
        select(RuleVersion.id)
        .where(RuleVersion.program_code == Program.code, RuleVersion.effective_from <= today)
        .order_by(RuleVersion.effective_from.desc())
        .limit(1)
        .correlate(Program)
        .scalar_subquery()
    )
    query = (
        select(Program, Eligibility, in_force)
        .outerjoin(
            Eligibility,
            and_(
                Eligibility.program_code == Program.code,
                Eligibility.household_id == household_id,
            ),
        )
        .options(
            contains_eager(Eligibility.program),
            joinedload(Eligibility.rule_version).joinedload(RuleVersion.components),
        )
        .order_by(Program.sort_order)
    )
    rows = db.session.execute(query).unique().all()
    answers = [row.Eligibility for row in rows if row.Eligibility is not None]
    stale = len(answers) != len(rows) or any(
        row.Eligibility.rule_version_id != row[2] for row in rows
    )
    return answers, stale


def program_lines(household, today: date | None = None) -> list[ProgramLine]:
    """Return one line per program from the stored answers, evaluating first if they are stale.

    Stale means missing, or made under a version that is no longer the one in force (a new
    version took effect and the scheduled full run has not reached this household yet).
    """
    today = today or local_today()
    rows, stale = _stored_answers(household.id, today)
    if stale:
        evaluate_household(household, as_of=today)
        db.session.commit()
        rows, _stale = _stored_answers(household.id, today)
    recipients = recipients_for(household.id, today)
    lines = []
    for row in rows:
        recipient = recipients.get(row.program_code)
        eligible = row.state == "eligible"
        line = ProgramLine(
            program=row.program,
            state="receiving" if recipient else ("eligible" if eligible else "not_eligible"),
            reason=explain(row, household),
            amount=row.amount if eligible else None,
            version=row.rule_version,
            recipient=recipient,
            needs_review=bool(recipient) and not eligible,
            reason_codes=row.reason_codes,
        )
        if eligible and row.program.code == "PKH" and row.rule_version:
            line.components = pkh_components(household, row.rule_version, today)
        lines.append(line)
    return lines
