"""Penetapan pages: Dinsos fixes a list with quotas (preview first), villages read their rows."""

import gzip
import json
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from bansos_app.audit.models import AuditEvent
from bansos_app.eligibility.evaluation import evaluate_household
from bansos_app.eligibility.models import Eligibility
from bansos_app.eligibility.recipient_models import Recipient, RecipientList
from bansos_app.eligibility.recipients import active_recipient, count_needs_review, needs_review
from bansos_app.extensions import db
from bansos_app.registry.models import Household, Person
from tests.conftest import alerts, csrf_from
from tests.conftest import page_text as _text

URL = "/staf/penetapan/"
GIRI, URAI, AIR_PETAI = "17.03.12.2003", "17.03.12.2001", "17.03.14.2017"
HX = {"HX-Request": "true"}


def eligible_by_village(app) -> dict:
    """Eligible SEMBAKO households per village, as the demo's evaluation stored them."""
    with app.app_context():
        counts = select(Household.village_code, func.count()).join(
            Eligibility, Eligibility.household_id == Household.id
        )
        counts = counts.where(Eligibility.program_code == "SEMBAKO")
        counts = counts.where(Eligibility.state == "eligible")
        return dict(db.session.execute(counts.group_by(Household.village_code)).all())


@pytest.fixture
def answers(app, demo):
    """The demo registry, evaluated; eligible SEMBAKO households per village."""
    return eligible_by_village(app)


def _lists(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(RecipientList.id)))


def _form(page, **fields) -> dict:
    data = {
        "csrf_token": csrf_from(page.data) if page else "",
        "program": "SEMBAKO",
        "valid_from": "2028-01-01",
        "valid_until": "2028-06-30",
        "sk_number": "460/88/DINSOS/2026",
        "sk_date": "2026-11-20",
        "mode": "quota",
    }
    data.update(fields)
    return data


def _login(auth, who):
    passwords = {"dinsos": "demo-dinsos-admin", "operator": "demo-operator"}
    passwords |= {"auditor": "demo-auditor", "pendamping": "demo-pendamping"}
    assert auth.login(who, passwords[who]).status_code == 303


def _quotas(eligible: dict, share=2) -> dict:
    """A quota of about half for each pilot village; the rest left blank (0)."""
    return {f"kuota-{c}": str(max(1, n // share)) for c, n in eligible.items() if n >= 2}


def test_dinsos_previews_then_fixes_a_quota_list_honoured_per_village(app, client, auth, answers):
    lists = _lists(app)
    _login(auth, "dinsos")
    page = client.get(URL + "?program=SEMBAKO")
    assert page.status_code == 200 and 'name="kuota-17.03.12.2003"' in _text(page)
    quotas = _quotas(answers)
    preview = client.post(URL + "pratinjau", data=_form(page, **quotas), headers=HX)
    assert preview.status_code == 200
    wanted = sum(int(q) for q in quotas.values())
    assert f"Pratinjau: {wanted} keluarga akan ditetapkan" in _text(preview)
    assert "<html" not in _text(preview)  # a fragment
    assert len(gzip.compress(preview.data)) <= 4096
    assert _lists(app) == lists

    fixed = client.post(URL, data=_form(page, **quotas))
    assert fixed.status_code == 303
    list_id = int(fixed.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        for key, quota in quotas.items():
            village = key.removeprefix("kuota-")
            rows = db.session.execute(
                select(Recipient.household_id, Recipient.desil, Recipient.rank)
                .where(Recipient.list_id == list_id, Recipient.village_code == village)
                .order_by(Recipient.rank)
            ).all()
            assert len(rows) == int(quota), village
            # Nobody left out has a lower desil than someone taken, and the ranks count up.
            taken = {hid for hid, _d, _r in rows}
            left = db.session.scalars(
                select(Household.desil)
                .join(Eligibility, Eligibility.household_id == Household.id)
                .where(Household.village_code == village, Eligibility.state == "eligible")
                .where(Household.id.not_in(taken))
            ).all()
            assert [r for _h, _d, r in rows] == list(range(1, len(rows) + 1))
            assert [d for _h, d, _r in rows] == sorted(d for _h, d, _r in rows)
            assert not left or min(left) >= rows[-1][1]
        audit = db.session.scalars(  # the newest: the demo data fixed its own lists before
            select(AuditEvent)
            .where(AuditEvent.action == "recipients.list_fixed")
            .order_by(AuditEvent.seq.desc())
        ).first()
        assert json.loads(audit.details)["total"] == wanted

    listing = _text(client.get(URL))
    assert "460/88/DINSOS/2026" in listing
    shown = client.get(f"{URL}{list_id}")
    assert shown.status_code == 200
    assert re.search(r"<td>\d{4}\*{8}\d{4}</td>", _text(shown))  # KK masked
    assert not re.search(r"\b\d{16}\b", _text(shown))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kuota-17.03.12.2003": "999"}, "melebihi jumlah keluarga layak"),
        ({"kuota-17.03.12.2003": "-3"}, "tidak boleh negatif"),
        ({"sk_number": ""}, "Isi nomor SK"),
        ({"sk_date": ""}, "Isi tanggal SK"),
        ({"sk_date": "2099-01-01"}, "tidak boleh di masa depan"),
        ({"valid_until": "2027-12-01"}, "sebelum tanggal mulai"),
        ({"valid_from": "2028-13-40"}, "Isi tanggal yang benar"),
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(app, client, auth, answers, fields, message):
    lists = _lists(app)
    with app.app_context():
        mine = AuditEvent.action.like("recipients.%")
        events = db.session.scalar(select(func.count()).where(mine))
    _login(auth, "dinsos")
    page = client.get(URL + "?program=SEMBAKO")
    for path in (URL + "pratinjau", URL):
        response = client.post(path, data=_form(page, **fields))
        assert response.status_code == 422, path
        assert any(message in a for a in alerts(response)), alerts(response)
    assert _lists(app) == lists
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(mine)) == events


def test_an_overlapping_period_is_refused(app, client, auth, answers):
    lists = _lists(app)
    _login(auth, "dinsos")
    page = client.get(URL + "?program=SEMBAKO")
    assert client.post(URL, data=_form(page, mode="all")).status_code == 303
    again = client.post(URL, data=_form(page, mode="all", valid_from="2028-06-01"), headers=HX)
    assert again.status_code == 422
    assert "bertumpang tindih" in _text(again)
    assert _lists(app) == lists + 1


def _fixed_list(client, auth) -> int:
    _login(auth, "dinsos")
    page = client.get(URL + "?program=SEMBAKO")
    response = client.post(URL, data=_form(page, mode="all"))
    auth.logout()
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _recipient_in(app, list_id, village) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Recipient.id).where(
                Recipient.list_id == list_id, Recipient.village_code == village
            )
        )


def test_removal_needs_a_reason_and_is_audited(app, client, auth, answers):
    list_id = _fixed_list(client, auth)
    rid = _recipient_in(app, list_id, GIRI)
    _login(auth, "dinsos")
    page = client.get(f"{URL}{list_id}?desa={GIRI}")
    url = f"{URL}{list_id}/hapus/{rid}?desa={GIRI}"
    refused = client.post(url, data={"csrf_token": csrf_from(page.data), "alasan": "  "})
    assert refused.status_code == 422
    assert "Tulis alasannya." in alerts(refused)
    done = client.post(url, data={"csrf_token": csrf_from(page.data), "alasan": "Pindah domisili"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"?desa={GIRI}")
    with app.app_context():
        row = db.session.get(Recipient, rid)
        assert (row.state, row.removed_reason) == ("removed", "Pindah domisili")
        assert db.session.scalar(
            select(func.count()).where(AuditEvent.action == "recipients.removed")
        )
    assert "Dihapus: Pindah domisili" in _text(client.get(f"{URL}{list_id}?desa={GIRI}"))
    twice = client.post(url, data={"csrf_token": csrf_from(page.data), "alasan": "Lagi"})
    assert twice.status_code == 422 and alerts(twice), "a second removal says why it failed"


def test_flagged_recipient_shows_as_needing_review(app, client, auth, answers):
    list_id = _fixed_list(client, auth)
    rid = _recipient_in(app, list_id, GIRI)
    with app.app_context():
        hid = db.session.get(Recipient, rid).household_id
        row = db.session.get(Eligibility, (hid, "SEMBAKO"))
        row.state, row.reasons = "not_eligible", "graduated"
        db.session.commit()
    _login(auth, "operator")
    listing = _text(client.get(URL))
    assert re.search(r'tinjau=y">1</a>', listing)
    flagged = client.get(f"{URL}{list_id}?tinjau=y", headers=HX)
    assert flagged.status_code == 200
    assert _text(flagged).count("Perlu ditinjau") == 1 and "1 keluarga" in _text(flagged)
    assert len(gzip.compress(flagged.data)) <= 4096


def test_village_roles_read_only_their_villages(app, client, auth, answers):
    list_id = _fixed_list(client, auth)
    _login(auth, "operator")  # Giri Kencana and Urai
    page = client.get(f"{URL}{list_id}")
    html = _text(page)
    assert page.status_code == 200 and "hapus" not in html
    with app.app_context():
        mine = db.session.scalar(
            select(func.count()).where(
                Recipient.list_id == list_id, Recipient.village_code.in_([GIRI, URAI])
            )
        )
    assert f"{mine} keluarga" in html
    assert client.get(f"{URL}{list_id}?desa={AIR_PETAI}").status_code == 403
    assert client.get(f"{URL}999").status_code == 404
    other = _recipient_in(app, list_id, GIRI)
    token = csrf_from(page.data)
    assert (
        client.post(f"{URL}{list_id}/hapus/{other}", data={"csrf_token": token}).status_code == 403
    )
    assert client.post(URL, data=_form(page)).status_code == 403
    assert client.post(URL + "pratinjau", data=_form(page)).status_code == 403
    assert 'name="kuota-' not in _text(client.get(URL))


def test_auditor_reads_every_list_and_changes_nothing(app, client, auth, answers):
    list_id = _fixed_list(client, auth)
    _login(auth, "auditor")
    page = client.get(f"{URL}{list_id}")
    assert page.status_code == 200 and "/hapus/" not in _text(page)
    with app.app_context():
        total = db.session.scalar(select(func.count()).where(Recipient.list_id == list_id))
        person = db.session.scalars(select(Person.nik)).first()
    assert f"{total} keluarga" in _text(page) and person not in _text(page)
    assert client.post(URL, data=_form(page)).status_code == 403


def test_a_graduated_recipient_is_flagged_after_reevaluation_and_stays(app, client, auth, answers):
    list_id = _fixed_list(client, auth)
    rid = _recipient_in(app, list_id, GIRI)
    on = date(2028, 3, 1)
    with app.app_context():
        household = db.session.get(Household, db.session.get(Recipient, rid).household_id)
        assert count_needs_review([GIRI], on) == 0
        household.status, household.status_reason = "graduated", "Dinyatakan mampu (musdes)"
        evaluate_household(household)
        db.session.commit()
        flagged = db.session.execute(needs_review([GIRI], on)).all()
        assert [(r.recipient_id, r.reasons) for r in flagged] == [(rid, "graduated")]
        assert active_recipient(household.id, "SEMBAKO", on).id == rid  # still a recipient
    _login(auth, "dinsos")
    html = _text(client.get(f"{URL}{list_id}?desa={GIRI}&tinjau=y"))
    assert "1 keluarga" in html and "Perlu ditinjau" in html
