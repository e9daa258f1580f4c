"""Opening distribution periods: every refusal changes nothing; the list and the form."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bansos_app.audit.models import AuditEvent
from bansos_app.extensions import db
from bansos_app.vouchers.models import DistributionPeriod
from bansos_app.vouchers.services import PeriodError, open_period
from tests.conftest import csrf_from, page_text
from tests.vouchers.issue_helpers import dinsos, this_period  # noqa: F401

START, END = this_period()


def _periods() -> int:
    return db.session.scalar(select(func.count()).select_from(DistributionPeriod))


def test_open_period_is_audited(dinsos):  # noqa: F811
    period = open_period(dinsos, "SEMBAKO", "  2026   Tahap 4 ", START, END)
    assert (period.program_code, period.label, period.created_by_id) == (
        "SEMBAKO",
        "2026 Tahap 4",
        dinsos.id,
    )
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "vouchers.period_opened")
    )
    assert event.object_id == str(period.id)


@pytest.mark.parametrize(
    ("args", "field", "words"),
    [
        (("PKH", "A", START, END), "program", "program voucher"),
        (("NOPE", "A", START, END), "program", "program voucher"),
        (("SEMBAKO", "  ", START, END), "label", "nama periode"),
        (("SEMBAKO", "x" * 61, START, END), "label", "60 huruf"),
        (("SEMBAKO", "B", END, START), "ends_on", "sebelum tanggal mulai"),
        (("SEMBAKO", "Lama", START, END), "label", "sudah punya periode"),
        (("SEMBAKO", "B", END, END + timedelta(days=9)), "starts_on", "bertumpang tindih"),
        (("SEMBAKO", "B", START, None), "ends_on", "tanggal berakhir"),
        (("SEMBAKO", "B", START, START.replace(year=9999)), "ends_on", "satu tahun"),
    ],
)
def test_open_period_refusals_change_nothing(dinsos, args, field, words):  # noqa: F811
    open_period(dinsos, "SEMBAKO", "Lama", START, END)
    before = _periods()
    with pytest.raises(PeriodError) as error:
        open_period(dinsos, *args)
    assert error.value.field == field
    assert words in str(error.value.message).lower()
    db.session.rollback()
    assert _periods() == before


def test_same_label_or_dates_in_another_program_is_fine(dinsos):  # noqa: F811
    open_period(dinsos, "SEMBAKO", "Tahap 4", START, END)
    assert open_period(dinsos, "LPG", "Tahap 4", START, END).program_code == "LPG"


def _login_dinsos(client, auth, make_user):
    make_user("dinsos2", "dinsos_admin")
    auth.login("dinsos2", "dinsos2-pass-123")


def test_period_form_opens_and_redirects(client, auth, make_user):
    _login_dinsos(client, auth, make_user)
    page = client.get("/staf/periode/")
    assert page.status_code == 200
    data = {
        "csrf_token": csrf_from(page.data),
        "program": "LPG",
        "label": "2026 Tahap 4",
        "starts_on": START.isoformat(),
        "ends_on": END.isoformat(),
    }
    response = client.post("/staf/periode/buka", data=data)
    assert response.status_code == 303
    assert "/staf/periode/" in response.headers["Location"]
    shown = page_text(client.get(response.headers["Location"]))
    assert "2026 Tahap 4" in shown and "Terbitkan voucher" not in shown  # nobody to issue to
    listed = page_text(client.get("/staf/periode/"))
    assert "2026 Tahap 4" in listed


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"program": "PKH"}, "Pilihan tidak tersedia"),
        ({"label": ""}, "Isi nama periode"),
        ({"ends_on": "2020-01-01"}, "sebelum tanggal mulai"),
        ({"starts_on": "kemarin"}, "Isi tanggal yang benar"),
        ({"label": "Lama"}, "sudah punya periode"),
    ],
)
def test_period_form_bad_input_422_changes_nothing(
    app, client, auth, make_user, htmx, change, message
):
    _login_dinsos(client, auth, make_user)
    with app.test_request_context():
        open_period(
            None, "SEMBAKO", "Lama", START - timedelta(days=400), START - timedelta(days=300)
        )
    page = client.get("/staf/periode/")
    data = {
        "csrf_token": csrf_from(page.data),
        "program": "SEMBAKO",
        "label": "Baru",
        "starts_on": START.isoformat(),
        "ends_on": END.isoformat(),
    } | change
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post("/staf/periode/buka", data=data, headers=headers)
    assert response.status_code == 422
    assert message in page_text(response)
    with app.app_context():
        assert _periods() == 1


@pytest.mark.parametrize(("user", "role"), [("op", "operator_desa"), ("aud", "auditor")])
def test_only_dinsos_opens_periods(client, auth, make_user, user, role):
    make_user(user, role)
    auth.login(user, f"{user}-pass-123")
    page = client.get("/staf/periode/")
    assert page.status_code == 200
    assert "Buka periode" not in page_text(page)
    response = client.post("/staf/periode/buka", data={"csrf_token": csrf_from(page.data)})
    assert response.status_code == 403
