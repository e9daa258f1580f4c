"""Program pages: who may read and change rules, the impact preview, saving, bad input."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bansos_app.audit.models import AuditEvent
from bansos_app.eligibility.evaluation import local_today
from bansos_app.eligibility.models import RuleVersion
from bansos_app.extensions import db
from tests.conftest import csrf_from, page_text
from tests.eligibility.test_rules import PKH_AMOUNTS, next_month

LIST, SEMBAKO, PKH = "/staf/program/", "/staf/program/SEMBAKO", "/staf/program/PKH"
PASSWORDS = {"dinsos": "demo-dinsos-admin", "admin": "demo-superadmin", "auditor": "demo-auditor"}
PASSWORDS |= {"operator": "demo-operator", "pendamping": "demo-pendamping", "toko": "demo-merchant"}


@pytest.fixture
def dinsos(client, auth, demo):
    """The test client logged in as the Dinsos admin."""
    auth.login("dinsos", PASSWORDS["dinsos"])
    return client


def _form(client, path=SEMBAKO, **changes) -> dict:
    data = {
        "csrf_token": csrf_from(client.get(path).data),
        "effective_from": next_month().isoformat(),
        "desil_min": "1",
        "desil_max": "4",
        "amount": "200.000",
        "note": "Kepmensos 12/HUK/2027",
    }
    if path == PKH:
        data |= {"member_cap": "4", "elderly_age": "60", "amount": ""}
        data |= {f"comp_{code}": str(amount) for code, amount in PKH_AMOUNTS.items()}
    return {k: v for k, v in (data | changes).items() if v is not None}


def _versions(app, code="SEMBAKO") -> int:
    with app.app_context():
        query = select(func.count()).where(RuleVersion.program_code == code)
        return db.session.scalar(query)


@pytest.mark.parametrize(
    ("username", "status"),
    [("dinsos", 200), ("admin", 200), ("auditor", 200), ("operator", 403), ("toko", 403)],
)
def test_who_may_read_programs(client, auth, demo, username, status):
    auth.login(username, PASSWORDS[username])
    assert client.get(LIST).status_code == status
    assert client.get(SEMBAKO).status_code == status


def test_a_visitor_is_sent_to_the_login(client):
    assert client.get(LIST).status_code == 302


def test_the_list_shows_each_program_in_force_and_upcoming(app, dinsos):
    html = page_text(dinsos.get(LIST))
    for name in ("Program Keluarga Harapan (PKH)", "Sembako / BPNT", "PBI-JKN"):
        assert name in html
    assert "Rp200.000" in html and "Rp3.000.000 per tahun" in html
    assert "paling banyak 4 orang" in html and "60 tahun" in html
    assert "Akan berlaku" not in html
    dinsos.post(f"{SEMBAKO}/simpan", data=_form(dinsos))
    html = page_text(dinsos.get(LIST))
    assert "Akan berlaku tanggal" in html


def test_the_auditor_reads_without_a_form_and_cannot_post(client, auth, demo):
    auth.login("auditor", PASSWORDS["auditor"])
    page = client.get(SEMBAKO)
    html = page_text(page)
    assert "Versi aturan" in html and "Berlaku" in html and "#2" in html
    assert "Tambah versi baru" not in html and "Pratinjau dampak" not in html
    token = csrf_from(page.data)
    for action in ("pratinjau", "simpan"):
        response = client.post(f"{SEMBAKO}/{action}", data={"csrf_token": token})
        assert response.status_code == 403


def test_the_form_starts_from_the_version_in_force_next_month(dinsos):
    html = page_text(dinsos.get(PKH))
    assert f'value="{next_month().isoformat()}"' in html
    assert 'name="comp_SMA" type="text" value="2000000"' in html
    assert 'name="member_cap" type="text" value="4"' in html
    assert 'name="amount"' not in html  # PKH pays per component, not per distribution


def test_unknown_program_is_404(dinsos):
    assert dinsos.get("/staf/program/NOPE").status_code == 404
    assert dinsos.get("/staf/program/" + "X" * 300).status_code == 404
    token = csrf_from(dinsos.get(SEMBAKO).data)
    response = dinsos.post("/staf/program/NOPE/pratinjau", data={"csrf_token": token})
    assert response.status_code == 404


def test_missing_csrf_is_400_and_changes_nothing(app, dinsos):
    data = _form(dinsos, csrf_token=None)
    assert dinsos.post(f"{SEMBAKO}/simpan", data=data).status_code == 400
    assert _versions(app) == 1


@pytest.mark.parametrize(
    ("path", "changes", "message"),
    [
        (SEMBAKO, {"desil_min": "5", "desil_max": "4"}, "tidak boleh di atas desil tertinggi"),
        (SEMBAKO, {"desil_max": "11"}, "Desil harus antara 1 dan 10."),
        (SEMBAKO, {"desil_min": "abc"}, "Isi dengan angka bulat"),
        (SEMBAKO, {"effective_from": "2020-01-01"}, "tidak boleh sebelum hari ini"),
        (SEMBAKO, {"effective_from": "31-31-2027"}, "Isi tanggal yang benar."),
        (SEMBAKO, {"amount": "-200000"}, "Nilai tidak boleh negatif."),
        (SEMBAKO, {"amount": "9" * 11}, "Isi dengan angka bulat"),
        (SEMBAKO, {"note": ""}, "Isi dasar perubahan"),
        (SEMBAKO, {"note": "a\nb"}, "satu baris"),
        (PKH, {"member_cap": "0"}, "paling sedikit 1"),
        (PKH, {"comp_elderly": "-1"}, "Nilai tidak boleh negatif."),
    ],
)
@pytest.mark.parametrize("action", ["pratinjau", "simpan"])
def test_bad_input_gets_a_clear_message_422_and_changes_nothing(
    app, dinsos, path, changes, message, action
):
    response = dinsos.post(f"{path}/{action}", data=_form(dinsos, path, **changes))
    assert response.status_code == 422
    html = page_text(response)
    assert message in html
    assert "Periksa isian yang ditandai" in html
    assert "Pratinjau dampak mulai" not in html
    assert _versions(app, path.rsplit("/", 1)[1]) == 1
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "rules.version_added")
            )
            == 0
        )


def test_a_date_equal_to_an_existing_version_is_refused(app, dinsos):
    assert dinsos.post(f"{SEMBAKO}/simpan", data=_form(dinsos)).status_code == 303
    response = dinsos.post(f"{SEMBAKO}/simpan", data=_form(dinsos, desil_max="3"))
    assert response.status_code == 422
    assert "Sudah ada versi yang berlaku mulai tanggal itu." in page_text(response)
    assert _versions(app) == 2


def test_english_messages(dinsos):
    dinsos.set_cookie("lang", "en")
    response = dinsos.post(f"{SEMBAKO}/pratinjau", data=_form(dinsos, desil_min="5"))
    assert response.status_code == 422
    assert "Desil terendah" not in page_text(response)


def test_htmx_preview_answers_with_the_editor_block_only(dinsos):
    response = dinsos.post(
        f"{SEMBAKO}/pratinjau", data=_form(dinsos), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = page_text(response)
    assert html.lstrip().startswith('<section class="card" id="editor"')
    assert "<html" not in html and "Pratinjau dampak mulai" in html
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-store"


def test_done_when_sembako_for_desil_1_to_4_from_next_month(app, dinsos):
    """The issue's scenario: preview per village (desil 5 loses Sembako), save, old version
    kept, the audit log has the event with the same totals."""
    form = _form(dinsos)
    response = dinsos.post(f"{SEMBAKO}/pratinjau", data=form)  # no JavaScript: whole page
    assert response.status_code == 200
    html = page_text(response)
    assert "<html" in html and "Pratinjau dampak mulai" in html
    assert 'class="gain-total">0<' in html and 'class="lose-total">2<' in html
    row = r'<tr id="impact-([\d.]+)"><td>([^<]+)</td><td[^>]*>(\d+)</td><td[^>]*>(\d+)'
    rows = re.findall(row, html)
    assert [(code, gain, lose) for code, _, gain, lose in rows] == [
        ("17.03.07.2011", "0", "1"),
        ("17.03.12.2001", "0", "1"),
    ]
    assert "Urai" in [name for _, name, _, _ in rows]
    assert re.search(r"NIK \d{4}\*{8}\d{4} · \w", html)  # masked sample with the head's name
    assert re.search(r'name="desil_max"[^>]* value="4"', html)  # the form is kept
    assert _versions(app) == 1  # nothing saved by a preview
    # The save form carries the previewed values.
    saved = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html))
    assert saved["desil_max"] == "4" and saved["effective_from"] == next_month().isoformat()
    response = dinsos.post(f"{SEMBAKO}/simpan", data=saved)
    assert response.status_code == 303
    html = page_text(dinsos.get(response.headers["Location"]))
    assert "Versi baru disimpan" in html
    assert "Akan berlaku tanggal" in html and ">Berlaku<" in html
    with app.app_context():
        versions = db.session.scalars(
            select(RuleVersion).where(RuleVersion.program_code == "SEMBAKO")
        ).all()
        assert [(v.desil_min, v.desil_max) for v in versions] == [(1, 5), (1, 4)]
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "rules.version_added")
        )
        details = json.loads(event.details)
        assert (details["gain"], details["lose"], details["desil_max"]) == (0, 2, 4)
        assert details["note"] == "Kepmensos 12/HUK/2027"


def test_saving_pkh_through_the_page(app, dinsos):
    response = dinsos.post(f"{PKH}/simpan", data=_form(dinsos, PKH, comp_SD="1.000.000"))
    assert response.status_code == 303
    with app.app_context():
        version = db.session.scalars(
            select(RuleVersion).where(RuleVersion.program_code == "PKH").order_by(RuleVersion.id)
        ).all()[-1]
        assert {c.code: c.yearly_amount for c in version.components}["SD"] == 1_000_000
        assert version.amount is None and version.effective_from == next_month()
    assert next_month() > local_today() - timedelta(days=1)
