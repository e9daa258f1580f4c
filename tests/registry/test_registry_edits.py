"""Registry edits: reason, scope, audit and re-evaluation; bad input changes nothing."""

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bansos_app.audit.models import AuditEvent
from bansos_app.eligibility.evaluation import local_today
from bansos_app.eligibility.models import Eligibility
from bansos_app.extensions import db
from bansos_app.registry.models import Household, Person
from tests.conftest import csrf_from
from tests.conftest import page_text as _text

LIST = "/staf/keluarga/"
SRI_KK = "1703122003180001"
DEDI_KK = "1703141010200003"  # Air Petai: not the operator's
HX = {"HX-Request": "true"}


def _household(app, kk) -> tuple[int, dict[str, int]]:
    """The household's id and its members' ids by name."""
    with app.app_context():
        household = db.session.scalar(select(Household).where(Household.kk_number == kk))
        return household.id, {p.name: p.id for p in household.members}


def _post(client, url, data, token_from=None, headers=None):
    token = csrf_from(
        client.get(token_from or url.rsplit("/anggota", 1)[0].rsplit("/alamat")[0]).data
    )
    return client.post(url, data=data, headers={"X-CSRFToken": token, **(headers or {})})


def _snapshot(app, household_id):
    """Everything an edit may change, to prove that a refused one changed nothing."""
    with app.app_context():
        household = db.session.get(Household, household_id)
        people = [
            (p.school_level, p.pregnant, p.severe_disability, p.relation, p.deceased_date)
            for p in household.members
        ]
        events = db.session.scalar(
            select(db.func.count()).where(AuditEvent.action.like("registry.%"))
        )
        return household.address, people, events


def _events(app, action):
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action))
        return [json.loads(e.details) for e in rows]


@pytest.fixture
def operator(client, auth, demo):
    auth.login("operator", "demo-operator")
    return client


def test_address_change_is_audited_with_its_reason_and_redirects(app, operator, evaluate):
    hid, _members = _household(app, SRI_KK)
    evaluate(hid)
    url = f"{LIST}{hid}/alamat"
    response = _post(operator, url, {"address": "Jl. Baru No. 1", "reason": "Pindah rumah"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"{LIST}{hid}"
    page = _text(operator.get(f"{LIST}{hid}"))
    assert "Alamat disimpan." in page and "Jl. Baru No. 1" in page
    assert "Alasan: Pindah rumah" in page
    (event,) = _events(app, "registry.address_changed")
    assert event == {
        "old": "Jl. Merdeka No. 12, RT 02",
        "new": "Jl. Baru No. 1",
        "reason": "Pindah rumah",
    }


def test_member_change_by_htmx_swaps_the_members_and_programs(app, operator, evaluate):
    hid, members = _household(app, SRI_KK)
    evaluate(hid)
    pid = members["Putri Wulandari"]
    data = {
        f"m{pid}-school_level": "SMP",
        f"m{pid}-relation": "anak",
        f"m{pid}-severe_disability": "y",
        f"m{pid}-reason": "Naik ke SMP, surat dokter",
    }
    response = _post(operator, f"{LIST}{hid}/anggota/{pid}", data, f"{LIST}{hid}", HX)
    assert response.status_code == 200
    html = _text(response)
    assert html.lstrip().startswith('<section class="card" id="anggota">')
    assert 'id="program" hx-swap-oob="true"' in html and 'id="jejak" hx-swap-oob="true"' in html
    assert "Sekolah SMP" in html and "Disabilitas berat" in html
    (event,) = _events(app, "registry.member_changed")
    assert event["changes"] == {"school_level": ["SD", "SMP"], "severe_disability": [False, True]}
    assert event["household_id"] == hid
    # The trail reads as words: field names and values in the page's language.
    assert "Sekolah: SD → SMP; Disabilitas berat: Tidak → Ya" in html


def _elderly_household(app, make_household):
    """Desil 2: a 45-year-old head and his 75-year-old mother, the family's only PKH component."""
    hid = make_household(desil=2, members=1)
    with app.app_context():
        household = db.session.get(Household, hid)
        head = household.members[0]
        mother = Person(
            nik=head.nik[:6] + "014151" + "0777",
            name="Mbah Sumini",
            birth_date=date(1951, 1, 1),
            sex="P",
            relation="orang_tua",
        )
        household.members.append(mother)
        db.session.commit()
        return hid, mother.id


def test_recording_the_only_elderly_members_death_ends_pkh_at_once(
    app, client, auth, make_user, make_household, evaluate
):
    """Done when: an operator records a death and the PKH components change at once."""
    hid, mother = _elderly_household(app, make_household)
    evaluate(hid)
    make_user("opgiri", "operator_desa", ("17.03.12.2003",))
    auth.login("opgiri", "opgiri-pass-123")
    with app.app_context():
        pkh = db.session.get(Eligibility, (hid, "PKH"))
        assert (pkh.state, pkh.members_counted, pkh.amount) == ("eligible", 1, 2_400_000)
    before = _text(client.get(f"{LIST}{hid}"))
    assert "Rp2.400.000 per tahun untuk 1 anggota." in before
    died = (local_today() - timedelta(days=3)).isoformat()
    data = {
        f"d{mother}-died_on": died,
        f"d{mother}-source": "Surat kematian desa",
        f"d{mother}-reason": "Surat kematian dari kepala desa",
    }
    response = _post(client, f"{LIST}{hid}/anggota/{mother}/meninggal", data, f"{LIST}{hid}")
    assert response.status_code == 303
    with app.app_context():
        pkh = db.session.get(Eligibility, (hid, "PKH"))
        assert pkh.state == "not_eligible" and "no_pkh_component" in pkh.reason_codes
        assert db.session.get(Person, mother).deceased_source == "Surat kematian desa"
    after = _text(client.get(f"{LIST}{hid}"))
    assert "Kematian Mbah Sumini dicatat; program keluarga dihitung ulang." in after
    assert "Tidak ada anggota keluarga dengan komponen PKH" in after
    assert "Rp2.400.000 per tahun" not in after
    assert "Meninggal" in after and "Surat kematian desa" in after
    (event,) = _events(app, "registry.death_recorded")
    assert event["died_on"] == died and event["source"] == "Surat kematian desa"


def _member_data(pid, **over):
    data = {
        f"m{pid}-school_level": "",
        f"m{pid}-relation": "anak",
        f"m{pid}-reason": "Perbaikan data",
    }
    data.update({f"m{pid}-{k}": v for k, v in over.items()})
    return data


def _death_data(pid, **over):
    data = {
        f"d{pid}-died_on": (local_today() - timedelta(days=1)).isoformat(),
        f"d{pid}-source": "Laporan keluarga",
        f"d{pid}-reason": "Laporan anak",
    }
    data.update({f"d{pid}-{k}": v for k, v in over.items()})
    return data


TOMORROW = (local_today() + timedelta(days=1)).isoformat()
BAD = {
    "missing reason": ("Rizky Ramadhan", "member", {"reason": ""}, "Tulis alasan perubahan."),
    "blank reason": ("Rizky Ramadhan", "death", {"reason": "   "}, "Tulis alasan perubahan."),
    "death tomorrow": (
        "Rizky Ramadhan",
        "death",
        {"died_on": TOMORROW},
        "Tanggal meninggal tidak boleh setelah hari ini.",
    ),
    "death before birth": (
        "Sri Wahyuni",
        "death",
        {"died_on": "1980-01-01"},
        "Tanggal meninggal tidak boleh sebelum tanggal lahir.",
    ),
    "death date garbage": (
        "Sri Wahyuni",
        "death",
        {"died_on": "kemarin"},
        "Isi tanggal yang benar.",
    ),
    "unknown source": ("Sri Wahyuni", "death", {"source": "Dukun"}, "Pilihan tidak tersedia."),
    "school at 41": (
        "Sri Wahyuni",
        "member",
        {"school_level": "SMA", "relation": "kepala"},
        "Jenjang sekolah hanya untuk anggota berumur 5 sampai 21 tahun; "
        "Sri Wahyuni berumur 41 tahun.",
    ),
    "pregnant boy": (
        "Rizky Ramadhan",
        "member",
        {"pregnant": "y"},
        "Anggota laki-laki tidak dapat dicatat hamil.",
    ),
    "pregnant child": (
        "Putri Wulandari",
        "member",
        {"pregnant": "y", "school_level": "SD"},
        "Anak di bawah 10 tahun tidak dapat dicatat hamil.",
    ),
    "second head": (
        "Rizky Ramadhan",
        "member",
        {"relation": "kepala"},
        "Keluarga ini sudah punya kepala keluarga. Ubah dulu hubungan kepala lama.",
    ),
    "nothing changed": (
        "Putri Wulandari",
        "member",
        {"school_level": "SD"},
        "Tidak ada yang berubah.",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_gets_a_message_422_and_changes_nothing(app, operator, case):
    name, kind, over, message = BAD[case]
    hid, members = _household(app, SRI_KK)
    pid = members[name]
    before = _snapshot(app, hid)
    if kind == "member":
        url, data = f"{LIST}{hid}/anggota/{pid}", _member_data(pid, **over)
    else:
        url, data = f"{LIST}{hid}/anggota/{pid}/meninggal", _death_data(pid, **over)
    for headers in ({}, HX):
        response = _post(operator, url, data, f"{LIST}{hid}", headers)
        assert response.status_code == 422, case
        assert message in _text(response), case
    assert _snapshot(app, hid) == before


def test_school_level_for_a_seventy_year_old(app, operator, make_household):
    hid, mother = _elderly_household(app, make_household)
    response = _post(
        operator,
        f"{LIST}{hid}/anggota/{mother}",
        _member_data(mother, school_level="SD", relation="orang_tua"),
        f"{LIST}{hid}",
    )
    assert response.status_code == 422
    assert "Mbah Sumini berumur" in _text(response)


def test_edit_outside_the_villages_is_refused(app, operator):
    hid, members = _household(app, DEDI_KK)
    before = _snapshot(app, hid)
    token = csrf_from(operator.get(LIST).data)
    pid = members["Marlina"]
    for url, data in (
        (f"{LIST}{hid}/alamat", {"address": "x", "reason": "y"}),
        (f"{LIST}{hid}/anggota/{pid}/meninggal", _death_data(pid)),
    ):
        assert operator.post(url, data=data, headers={"X-CSRFToken": token}).status_code == 403
    assert _snapshot(app, hid) == before


def test_auditor_may_not_edit(app, client, auth, demo):
    auth.login("auditor", "demo-auditor")
    hid, _members = _household(app, SRI_KK)
    before = _snapshot(app, hid)
    token = csrf_from(client.get(f"{LIST}{hid}").data)
    data = {"address": "Jl. Lain", "reason": "coba"}
    assert (
        client.post(f"{LIST}{hid}/alamat", data=data, headers={"X-CSRFToken": token}).status_code
        == 403
    )
    assert _snapshot(app, hid) == before


def test_missing_csrf_changes_nothing(app, operator):
    hid, members = _household(app, SRI_KK)
    before = _snapshot(app, hid)
    pid = members["Rizky Ramadhan"]
    response = operator.post(f"{LIST}{hid}/anggota/{pid}/meninggal", data=_death_data(pid))
    assert response.status_code == 400
    assert _snapshot(app, hid) == before


def test_a_young_childs_death_lowers_the_pkh_amount_at_once(app, demo, make_user):
    """Service level, no request: Sri's family loses the child 0-6 component (Rp3.000.000)."""
    from bansos_app.auth.models import User
    from bansos_app.registry.edits import record_death

    hid, members = _household(app, SRI_KK)
    uid = make_user("opsri", "operator_desa", ("17.03.12.2003",))
    with app.app_context():
        before = db.session.get(Eligibility, (hid, "PKH"))
        assert (before.state, before.amount, before.members_counted) == ("eligible", 3_900_000, 2)
        person = db.session.get(Person, members["Rizky Ramadhan"])
        died = local_today() - timedelta(days=1)
        record_death(db.session.get(User, uid), person, died, "Laporan keluarga", "Laporan ibu")
        after = db.session.get(Eligibility, (hid, "PKH"))
        assert (after.state, after.amount, after.members_counted) == ("eligible", 900_000, 1)
