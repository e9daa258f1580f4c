"""Registry pages for a family waiting for its assessment: words, a filter, no crash."""

import re

import pytest
from sqlalchemy import select

from bansos_app.eligibility.evaluation import evaluate_household
from bansos_app.extensions import db
from bansos_app.registry.models import Household, Person
from tests.conftest import page_text

LIST = "/staf/keluarga/"
GIRI = "17.03.12.2003"
HX = {"HX-Request": "true"}


@pytest.fixture
def pending(app, demo, make_household):
    """A family of Giri Kencana with no desil yet, evaluated as the approval leaves it."""
    hh_id = make_household(village=GIRI, desil=None, members=2)
    with app.app_context():
        evaluate_household(db.session.get(Household, hh_id))
        db.session.commit()
    return hh_id


def _ids(response) -> set[int]:
    return {int(i) for i in re.findall(r'href="/staf/keluarga/(\d+)"', page_text(response))}


def _name(app, hh_id: int) -> str:
    with app.app_context():
        return db.session.scalar(select(Person.name).where(Person.household_id == hh_id))


def test_the_list_says_waiting_and_filters_on_it(app, client, auth, pending):
    auth.login("operator", "demo-operator")
    page = client.get(LIST)
    text = page_text(page)
    assert page.status_code == 200 and pending in _ids(page)
    assert "menunggu pemeringkatan" in text and ">None<" not in text
    assert '<option value="menunggu">Menunggu pemeringkatan</option>' in text
    only = client.get(LIST, query_string={"desil": "menunggu"}, headers=HX)
    assert only.status_code == 200 and _ids(only) == {pending}
    assert "<form" not in page_text(only)  # the fragment only
    ranked = client.get(LIST, query_string={"desil": "3"})
    assert ranked.status_code == 200 and pending not in _ids(ranked) and _ids(ranked)
    bad = client.get(LIST, query_string={"desil": "nol"})
    assert bad.status_code == 422 and pending in _ids(bad)  # a bad filter is left out


def test_the_household_page_says_waiting(app, client, auth, pending):
    auth.login("operator", "demo-operator")
    page = client.get(f"{LIST}{pending}")
    text = page_text(page)
    assert page.status_code == 200 and _name(app, pending) in text
    assert "menunggu pemeringkatan" in text and "None" not in text
    assert "Belum ada riwayat desil." in text
    # Its programs say why not in the same words, not "desil None".
    assert "Keluarga ini menunggu pemeringkatan" in text


def test_in_english_too(app, client, auth, pending):
    auth.login("operator", "demo-operator")
    client.set_cookie("lang", "en")
    text = page_text(client.get(f"{LIST}{pending}"))
    assert "waiting for assessment" in text or "waiting for its assessment" in text
