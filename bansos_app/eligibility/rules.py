"""Program rule versions: list them, check a draft, preview its impact per village, add it."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..auth.access import can
from ..extensions import db
from .evaluation import local_today, rules_in_force
from .models import COMPONENT_CODES, PkhComponent, Program, RuleVersion
from .rule_preview import Preview, RuleDraft, draft_version, preview_rule_change

__all__ = ["Preview", "RuleDraft", "RuleError", "add_rule_version", "preview_rule_change"]
__all__ += ["programs_overview", "rule_versions", "validate_draft", "version_state"]

MAX_AMOUNT = 2_000_000_000  # the column is a 32-bit integer


class RuleError(Exception):
    """A draft that cannot be saved: a list of (field, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(errors)
        self.errors = errors


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
    if day > today.replace(year=today.year + 5, day=min(today.day, 28)):
        return [("effective_from", _l("Tanggal berlaku paling lambat lima tahun dari hari ini."))]
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


def add_rule_version(actor, program_code: str, draft: RuleDraft) -> RuleVersion:
    """Save a new version of a program's rule (old ones stay), audited with its impact."""
    if not can(actor, "rules.manage"):
        raise PermissionError("rules.manage")
    errors = validate_draft(program_code, draft)
    if errors:
        raise RuleError(errors)
    impact = preview_rule_change(program_code, draft, sample=0)
    version = draft_version(program_code, draft)
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
