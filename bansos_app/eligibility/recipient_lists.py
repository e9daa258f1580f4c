"""Fixing a recipient list (penetapan): check the SK, period and quotas, select in one INSERT."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, insert, literal, select, text

from ..audit.services import record
from ..auth.access import in_scope, scoped_village_codes
from ..extensions import db
from ..locking import lock_row
from ..models_base import utcnow
from ..registry.models import Household, Person, Region
from .models import Eligibility, Program
from .recipient_models import Recipient, RecipientList, VillageQuota
from .recipients import MODES, RecipientError, eligible_counts, local_today


def _check_quotas(mode: str, quotas: dict | None, eligible: dict[str, int], actor) -> dict:
    """Every quota a whole number from 0 up to the village's eligible count; blank means 0."""
    if mode not in MODES:
        raise RecipientError(_l("Pilih cara penetapan."), "mode")
    if mode == "all":
        return {}
    quotas = {code: q for code, q in (quotas or {}).items() if q is not None}
    for code, quota in sorted(quotas.items()):
        if actor is not None and not in_scope(actor, code):
            raise RecipientError(_l("Desa %(code)s di luar wilayah Anda.", code=code), "quota")
        if quota < 0:
            raise RecipientError(_l("Kuota desa %(code)s tidak boleh negatif.", code=code), "quota")
        if quota > eligible.get(code, 0):
            raise RecipientError(
                _l(
                    "Kuota desa %(code)s (%(quota)d) melebihi jumlah keluarga layak (%(n)d).",
                    code=code,
                    quota=quota,
                    n=eligible.get(code, 0),
                ),
                "quota",
            )
    # Villages left blank get 0, written down so that the record shows they got none.
    checked = {code: quotas.get(code, 0) for code in eligible}
    if not any(checked.values()):
        # An empty list would still block its whole period for the program (no overlaps).
        raise RecipientError(_l("Isi kuota paling sedikit satu desa."), "quota")
    return checked


def preview_recipient_list(
    program_code: str, mode: str, quotas=None, village_codes=None, eligible=None
):
    """Per village in scope: name, eligible households, how many would be selected, quota."""
    if eligible is None:  # the caller may have counted them already in this request
        eligible = eligible_counts(program_code, village_codes)
    checked = _check_quotas(mode, quotas, eligible, None)
    names = dict(
        db.session.execute(select(Region.code, Region.name).where(Region.code.in_(eligible))).all()
    )
    return [
        {
            "village_code": code,
            "name": names.get(code, code),
            "eligible": n,
            "quota": checked.get(code) if mode == "quota" else None,
            "selected": checked.get(code, 0) if mode == "quota" else n,
        }
        for code, n in sorted(eligible.items())
    ]


def _ranked(program_code: str, village_codes):
    """Eligible households numbered per village: desil, then more living members, then id."""
    # One grouped pass over persons joined by hash: faster than a count per household.
    living = (
        select(Person.household_id, func.count().label("n"))
        .where(Person.deceased_date.is_(None))
        .group_by(Person.household_id)
        .subquery()
    )
    rank = func.row_number().over(
        partition_by=Household.village_code,
        order_by=(Household.desil, func.coalesce(living.c.n, 0).desc(), Household.id),
    )
    query = (
        select(Household.id, Household.village_code, Household.desil, rank.label("rank"))
        .join(Eligibility, Eligibility.household_id == Household.id)
        .outerjoin(living, living.c.household_id == Household.id)
        .where(Eligibility.program_code == program_code, Eligibility.state == "eligible")
        # A family waiting for its assessment (desil NULL) is never eligible; should a stale
        # answer say otherwise, it still gets no rank (NULL sorts first on SQLite, last on
        # PostgreSQL, and would jump the queue on one of them).
        .where(Household.desil.is_not(None))
    )
    if village_codes is not None:
        query = query.where(Household.village_code.in_(village_codes))
    return query.subquery()


def _insert_recipients(actor, lst: RecipientList, village_codes) -> None:
    """One INSERT ... SELECT: every eligible household, or per village up to its quota."""
    ranked = _ranked(lst.program_code, village_codes)
    chosen = select(
        literal(lst.id),
        ranked.c.id,
        literal(lst.program_code),
        ranked.c.village_code,
        literal("active"),
        ranked.c.desil,
        ranked.c.rank,
        literal(utcnow(), db.DateTime),
        literal(getattr(actor, "id", None), db.Integer),
        literal(f"SK {lst.sk_number}"),
        literal(""),
    )
    if lst.mode == "quota":
        chosen = chosen.join(
            VillageQuota,
            and_(
                VillageQuota.list_id == lst.id, VillageQuota.village_code == ranked.c.village_code
            ),
        ).where(ranked.c.rank <= VillageQuota.quota)
    columns = ["list_id", "household_id", "program_code", "village_code", "state", "desil"]
    columns += ["rank", "added_at", "added_by_id", "added_reason", "removed_reason"]
    db.session.execute(insert(Recipient).from_select(columns, chosen))


def _check_period(program_code, valid_from, valid_until, sk_number, sk_date) -> str:
    """The SK and the period, before anything is written; return the SK number, trimmed."""
    sk_number = (sk_number or "").strip()
    if not sk_number:
        raise RecipientError(_l("Isi nomor SK penetapan."), "sk_number")
    if len(sk_number) > 80:
        raise RecipientError(_l("Nomor SK paling banyak 80 huruf."), "sk_number")
    if sk_date is None:
        raise RecipientError(_l("Isi tanggal SK."), "sk_date")
    if sk_date > local_today():
        raise RecipientError(_l("Tanggal SK tidak boleh di masa depan."), "sk_date")
    if valid_from is None or valid_until is None:
        raise RecipientError(_l("Isi tanggal mulai dan akhir masa berlaku."), "valid_from")
    if valid_until < valid_from:
        raise RecipientError(_l("Akhir masa berlaku sebelum tanggal mulai."), "valid_until")
    if valid_until < local_today():
        raise RecipientError(_l("Masa berlaku sudah lewat."), "valid_until")
    if db.session.get(Program, program_code) is None:
        raise RecipientError(_l("Pilih program."), "program")
    return sk_number


def _check_overlap(program_code, valid_from, valid_until) -> None:
    overlap = db.session.scalar(
        select(RecipientList.id).where(
            RecipientList.program_code == program_code,
            RecipientList.valid_from <= valid_until,
            RecipientList.valid_until >= valid_from,
        )
    )
    if overlap is not None:
        raise RecipientError(
            _l("Masa berlaku bertumpang tindih dengan daftar lain untuk program ini."), "valid_from"
        )


def check_list_terms(program_code, valid_from, valid_until, sk_number, sk_date) -> None:
    """Raise RecipientError if the SK or period would be refused (for the preview)."""
    _check_period(program_code, valid_from, valid_until, sk_number, sk_date)
    _check_overlap(program_code, valid_from, valid_until)


def fix_recipient_list(
    actor, program_code, valid_from, valid_until, sk_number, sk_date, mode, quotas=None
) -> RecipientList:
    """Fix (tetapkan) a program's recipient list for a period under an SK; audited, committed."""
    sk_number = _check_period(program_code, valid_from, valid_until, sk_number, sk_date)
    # One fixer per program at a time, so two overlapping lists cannot both pass the check.
    lock_row(Program, program_code)
    try:
        _check_overlap(program_code, valid_from, valid_until)
    except RecipientError:
        db.session.rollback()
        raise
    # No actor is the system itself (demo data, a command): every village.
    scope = scoped_village_codes(actor) if actor is not None else None
    try:
        checked = _check_quotas(mode, quotas, eligible_counts(program_code, scope), actor)
    except RecipientError:
        db.session.rollback()
        raise
    lst = RecipientList(
        program_code=program_code,
        valid_from=valid_from,
        valid_until=valid_until,
        sk_number=sk_number,
        sk_date=sk_date,
        mode=mode,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(lst)
    db.session.flush()
    db.session.add_all(
        VillageQuota(list_id=lst.id, village_code=c, quota=q) for c, q in checked.items()
    )
    db.session.flush()
    _insert_recipients(actor, lst, scope)
    per_village = dict(
        db.session.execute(
            select(Recipient.village_code, func.count())
            .where(Recipient.list_id == lst.id)
            .group_by(Recipient.village_code)
        ).all()
    )
    record(
        actor,
        "recipients.list_fixed",
        lst,
        program=program_code,
        sk_number=sk_number,
        sk_date=sk_date.isoformat(),
        valid_from=valid_from.isoformat(),
        valid_until=valid_until.isoformat(),
        mode=mode,
        total=sum(per_village.values()),
        villages=per_village,
    )
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Fresh statistics now: with the new rows still unknown to the planner, the review
        # counts picked a nested loop that took minutes on 250,000 households.
        db.session.execute(text("ANALYZE recipient"))
        db.session.commit()
    return lst


def _review_flag():
    return and_(Recipient.state == "active", Eligibility.state == "not_eligible")


def list_summaries(village_codes=None) -> list:
    """Every list, newest period first, with (list, active, removed, needing review) counts."""
    in_scope_rows = Recipient.list_id == RecipientList.id
    if village_codes is not None:
        in_scope_rows = and_(in_scope_rows, Recipient.village_code.in_(village_codes))
    query = (
        select(
            RecipientList,
            func.count(case((Recipient.state == "active", 1))),
            func.count(case((Recipient.state == "removed", 1))),
            func.count(case((_review_flag(), 1))),
        )
        .outerjoin(Recipient, in_scope_rows)
        .outerjoin(
            Eligibility,
            and_(
                Eligibility.household_id == Recipient.household_id,
                Eligibility.program_code == Recipient.program_code,
            ),
        )
        .group_by(RecipientList.id)
        .order_by(RecipientList.valid_from.desc(), RecipientList.id.desc())
    )
    return db.session.execute(query).all()


@dataclass
class RowPage:
    """One page of rows (tuples, not entities: Flask-SQLAlchemy's paginate keeps only these)."""

    items: list
    total: int
    page: int
    pages: int


def paginate_rows(query, page: int, per_page: int) -> RowPage:
    """Count, clamp the page number into range, and fetch that page's rows."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)  # a link from when there were more rows
    items = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return RowPage(items, total, page, pages)


def recipient_rows(list_id: int, village_codes=None, village=None, review_only=False):
    """Select a list's recipients with KK, head's name and stored answer, for one page."""
    head = (
        select(Person.name)
        .where(Person.household_id == Recipient.household_id)
        .order_by(case((Person.relation == "kepala", 0), else_=1), Person.id)
        .limit(1)
        .correlate(Recipient)
        .scalar_subquery()
    )
    query = (
        select(Recipient, Household.kk_number, head.label("head_name"), Eligibility.state)
        .join(Household, Household.id == Recipient.household_id)
        .outerjoin(
            Eligibility,
            and_(
                Eligibility.household_id == Recipient.household_id,
                Eligibility.program_code == Recipient.program_code,
            ),
        )
        .where(Recipient.list_id == list_id)
    )
    if village_codes is not None:
        query = query.where(Recipient.village_code.in_(village_codes))
    if village:
        query = query.where(Recipient.village_code == village)
    if review_only:
        query = query.where(_review_flag())
    # Within a village in the order chosen; households added later (no rank) come last.
    return query.order_by(
        Recipient.village_code, Recipient.rank.is_(None), Recipient.rank, Recipient.household_id
    )
