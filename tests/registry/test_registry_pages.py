"""Registry list and household page: scope per role, live search, filters, pages, fragments."""

import gzip
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from bansos_app.eligibility.evaluation import local_today
from bansos_app.eligibility.recipient_models import Recipient, RecipientList
from bansos_app.extensions import db
from bansos_app.registry.models import Household, Person
from tests.conftest import alerts
from tests.conftest import page_text as _text

LIST = "/staf/keluarga/"
SRI = {"nik": "1703124107850001", "kk": "1703122003180001"}
DEDI = {"nik": "1703142208880002", "kk": "1703141010200003"}  # Air Petai: not the operator's
OPERATOR_VILLAGES = {"Giri Kencana", "Urai"}
HX = {"HX-Request": "true"}


def _id(app, kk) -> int:
    with app.app_context():
        return db.session.scalar(select(Household.id).where(Household.kk_number == kk))


def _listed_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'<a href="/staf/keluarga/(\d+)">', _text(response))]


def _villages(response) -> set[str]:
    return set(re.findall(r"</span></td><td>([^<]+)</td>", _text(response)))


@pytest.fixture
def operator(client, auth, demo):
    auth.login("operator", "demo-operator")
    return client


@pytest.mark.parametrize(
    ("username", "password", "sees_air_petai"),
    [
        ("operator", "demo-operator", False),
        ("dinsos", "demo-dinsos-admin", True),
        ("auditor", "demo-auditor", True),
    ],
)
def test_each_role_lists_its_own_villages(client, auth, demo, username, password, sees_air_petai):
    auth.login(username, password)
    page = client.get(f"{LIST}?desa=&hal=1")
    assert page.status_code == 200
    dedi = client.get(LIST, query_string={"q": DEDI["kk"]})
    assert ("Dedi Kurniawan" in _text(dedi)) is sees_air_petai
    if not sees_air_petai:
        assert _villages(page) <= OPERATOR_VILLAGES


def test_merchant_may_not_open_the_registry(client, auth, demo):
    auth.login("toko", "demo-merchant")
    assert client.get(LIST).status_code == 403


def test_search_by_name_any_case_and_exact_numbers(app, operator):
    sri = _id(app, SRI["kk"])
    for q in ("sri wah", "SRI WAHYUNI", "  Wahyuni "):
        assert _listed_ids(operator.get(LIST, query_string={"q": q})) == [sri], q
    assert _listed_ids(operator.get(LIST, query_string={"q": SRI["nik"]})) == [sri]
    assert _listed_ids(operator.get(LIST, query_string={"q": SRI["kk"]})) == [sri]
    # Part of a number is no match: numbers are matched whole.
    assert _listed_ids(operator.get(LIST, query_string={"q": SRI["nik"][:12]})) == []
    # Outside the operator's villages reads as no match.
    assert _listed_ids(operator.get(LIST, query_string={"q": DEDI["nik"]})) == []


def test_percent_and_underscore_are_taken_literally(app, operator):
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.nik == SRI["nik"]))
        person.name = "Sri 100%_Wahyuni"
        db.session.commit()
    assert len(_listed_ids(operator.get(LIST, query_string={"q": "%"}))) == 1
    assert len(_listed_ids(operator.get(LIST, query_string={"q": "0%_w"}))) == 1
    assert _listed_ids(operator.get(LIST, query_string={"q": "i_1"})) == []


def test_full_nik_appears_only_in_the_search_box(operator):
    html = _text(operator.get(LIST, query_string={"q": SRI["nik"]}))
    assert html.count(SRI["nik"]) == 1
    assert f'value="{SRI["nik"]}"' in html
    assert "1703********0001" in html


def test_ten_thousand_characters_get_a_message(operator):
    response = operator.get(LIST, query_string={"q": "a" * 10_000})
    assert response.status_code == 422
    assert alerts(response) == ["Pencarian paling banyak 100 huruf."]
    assert "a" * 200 not in _text(response)


def test_bad_filters_get_messages_and_the_rest_still_filters(operator):
    response = operator.get(LIST, query_string={"desa": "17.03.14.2017", "desil": "2"})
    assert response.status_code == 422
    assert alerts(response) == ["Pilihan tidak tersedia."]
    assert all(d == "2" for d in re.findall(r'class="lbl">Desil </span>(\d+)<', _text(response)))
    assert operator.get(LIST, query_string={"hal": "x"}).status_code == 422


def test_htmx_gets_only_the_results_and_plain_get_the_page(operator):
    plain = operator.get(LIST, query_string={"q": "sri"})
    assert "<html" in _text(plain) and 'id="results"' in _text(plain)
    fragment = operator.get(LIST, query_string={"q": "sri"}, headers=HX)
    assert _text(fragment).lstrip().startswith('<section class="card" id="results"')
    assert "<html" not in _text(fragment)
    assert "HX-Request" in fragment.headers["Vary"]
    assert fragment.headers["Cache-Control"] == "no-store"


def test_a_full_page_of_rows_is_under_4_kb_compressed(app, client, auth, demo, evaluate):
    evaluate()
    auth.login("dinsos", "demo-dinsos-admin")
    fragment = client.get(LIST, headers=HX)
    assert len(_listed_ids(fragment)) == 25
    assert len(gzip.compress(fragment.data, 6)) <= 4096


def test_pages_link_forward_with_the_filters(client, auth, demo):
    auth.login("dinsos", "demo-dinsos-admin")
    first = client.get(LIST, query_string={"status": "active"})
    assert "Halaman 1 dari 2" in _text(first)
    assert 'href="/staf/keluarga/?hal=2&amp;status=active"' in _text(first)
    second = client.get(LIST, query_string={"status": "active", "hal": "2"})
    assert set(_listed_ids(first)).isdisjoint(_listed_ids(second))
    # A page past the end shows the last one.
    assert _listed_ids(client.get(LIST, query_string={"status": "active", "hal": "99"})) == (
        _listed_ids(second)
    )


def _recipient(app, household_id, program="PKH", sk="SK 12/2026"):
    with app.app_context():
        household = db.session.get(Household, household_id)
        today = local_today()
        listing = RecipientList(
            program_code=program,
            valid_from=today - timedelta(days=30),
            valid_until=today + timedelta(days=300),
            sk_number=sk,
            sk_date=today - timedelta(days=31),
            mode="all",
        )
        db.session.add(listing)
        db.session.flush()
        db.session.add(
            Recipient(
                list_id=listing.id,
                household_id=household.id,
                program_code=program,
                village_code=household.village_code,
                desil=household.desil,
            )
        )
        db.session.commit()


def test_program_state_and_review_filters(app, operator, evaluate):
    evaluate()
    sri = _id(app, SRI["kk"])
    bambang = _id(app, "1703121505190002")  # desil 7: not eligible for anything
    _recipient(app, sri)
    _recipient(app, bambang)  # on the list, yet not eligible: needs review
    receiving = operator.get(LIST, query_string={"program": "PKH", "keadaan": "receiving"})
    # Demo data names every eligible household a recipient; Bambang is on a list too now.
    assert {sri, bambang} <= set(_listed_ids(receiving))
    assert _text(receiving).count("PKH: menerima") == len(_listed_ids(receiving))
    not_eligible = _listed_ids(
        operator.get(LIST, query_string={"program": "PKH", "keadaan": "not_eligible"})
    )
    assert bambang in not_eligible and sri not in not_eligible
    review = operator.get(LIST, query_string={"tinjau": "y"})
    assert _listed_ids(review) == [bambang]
    assert "Perlu ditinjau" in _text(review)


def test_household_page_shows_members_programs_pin_and_trail(app, operator, evaluate):
    sri = _id(app, SRI["kk"])
    evaluate(sri)
    _recipient(app, sri, sk="SK 400/17/2026")
    html = _text(operator.get(f"{LIST}{sri}"))
    assert "Putri Wulandari" in html and "Sekolah SD" in html
    assert SRI["nik"] not in html and SRI["kk"] not in html
    assert "1703********0001" in html
    assert "Penerima menurut SK SK 400/17/2026" in html
    assert "Aturan berlaku sejak" in html
    assert "Desil 2 sejak" in html
    assert "PIN kios" in html
    assert "Jejak perubahan" in html


def test_household_outside_the_scope_is_not_found(app, operator):
    assert operator.get(f"{LIST}{_id(app, DEDI['kk'])}").status_code == 404
    assert operator.get(f"{LIST}999999").status_code == 404


def test_auditor_reads_without_edit_forms(app, client, auth, demo):
    auth.login("auditor", "demo-auditor")
    html = _text(client.get(f"{LIST}{_id(app, DEDI['kk'])}"))
    assert "Dedi Kurniawan" in html
    assert "Ubah alamat" not in html and "Catat meninggal" not in html


def test_a_state_without_a_program_means_any_program(app, operator):
    bambang = _id(app, "1703121505190002")  # desil 7: eligible for nothing
    eligible = _listed_ids(operator.get(LIST, query_string={"keadaan": "eligible"}))
    assert eligible and bambang not in eligible
    assert bambang in _listed_ids(operator.get(LIST, query_string={"keadaan": "not_eligible"}))


def test_a_number_search_stays_out_of_the_address_bar_and_links(operator):
    nik = "1703124107850001"
    fragment = operator.get(LIST, query_string={"q": nik, "desil": "2"}, headers=HX)
    assert fragment.status_code == 200
    assert "Sri Wahyuni" in fragment.get_data(as_text=True)
    assert fragment.headers["HX-Push-Url"] == "/staf/keluarga/?desil=2"
    assert f"q={nik}" not in fragment.get_data(as_text=True)
    by_name = operator.get(LIST, query_string={"q": "sri"}, headers=HX)
    assert "HX-Push-Url" not in by_name.headers  # a name may stay: the page can be bookmarked
