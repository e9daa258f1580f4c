"""Helpers for the period, issuance and voiding tests: recipients and a Dinsos actor."""

from datetime import date, timedelta

import pytest

from bansos_app.auth.models import User
from bansos_app.eligibility.evaluation import local_today
from bansos_app.eligibility.recipient_models import Recipient, RecipientList
from bansos_app.extensions import db
from bansos_app.registry.models import Household

GIRI, URAI = "17.03.12.2003", "17.03.12.2001"


def add_recipients(household_ids, program="SEMBAKO", valid_from=None, valid_until=None):
    """Put the households on a new recipient list of the program (straight through the models)."""
    today = local_today()
    lst = RecipientList(
        program_code=program,
        valid_from=valid_from or date(today.year, 1, 1),
        valid_until=valid_until or date(today.year + 1, 12, 31),
        sk_number=f"SK uji {program}",
        sk_date=date(today.year, 1, 1),
        mode="all",
    )
    db.session.add(lst)
    db.session.flush()
    rows = []
    for hid in household_ids:
        household = db.session.get(Household, hid)
        rows.append(
            Recipient(
                list_id=lst.id,
                household_id=hid,
                program_code=program,
                village_code=household.village_code,
                desil=household.desil,
            )
        )
    db.session.add_all(rows)
    db.session.commit()
    return lst


def this_period():
    """Dates of a period running today: from a week ago to a month ahead."""
    today = local_today()
    return today - timedelta(days=7), today + timedelta(days=30)


@pytest.fixture
def dinsos(app, make_user):
    """The Dinsos admin, in a request context (messages are translated), for service calls."""
    user_id = make_user("dinsos1", "dinsos_admin")
    with app.test_request_context():
        yield db.session.get(User, user_id)
        db.session.rollback()


@pytest.fixture
def issued(dinsos, make_household):
    """Two Giri Kencana households with a Sembako and an LPG voucher each."""
    from bansos_app.vouchers.services import issue_vouchers, open_period

    start, end = this_period()
    ids = [make_household(GIRI), make_household(GIRI)]
    for program in ("SEMBAKO", "LPG"):
        add_recipients(ids, program=program)
        issue_vouchers(open_period(dinsos, program, "Tahap 4", start, end), dinsos)
    return ids


def voucher_states(household_id) -> list[tuple]:
    """(program, state, void reason) of the household's vouchers, by program."""
    from bansos_app.vouchers.models import Voucher

    rows = db.session.execute(
        db.select(Voucher.program_code, Voucher.state, Voucher.void_reason)
        .where(Voucher.household_id == household_id)
        .order_by(Voucher.program_code)
    )
    return [tuple(r) for r in rows]
