"""Staff-entered tickets at /staf/tiket/baru: assisted registration, village proposals, refusals."""

import re

import pytest
from sqlalchemy import func, select

from bansos_app.extensions import db
from bansos_app.tickets.models import Ticket
from bansos_app.tickets.numbers import grouped, nik_key
from tests.conftest import AuthActions, alerts, csrf_from, page_text
from tests.tickets.support import (
    DEDI_KK,
    DEDI_NIK,
    RINA_KK,
    RINA_NIK,
    SRI_KK,
    SRI_NIK,
    household,
    receiving,
    user,
)

NEW = "/staf/tiket/baru/"
PASSWORDS = {
    "operator": "demo-operator",
    "operator-ap": "demo-operator",
    "pendamping": "demo-pendamping",
    "dinsos": "demo-dinsos-admin",
    "auditor": "demo-auditor",
    "toko": "demo-merchant",
}
NOT_FOUND = "NIK dan nomor KK ini tidak ditemukan bersama"


def _as(client, username):
    assert AuthActions(client).login(username, PASSWORDS[username]).status_code in (302, 303)
    return client


def _post(client, url, **data):
    token = csrf_from(client.get(NEW).data)
    return client.post(url, data={"csrf_token": token, **data})


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Ticket))


def _assisted(client, **changes):
    data = dict(nik=RINA_NIK, kk=RINA_KK, kind="usul", program="SEMBAKO", text="Tidak punya HP")
    data.update(changes)
    return _post(client, NEW, **data)


def test_operator_assisted_usul_for_rina(app, demo, client):
    response = _assisted(_as(client, "operator"))
    assert response.status_code == 303, alerts(response)
    result = client.get(response.headers["Location"])
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        operator = user("operator")
        assert (ticket.channel, ticket.kind, ticket.stage) == ("staff", "usul", "screened")
        assert ticket.entered_by_id == operator.id
        assert ticket.submitter_nik_hash == nik_key(RINA_NIK)
        assert ticket.subject_household_id == household(RINA_KK).id
        text = page_text(result)
        assert grouped(ticket.number) in text
        assert "Keluarga ini belum menerima program ini." in text  # a screening message
        assert operator.full_name in text
        assert 'href="/staf/tiket/"' in text and 'href="/staf/tiket/baru/"' in text


def test_pendamping_reaktivasi_shows_entered_by(app, demo, client):
    response = _assisted(_as(client, "pendamping"), nik=DEDI_NIK, kk=DEDI_KK, kind="reaktivasi")
    assert response.status_code == 303, alerts(response)
    result = page_text(client.get(response.headers["Location"]))
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert ticket.entered_by_id == user("pendamping").id and ticket.stage == "screened"
        name = user("pendamping").full_name
    assert re.search(rf'class="entered-by">{re.escape(name)}<', result)


@pytest.mark.parametrize(
    "nik,kk",
    [
        ("1703124203920099", RINA_KK),  # a well-formed NIK of nobody
        (RINA_NIK, "1703120506259999"),  # a KK of no family
        (SRI_NIK, RINA_KK),  # both exist, not of one family
    ],
)
def test_every_miss_gets_one_message(app, demo, client, nik, kk):
    response = _assisted(_as(client, "operator"), nik=nik, kk=kk)
    assert response.status_code == 422
    assert any(NOT_FOUND in a for a in alerts(response))
    assert _count(app) == 0


def test_malformed_nik_is_explained_on_its_field(app, demo, client):
    response = _assisted(_as(client, "operator"), nik="12345")
    assert response.status_code == 422 and 'class="field-error"' in page_text(response)
    assert _count(app) == 0


def test_household_outside_the_villages_is_refused(app, demo, client):
    response = _assisted(_as(client, "pendamping"), nik=SRI_NIK, kk=SRI_KK, kind="sanggah_sendiri")
    # The same answer as an unknown NIK and KK: nothing learnt about another village.
    assert response.status_code == 422
    assert any("tidak ditemukan bersama" in a for a in alerts(response))
    with app.app_context():
        dedi = household(DEDI_KK).id
    client.post("/staf/keluar", data={"csrf_token": csrf_from(client.get(NEW).data)})
    response = _post(_as(client, "operator"), f"{NEW}usul/{dedi}", program="SEMBAKO")
    assert response.status_code == 403
    assert _count(app) == 0


@pytest.mark.parametrize(
    "changes,expected",
    [
        ({"program": ""}, "Pilih programnya."),
        ({"kind": "sanggah_lain", "reason": "", "other_kk": "x"}, "Tulis nomor KK"),
        ({"kind": "sanggah_sendiri", "reason": ""}, "Pilih data mana yang salah."),
        ({"text": "x" * 301}, "Keterangan paling banyak 300 huruf."),
        ({"kind": "hapus"}, "Pilihan tidak tersedia."),
    ],
)
def test_bad_input_stores_nothing(app, demo, client, changes, expected):
    response = _assisted(_as(client, "operator"), **changes)
    assert response.status_code == 422
    assert expected in page_text(response)
    assert _count(app) == 0


def test_sanggah_lain_needs_reason_and_text_for_lainnya(app, demo, client):
    with app.app_context():
        other = receiving().kk_number
    _as(client, "operator")
    sri = dict(nik=SRI_NIK, kk=SRI_KK, kind="sanggah_lain", program="", other_kk=other)
    response = _assisted(client, **sri, reason="")
    assert response.status_code == 422 and "Pilih alasan sanggahan." in page_text(response)
    response = _assisted(client, **sri, reason="lainnya", text="")
    assert response.status_code == 422
    assert "Tulis alasannya secara singkat." in page_text(response)
    response = _assisted(client, **{**sri, "other_kk": DEDI_KK}, reason="mampu")
    assert "tidak ada di desa Anda" in page_text(response)
    assert _count(app) == 0
    response = _assisted(client, **sri, reason="mampu", text="Rumah baru, mobil dua")
    assert response.status_code == 303, alerts(response)
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert (ticket.kind, ticket.reason_code, ticket.stage) == (
            "sanggah_lain",
            "mampu",
            "screened",
        )


def test_post_without_csrf_is_refused(app, demo, client):
    _as(client, "operator")
    data = dict(nik=RINA_NIK, kk=RINA_KK, kind="usul", program="SEMBAKO")
    assert client.post(NEW, data=data).status_code == 400
    assert _count(app) == 0


@pytest.mark.parametrize("username", ["auditor", "dinsos", "toko"])
def test_other_roles_get_403(app, demo, client, username):
    _as(client, username)
    assert client.get(NEW).status_code == 403
    token = csrf_from(client.get("/staf/", follow_redirects=True).data)
    data = dict(nik=RINA_NIK, kk=RINA_KK, kind="usul", program="SEMBAKO", csrf_token=token)
    assert client.post(NEW, data=data).status_code == 403
    assert client.post(f"{NEW}keluarga-baru", data=data).status_code == 403
    assert _count(app) == 0


def test_village_proposal_from_search(app, demo, client):
    _as(client, "operator")
    found = _post(client, f"{NEW}cari", q="Rina Marlina")
    assert found.status_code == 200 and "Rina Marlina" in page_text(found)
    with app.app_context():
        rina = household(RINA_KK)
        rina_id, head_nik = rina.id, rina.head.nik
    assert f"{NEW}usul/{rina_id}" in page_text(found)
    elsewhere = _post(client, f"{NEW}cari", q=DEDI_KK)  # Air Petai: not the operator's
    assert "Dedi" not in page_text(elsewhere) and "Tidak ada keluarga" in page_text(elsewhere)
    fragment = client.post(
        f"{NEW}cari",
        data={"q": "Rina", "csrf_token": csrf_from(client.get(NEW).data)},
        headers={"HX-Request": "true"},
    )
    assert page_text(fragment).lstrip().startswith('<div id="results"')
    assert "HX-Request" in fragment.headers["Vary"]
    assert _post(client, f"{NEW}usul/{rina_id}", program="").status_code == 422
    response = _post(client, f"{NEW}usul/{rina_id}", program="SEMBAKO", text="Musdes RT 3")
    assert response.status_code == 303
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert ticket.entered_by_id == user("operator").id
        assert ticket.submitter_nik_hash == nik_key(head_nik)  # the head stands as submitter
        assert ticket.stage == "screened" and ticket.channel == "staff"


def _family(**changes):
    data = dict(
        nik=SRI_NIK,
        kk=SRI_KK,
        head_nik="1703124512900007",
        head_kk="1703120101200009",
        name="Siti Baru",
        village="17.03.12.2003",
        address="RT 2 Dusun Baru",
        program="SEMBAKO",
    )
    data.update(changes)
    return data


def test_new_family_proposal(app, demo, client):
    _as(client, "operator")
    bad = _post(client, f"{NEW}keluarga-baru", **_family(village="17.03.14.2017"))
    assert bad.status_code == 422 and "Pilihan tidak tersedia." in page_text(bad)
    bad = _post(client, f"{NEW}keluarga-baru", **_family(head_nik="1703120000000000"))
    assert bad.status_code == 422 and "NIK kepala keluarga yang diusulkan" in page_text(bad)
    assert _count(app) == 0
    response = _post(client, f"{NEW}keluarga-baru", **_family())
    assert response.status_code == 303, alerts(response)
    result = page_text(client.get(response.headers["Location"]))
    assert "Siti Baru" in result and "keluarga baru" in result
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert ticket.proposed["nik"] == "1703124512900007" and ticket.stage == "screened"
        assert ticket.proposed["address"] == "RT 2 Dusun Baru"
        assert ticket.subject_household_id is None


def test_clear_failure_is_answered_at_once(app, demo, client):
    # Sri's household already receives Sembako: closed at once, the reason on the result page.
    response = _assisted(_as(client, "operator"), nik=SRI_NIK, kk=SRI_KK)
    assert response.status_code == 303
    result = client.get(response.headers["Location"])
    assert any("sudah menerima program ini" in a for a in alerts(result))


def test_result_page_only_for_who_entered_it(app, demo, client):
    response = _assisted(_as(client, "operator"))
    location = response.headers["Location"]
    client.post("/staf/keluar", data={"csrf_token": csrf_from(client.get(NEW).data)})
    _as(client, "pendamping")
    assert client.get(location).status_code == 404


def test_new_head_asks_through_the_operator(app, demo, client):
    """Assisted registration of someone without a phone: no other resident asks for it."""
    _as(client, "operator")
    response = _post(client, f"{NEW}keluarga-baru", **_family(nik="", kk=""))
    assert response.status_code == 303, alerts(response)
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert ticket.stage == "screened" and ticket.submitter_person_id is None
        assert ticket.submitter_nik_hash == nik_key("1703124512900007")
        assert [c.reason for c in ticket.checks if c.name == "identitas"] == ["identity_staff"]
