"""The kiosk status page issues as many SQL statements for a family of 9 as for a family of 2."""

from datetime import date

from sqlalchemy import event, select

from bansos_app.extensions import db
from bansos_app.kiosk.services import VISIT_COOKIE, start_visit
from bansos_app.registry.models import Household, Person

# Members 2..9 of the large family, each counting for a different PKH component.
EXTRA = [
    dict(birth_date=date(2021, 5, 1), relation="anak"),
    dict(birth_date=date(2016, 5, 1), relation="anak", school_level="SD"),
    dict(birth_date=date(2012, 5, 1), relation="anak", school_level="SMP"),
    dict(birth_date=date(2009, 5, 1), relation="anak", school_level="SMA"),
    dict(birth_date=date(1995, 5, 1), relation="pasangan", pregnant=True),
    dict(birth_date=date(1990, 5, 1), relation="lainnya", severe_disability=True),
    dict(birth_date=date(1950, 5, 1), relation="orang_tua"),
    dict(birth_date=date(1948, 5, 1), relation="orang_tua", deceased_date=date(2025, 1, 2)),
]


def _shape_family(household_id: int) -> None:
    """Give the members the ages and attributes that make the page do per-member work."""
    members = db.session.scalars(
        select(Person).where(Person.household_id == household_id).order_by(Person.id)
    ).all()
    for person, attrs in zip(members[1:], EXTRA, strict=False):
        for name, value in attrs.items():
            setattr(person, name, value)
    db.session.commit()


def _evaluate() -> None:
    """Store the answers when evaluation exists (the status page is moving to read them)."""
    try:
        from bansos_app.eligibility.evaluation import evaluate_all
    except ImportError:
        return
    evaluate_all()


def _visit_token(household_id: int) -> str:
    head = db.session.scalars(
        select(Person).where(Person.household_id == household_id).order_by(Person.id)
    ).first()
    household = db.session.get(Household, household_id)
    _visit, token = start_visit(head.nik, household.kk_number)
    return token


def _statements_per_get(app, client, token: str) -> list[str]:
    """The SQL statements of one status GET, after a warm-up GET."""
    client.set_cookie(VISIT_COOKIE, token)
    assert client.get("/status").status_code == 200
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get("/status")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return seen


def test_status_queries_do_not_grow_with_family_size(app, make_household):
    small = make_household(desil=2, members=2)
    large = make_household(desil=2, members=9)
    with app.app_context():
        _shape_family(large)
        _evaluate()
        tokens = {small: _visit_token(small), large: _visit_token(large)}
    counts = {
        hid: _statements_per_get(app, app.test_client(), token) for hid, token in tokens.items()
    }
    assert len(counts[small]) == len(counts[large]), counts
    # Visit + household + village + members, desil history, answers with the version in
    # force and PKH components, recipients, vouchers to print with their period, the
    # household's tickets: six round trips (eleven before they were merged).
    assert len(counts[small]) <= 6, counts[small]


def test_printable_vouchers_add_no_query_per_voucher(app, make_household, make_voucher):
    plain = make_household(desil=2, members=2)
    holder = make_household(desil=2, members=2)
    make_voucher(household_id=holder)
    make_voucher(program="LPG", value=60_000, household_id=holder)
    with app.app_context():
        _evaluate()
        tokens = [_visit_token(plain), _visit_token(holder)]
    counts = [len(_statements_per_get(app, app.test_client(), t)) for t in tokens]
    assert counts[0] == counts[1], counts


def test_status_get_only_reads(app, make_household):
    hid = make_household(desil=2, members=3)
    with app.app_context():
        _evaluate()
        token = _visit_token(hid)
    statements = _statements_per_get(app, app.test_client(), token)
    writes = [s for s in statements if not s.lstrip().upper().startswith("SELECT")]
    assert writes == [], "showing the status should not write (no audit event or visit update)"
