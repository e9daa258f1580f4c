"""PIN issuance look-up: by KK, NIK or part of a name, inside the operator's villages only."""

import re

import pytest
from sqlalchemy import select

from bansos_app.extensions import db
from bansos_app.registry.models import Household
from tests.conftest import alerts, csrf_from
from tests.conftest import page_text as _text

SRI = {"nik": "1703124107850001", "kk": "1703122003180001"}
BAMBANG = {"nik": "1703121203700003", "kk": "1703121505190002"}
DEDI = {"nik": "1703142208880002", "kk": "1703141010200003"}  # Air Petai: not the operator's
OPERATOR_VILLAGES = {"17.03.12.2003", "17.03.12.2001"}


def _lookup(client, text, htmx=False):
    token = csrf_from(client.get("/staf/pin/").data)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post("/staf/pin/", data={"kk": text, "csrf_token": token}, headers=headers)


def _found_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'action="/staf/pin/(\d+)"', _text(response))]


def _id(app, kk) -> int:
    with app.app_context():
        return db.session.scalar(select(Household.id).where(Household.kk_number == kk))


def _villages(app, ids) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Household.village_code).where(Household.id.in_(ids))))


@pytest.fixture
def operator(client, auth, demo):
    """The test client logged in as the demo operator (Giri Kencana and Urai)."""
    assert auth.login("operator", "demo-operator").status_code == 303
    return client


def test_kk_nik_and_name_find_the_same_family_with_its_members(app, operator):
    sri = _id(app, SRI["kk"])
    for text in (SRI["kk"], SRI["nik"], "1703 1241 0785 0001", "Sri Wahyuni", "sri wah", "WAHYUNI"):
        response = _lookup(operator, text)
        assert response.status_code == 200, text
        assert _found_ids(response) == [sri], text
        html = _text(response)
        # The members, to compare with the paper card: name, relation and year of birth.
        assert re.search(
            r"<td>Sri Wahyuni</td><td>Kepala keluarga</td><td class=\"num\">1985</td>", html
        )
        assert re.search(r"<td>Putri Wulandari</td><td>Anak</td><td class=\"num\">\d{4}</td>", html)
        assert "Rizky Ramadhan" in html
        # Only the box echoes what was typed; the page shows numbers masked.
        assert SRI["nik"] not in html.replace(f'value="{text}"', "") and "1703********0001" in html
    # A member who is not the head finds the family too.
    assert _found_ids(_lookup(operator, "Putri Wulan")) == [sri]
    bambang = _lookup(operator, BAMBANG["nik"])
    assert _found_ids(bambang) == [_id(app, BAMBANG["kk"])]
    assert re.search(
        r"<td>Suryani</td><td>Istri/suami</td><td class=\"num\">1974</td>", _text(bambang)
    )


def test_a_number_matches_only_in_full(operator):
    for partial in (SRI["kk"][:12], SRI["nik"][4:]):
        response = _lookup(operator, partial)
        assert response.status_code == 422
        assert _found_ids(response) == []
        assert alerts(response)[0].startswith("Nomor KK harus 16 digit angka")


def test_an_operator_never_finds_a_family_of_another_village(app, client, auth, operator):
    dedi = _id(app, DEDI["kk"])
    for text in (DEDI["kk"], DEDI["nik"]):
        response = _lookup(operator, text, htmx=True)  # the result only, not the echoed input
        assert response.status_code == 422, text
        assert _found_ids(response) == [], text
        assert "Dedi" not in _text(response), text
    for text in ("Dedi Kurniawan", "kurniawan", "Marlina"):
        ids = _found_ids(_lookup(operator, text))
        # Other families may share a name; Dedi's (Air Petai) is never among them.
        assert dedi not in ids, text
        assert _villages(app, ids) <= OPERATOR_VILLAGES, text
    # Outside and unknown read alike.
    assert alerts(_lookup(operator, DEDI["kk"])) == alerts(_lookup(operator, "1703122003180099"))
    # A short, common part of a name finds only households of the operator's villages.
    for part in ("ani", "wat", "sih", "yan"):
        ids = _found_ids(_lookup(operator, part))
        assert _villages(app, ids) <= OPERATOR_VILLAGES, part
    # The same look-ups work for a district role, so the scope is what hides Dedi.
    auth.logout()
    auth.login("dinsos", "demo-dinsos-admin")
    assert dedi in _found_ids(_lookup(client, "Dedi Kurniawan"))
    assert _found_ids(_lookup(client, DEDI["nik"])) == [_id(app, DEDI["kk"])]


def test_results_are_limited(app, client, auth, make_user, make_household):
    make_user("sari", "operator_desa", villages=("17.03.12.2003",))
    for _ in range(12):
        make_household(village="17.03.12.2003")  # heads named "Warga <n>-0"
    auth.login("sari", "sari-pass-123")
    response = _lookup(client, "warga")
    assert len(_found_ids(response)) == 10
    assert "Masih ada keluarga lain dengan nama itu." in _text(response)


def test_nik_and_kk_never_go_in_the_url(operator):
    page = _text(operator.get("/staf/pin/"))
    assert re.search(r'<form class="lookup" method="post" action="/staf/pin/"', page)
    # A GET with a number in the query string looks nothing up.
    response = operator.get("/staf/pin/", query_string={"kk": SRI["kk"]})
    assert response.status_code == 200
    assert "Sri Wahyuni" not in _text(response)


BAD = {
    "": "Ketik nomor KK, NIK, atau sebagian nama.",
    "   ": "Ketik nomor KK, NIK, atau sebagian nama.",
    "x" * 10_000: "Pencarian paling banyak 60 huruf.",
    "Sr": "Ketik paling sedikit 3 huruf nama.",
    "<script>alert()</script>": "Nama hanya boleh berisi huruf",
    "%%%": "Nama hanya boleh berisi huruf",
    "' OR 1=1 --": "Nomor KK hanya boleh berisi angka 0-9",
    "١٧٠٣١٢٢٠٠٣١٨٠٠٠١": "Nomor KK hanya boleh berisi angka 0-9",
    "Zzzyx": "Tidak ada anggota keluarga dengan nama itu di desa Anda.",
}


@pytest.mark.parametrize("text", BAD, ids=range(len(BAD)))
def test_odd_input_gets_a_message_not_a_crash(operator, text):
    for htmx in (False, True):
        response = _lookup(operator, text, htmx=htmx)
        assert response.status_code == 422
        assert alerts(response) and alerts(response)[0].startswith(BAD[text])
        assert _found_ids(response) == []


@pytest.mark.parametrize("text", ["Sri\x00Wahyuni", "1703\x0012200318001"])
def test_control_characters_are_refused_at_the_edge(operator, text):
    for htmx in (False, True):
        response = _lookup(operator, text, htmx=htmx)
        assert response.status_code == 422
        assert "karakter yang tidak diizinkan" in _text(response)
        assert _found_ids(response) == []
