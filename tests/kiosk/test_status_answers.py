"""The kiosk status page reads the stored answers: a rule change on its date, recipients."""

from datetime import date

import pytest
from sqlalchemy import select

from bansos_app.eligibility.evaluation import local_today
from bansos_app.eligibility.models import RuleVersion
from bansos_app.eligibility.recipient_models import Recipient
from bansos_app.extensions import db
from bansos_app.formatting import format_date_id
from bansos_app.registry.models import Household, Person
from tests.conftest import csrf_from
from tests.conftest import page_text as _text

SRI = {"nik": "1703124107850001", "kk": "1703122003180001"}


def _status(client, nik, kk):
    page = client.get("/cek-status")
    response = client.post(
        "/cek-status", data={"nik": nik, "kk": kk, "csrf_token": csrf_from(page.data)}
    )
    assert response.status_code == 303, _text(response)
    return _text(client.get("/status"))


def _desil_5_family(app):
    """An active demo household in desil 5 with a living head: NIK and KK."""
    with app.app_context():
        row = db.session.execute(
            select(Person.nik, Household.kk_number)
            .join(Household)
            .where(Household.desil == 5, Household.status == "active", Person.relation == "kepala")
            .limit(1)
        ).first()
    assert row, "the demo data has no active desil 5 household"
    return row


def _program(html: str, name: str) -> str:
    start = html.index(f'<span class="program-name">{name}</span>')
    return html[start : html.index("</li>", start)]


def test_sembako_for_desil_1_to_4_from_next_month_shows_on_that_day(app, client, demo, monkeypatch):
    nik, kk = _desil_5_family(app)
    first = local_today().replace(day=1)
    next_month = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    with app.app_context():
        db.session.add(
            RuleVersion(
                program_code="SEMBAKO",
                effective_from=next_month,
                desil_min=1,
                desil_max=4,
                amount=200_000,
                note="Contoh keputusan",
            )
        )
        db.session.commit()
    today = _program(_status(client, nik, kk), "Sembako / BPNT")
    assert "Menerima" in today and "Sejak" not in today

    monkeypatch.setattr("bansos_app.kiosk.views.local_today", lambda: next_month)
    that_day = _program(_status(client, nik, kk), "Sembako / BPNT")
    assert "Menerima" in that_day  # still on the list: flagged for review, not dropped
    with app.test_request_context("/"):
        when = format_date_id(next_month)
    assert f"Sejak {when} program ini untuk desil 1–4; keluarga Anda desil 5." in that_day


def test_an_eligible_family_not_on_the_list_is_told_so(app, client, demo):
    with app.app_context():
        sri = db.session.scalar(select(Household).where(Household.kk_number == SRI["kk"]))
        row = db.session.scalar(
            select(Recipient).where(
                Recipient.household_id == sri.id, Recipient.program_code == "SEMBAKO"
            )
        )
        row.state = "removed"
        row.removed_reason = "uji"
        db.session.commit()
    html = _status(client, **SRI)
    assert (
        "Keluarga Anda menerima uang tunai PKH, gas LPG 3 kg murah, potongan listrik dan BPJS "
        "Kesehatan gratis. Memenuhi syarat untuk sembako, tetapi belum ditetapkan sebagai "
        "penerima." in html
    )
    sembako = _program(html, "Sembako / BPNT")
    assert "Memenuhi syarat" in sembako
    assert "belum ditetapkan sebagai penerima oleh Dinas Sosial" in sembako
    assert "Penerima sampai 31 Desember" in _program(html, "Subsidi LPG 3 kg")


@pytest.mark.parametrize("lang", ["en"])
def test_the_reason_in_english(app, client, demo, lang):
    nik, kk = _desil_5_family(app)
    client.get(f"/bahasa/{lang}")
    html = _status(client, nik, kk)
    assert "Family Hope Programme (PKH)" in html
    assert "Since 1 April 2025 this programme is for desil 1–4; your family is in desil 5." in html
