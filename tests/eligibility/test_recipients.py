"""Recipient lists (penetapan): quotas by desil and tie-breaker, review flags, removal, errors."""

import json
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select

from bansos_app.audit.models import AuditEvent
from bansos_app.auth.models import User
from bansos_app.eligibility.models import Eligibility
from bansos_app.eligibility.recipient_lists import fix_recipient_list, preview_recipient_list
from bansos_app.eligibility.recipient_models import Recipient, RecipientList
from bansos_app.eligibility.recipients import (
    RecipientError,
    active_recipient,
    add_recipient,
    count_needs_review,
    local_today,
    needs_review,
    recipients_for,
    remove_recipient,
)
from bansos_app.extensions import db
from bansos_app.registry.models import Household, Person

GIRI, URAI = "17.03.12.2003", "17.03.12.2001"
FROM, UNTIL = date(2026, 1, 1), date(2026, 12, 31)
SK_DATE = date(2025, 12, 15)


def answer(household_id, program="SEMBAKO", state="eligible", reasons=""):
    """Store an Eligibility row as the lead's evaluation would."""
    db.session.merge(
        Eligibility(
            household_id=household_id,
            program_code=program,
            state=state,
            reasons=reasons,
            as_of=date(2026, 1, 1),
            members_counted=0,
        )
    )
    db.session.commit()


@pytest.fixture
def dinsos(app, make_user, ctx):
    """The Dinsos admin acting in service calls (in a request: messages are translated)."""
    user_id = make_user("dinsos1", "dinsos_admin")
    with app.test_request_context():
        yield db.session.get(User, user_id)


def fix(actor, mode="quota", quotas=None, **kw):
    """Fix a SEMBAKO list for 2026 under a made-up SK, unless told otherwise."""
    args = dict(program_code="SEMBAKO", valid_from=FROM, valid_until=UNTIL, sk_date=SK_DATE)
    args |= dict(sk_number="SK 460/12/Dinsos/2025", mode=mode, quotas=quotas) | kw
    return fix_recipient_list(actor, **args)


def chosen(lst) -> dict[str, list[int]]:
    rows = db.session.execute(
        select(Recipient.village_code, Recipient.household_id)
        .where(Recipient.list_id == lst.id)
        .order_by(Recipient.village_code, Recipient.rank)
    )
    found = {}
    for village, hid in rows:
        found.setdefault(village, []).append(hid)
    return found


def test_quota_takes_lowest_desil_then_more_living_members_then_older_household(
    dinsos, make_household
):
    a = make_household(GIRI, desil=2, members=1)
    b = make_household(GIRI, desil=1, members=1)
    c = make_household(GIRI, desil=2, members=3)
    d = make_household(GIRI, desil=2, members=3)  # same as c, registered later
    e = make_household(URAI, desil=3, members=1)
    not_eligible = make_household(GIRI, desil=1, members=5)
    for hid in (a, b, c, d, e):
        answer(hid)
    answer(not_eligible, state="not_eligible", reasons="blocked")
    # A death counts: c had 3 living members, now 2; still above a's 1.
    person = db.session.scalars(select(Person).where(Person.household_id == c)).all()[-1]
    person.deceased_date = date(2025, 6, 1)
    db.session.commit()

    lst = fix(dinsos, quotas={GIRI: 3, URAI: 1})

    assert chosen(lst) == {GIRI: [b, d, c], URAI: [e]}
    ranks = db.session.execute(
        select(Recipient.household_id, Recipient.rank, Recipient.desil).where(
            Recipient.list_id == lst.id
        )
    ).all()
    assert {(h, r, s) for h, r, s in ranks} == {(b, 1, 1), (d, 2, 2), (c, 3, 2), (e, 1, 3)}
    event_ = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "recipients.list_fixed")
    ).one()
    details = json.loads(event_.details)
    assert details["total"] == 4 and details["villages"] == {GIRI: 3, URAI: 1}
    assert details["sk_number"] == "SK 460/12/Dinsos/2025" and details["mode"] == "quota"


def test_blank_quota_means_none_and_all_mode_takes_everyone(dinsos, make_household):
    hids = [make_household(v, desil=2) for v in (GIRI, GIRI, URAI)]
    for hid in hids:
        answer(hid)
    lst = fix(dinsos, quotas={GIRI: 1})
    assert {v: len(h) for v, h in chosen(lst).items()} == {GIRI: 1}
    quotas = {q.village_code: q.quota for q in lst.quotas}
    assert quotas == {GIRI: 1, URAI: 0}  # written down: Urai got none on purpose
    everyone = fix(dinsos, mode="all", valid_from=date(2027, 1, 1), valid_until=date(2027, 6, 30))
    assert sorted(sum(chosen(everyone).values(), [])) == sorted(hids)


def test_preview_counts_per_village_without_writing(dinsos, make_household):
    for v in (GIRI, GIRI, URAI):
        answer(make_household(v))
    rows = preview_recipient_list("SEMBAKO", "quota", {GIRI: 1})
    assert [(r["village_code"], r["eligible"], r["selected"]) for r in rows] == [
        (URAI, 1, 0),
        (GIRI, 2, 1),
    ]
    assert db.session.scalar(select(func.count(RecipientList.id))) == 0


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"quotas": {GIRI: 3}}, "quota"),  # only 2 eligible there
        ({"quotas": {GIRI: -1}}, "quota"),
        ({"valid_until": date(2025, 12, 31)}, "valid_until"),
        ({"sk_number": "  "}, "sk_number"),
        ({"sk_date": None}, "sk_date"),
        ({"sk_date": date.today() + timedelta(days=2)}, "sk_date"),
        ({"mode": "some"}, "mode"),
        ({"valid_from": date(2026, 12, 1), "valid_until": date(2027, 3, 1)}, "valid_from"),
    ],
)
def test_bad_input_changes_nothing(dinsos, make_household, kw, field):
    for v in (GIRI, GIRI):
        answer(make_household(v))
    if field == "valid_from":  # overlap: a list already holds 2026
        fix(dinsos, mode="all")
    before = db.session.scalar(select(func.count(Recipient.id)))
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    with pytest.raises(RecipientError) as refused:
        fix(dinsos, **kw)
    assert refused.value.field == field
    assert db.session.scalar(select(func.count(Recipient.id))) == before
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events


def test_ineligible_recipient_is_flagged_for_review_and_stays_active(dinsos, make_household):
    a, b = make_household(GIRI), make_household(URAI)
    answer(a), answer(b)
    fix(dinsos, mode="all")
    on = date(2026, 6, 1)
    assert active_recipient(a, "SEMBAKO", on) is not None
    assert active_recipient(a, "SEMBAKO", date(2027, 1, 1)) is None  # outside the period
    # The household is declared mampu and re-evaluated: the answer turns.
    db.session.get(Household, a).status = "graduated"
    answer(a, state="not_eligible", reasons="graduated")
    flagged = db.session.execute(needs_review(on=on)).all()
    assert [(r.household_id, r.program_code, r.reasons) for r in flagged] == [
        (a, "SEMBAKO", "graduated")
    ]
    assert count_needs_review([GIRI], on) == 1 and count_needs_review([URAI], on) == 0
    assert active_recipient(a, "SEMBAKO", on).state == "active"  # never dropped by itself


def test_removal_needs_a_reason_and_is_audited(dinsos, make_household):
    a = make_household(GIRI)
    answer(a)
    fix(dinsos, mode="all")
    recipient = active_recipient(a, "SEMBAKO", date(2026, 3, 1))
    with pytest.raises(RecipientError):
        remove_recipient(dinsos, recipient, "   ")
    assert recipient.state == "active"
    remove_recipient(dinsos, recipient, "Pindah ke luar kabupaten")
    row = db.session.get(Recipient, recipient.id)
    assert (row.state, row.removed_reason, row.removed_by_id) == (
        "removed",
        "Pindah ke luar kabupaten",
        dinsos.id,
    )
    assert row.removed_at is not None
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "recipients.removed"))
    assert json.loads(audit.one().details)["reason"] == "Pindah ke luar kabupaten"
    assert active_recipient(a, "SEMBAKO", date(2026, 3, 1)) is None
    with pytest.raises(RecipientError):
        remove_recipient(dinsos, row, "lagi")


def test_add_recipient_refuses_not_eligible_duplicate_and_full_quota(dinsos, make_household):
    a, b, c = make_household(GIRI), make_household(GIRI), make_household(GIRI)
    answer(a), answer(b), answer(c, state="not_eligible", reasons="desil_out_of_range")
    lst = fix(dinsos, quotas={GIRI: 1}, valid_until=local_today() + timedelta(days=30))
    for hid, why in ((c, "tidak layak"), (a, "sudah ada"), (b, "penuh")):
        with pytest.raises(RecipientError, match=why):
            add_recipient(dinsos, lst, db.session.get(Household, hid), "Usulan disetujui")
    remove_recipient(dinsos, active_recipient(a, "SEMBAKO", FROM), "Meninggal semua")
    added = add_recipient(dinsos, lst, db.session.get(Household, b), "Usulan desa disetujui")
    assert (added.state, added.rank) == ("active", None)
    assert added.added_reason == "Usulan desa disetujui"


def test_recipients_for_is_one_query_whatever_the_programs(app, dinsos, make_household):
    a = make_household(GIRI)
    for program in ("SEMBAKO", "PKH", "LPG"):
        answer(a, program)
        fix(dinsos, mode="all", program_code=program)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        found = recipients_for(a, date(2026, 5, 1))
        assert {code: r.recipient_list.sk_number for code, r in found.items()} == {
            p: "SK 460/12/Dinsos/2025" for p in ("SEMBAKO", "PKH", "LPG")
        }
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 1
    assert recipients_for(a, date(2027, 5, 1)) == {}


def _reference(households, quotas):
    """The rule in plain Python: per village, sort by desil, living members desc, id."""
    picked = {}
    for village in quotas:
        mine = [h for h in households if h["village"] == village and h["eligible"]]
        mine.sort(key=lambda h: (h["desil"], -h["living"], h["id"]))
        picked[village] = [h["id"] for h in mine[: quotas[village]]]
    return {v: ids for v, ids in picked.items() if ids}


household = st.fixed_dictionaries(
    {
        "village": st.sampled_from([GIRI, URAI]),
        "desil": st.integers(1, 4),
        "members": st.integers(1, 4),
        "dead": st.integers(0, 2),
        "eligible": st.booleans(),
    }
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(household, min_size=1, max_size=14), st.data())
def test_quota_selection_matches_the_python_reference(dinsos, make_household, rows, data):
    for table in ("recipient", "village_quota", "recipient_list", "eligibility"):
        db.session.execute(db.metadata.tables[table].delete())  # the previous example's
    db.session.commit()
    households = []
    for row in rows:
        hid = make_household(row["village"], desil=row["desil"], members=row["members"])
        dead = min(row["dead"], row["members"] - 1)
        for person in db.session.scalars(select(Person).where(Person.household_id == hid)).all()[
            :dead
        ]:
            person.deceased_date = date(2025, 1, 1)
        answer(hid, state="eligible" if row["eligible"] else "not_eligible")
        households.append(dict(row, id=hid, living=row["members"] - dead))
    quotas = {}
    for village in (GIRI, URAI):
        n = sum(1 for h in households if h["village"] == village and h["eligible"])
        quotas[village] = data.draw(st.integers(0, n))
    if not any(quotas.values()):
        # A quota list that names nobody is refused (it would block the period).
        with pytest.raises(RecipientError):
            fix(dinsos, quotas=quotas)
        return
    lst = fix(dinsos, quotas=quotas)
    assert chosen(lst) == _reference(households, quotas)


def test_two_overlapping_lists_fixed_at_once_give_one(app, make_user, make_household):
    from tests.conftest import run_at_once

    user_id = make_user("dinsos2", "dinsos_admin")
    with app.app_context():
        for v in (GIRI, URAI):
            answer(make_household(v))

    def attempt(i):
        with app.test_request_context():
            try:
                lst = fix(db.session.get(User, user_id), mode="all", sk_number=f"SK {i}")
                return lst.id
            except RecipientError:
                return None

    results = run_at_once(app, 2, attempt)
    assert sorted(r is None for r in results) == [False, True]
    with app.app_context():
        assert db.session.scalar(select(func.count(RecipientList.id))) == 1
        assert db.session.scalar(select(func.count(Recipient.id))) == 2
