"""Registry pages for a family waiting for its assessment: words, a filter, no crash."""

import re
import time

import pytest
from sqlalchemy import select

from bansos_app.eligibility.evaluation import evaluate_household
from bansos_app.extensions import db
from bansos_app.registry.models import Household, Person
from tests.browser import needs_chromium, screenshot
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


@needs_chromium
def test_in_the_browser_the_filter_finds_the_waiting_family(browser, live_server, pending):
    """Choose "Menunggu pemeringkatan": htmx swaps the results; screenshots at 1280 and 360."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{live_server}/staf/masuk")
        page.fill("#username", "operator")
        page.fill("#password", "demo-operator")
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server}/staf/")
        page.goto(f"{live_server}{LIST}")
        page.select_option("#desil", "menunggu")
        deadline = time.monotonic() + 10
        while page.evaluate("document.querySelectorAll('#results tbody tr').length") != 1:
            assert time.monotonic() < deadline, "the results were not swapped"
            time.sleep(0.05)
        assert "desil=menunggu" in page.url
        assert page.inner_text("#results tbody td.num").strip().endswith("menunggu pemeringkatan")
        screenshot(page, "registry-pending-list-1280")
        page.set_viewport_size({"width": 360, "height": 740})
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
        screenshot(page, "registry-pending-list-360")
        page.click(f'#results a[href="{LIST}{pending}"]')
        page.wait_for_url(f"{live_server}{LIST}{pending}")
        assert "menunggu pemeringkatan" in page.inner_text("dl.facts")
        screenshot(page, "registry-pending-household-360")
    finally:
        context.close()
