"""The household status edit (block, unblock, inactive): refusals, the form, scope, vouchers."""

import pytest

from bansos_app.extensions import db
from bansos_app.registry.edits import EditRefused, change_status
from bansos_app.registry.models import Household
from tests.conftest import csrf_from, page_text
from tests.vouchers.issue_helpers import (  # noqa: F401
    GIRI,
    add_recipients,
    dinsos,
    issued,
    this_period,
    voucher_states,
)

START, END = this_period()


@pytest.mark.parametrize(
    ("status", "reason", "field"),
    [("blocked", " ", "reason"), ("graduated", "x", "status"), ("active", "x", "status")],
)
def test_status_refusals_change_nothing(dinsos, issued, status, reason, field):  # noqa: F811
    household = db.session.get(Household, issued[0])
    with pytest.raises(EditRefused) as error:
        change_status(dinsos, household, status, reason)
    assert error.value.field == field
    db.session.rollback()
    assert db.session.get(Household, issued[0]).status == "active"
    assert [s for _, s, _ in voucher_states(issued[0])] == ["active", "active"]


@pytest.mark.parametrize("htmx", [False, True])
def test_status_form_on_the_household_page(app, client, auth, make_user, issued, htmx):  # noqa: F811
    make_user("op", "operator_desa")
    auth.login("op", "op-pass-123")
    url = f"/staf/keluarga/{issued[1]}"
    page = client.get(url)
    assert "Ubah status" in page_text(page)
    headers = {"HX-Request": "true"} if htmx else {}
    token = csrf_from(page.data)
    bad = client.post(
        f"{url}/status", data={"csrf_token": token, "status": "blocked"}, headers=headers
    )
    assert bad.status_code == 422 and "Tulis alasan perubahan" in page_text(bad)
    forged = client.post(
        f"{url}/status",
        data={"csrf_token": token, "status": "hapus", "reason": "x"},
        headers=headers,
    )
    assert forged.status_code == 422 and "Pilihan tidak tersedia" in page_text(forged)
    with app.app_context():
        assert [s for _, s, _ in voucher_states(issued[1])] == ["active", "active"]
    ok = client.post(
        f"{url}/status",
        data={"csrf_token": token, "status": "inactive", "reason": "Pindah domisili"},
        headers=headers,
    )
    assert ok.status_code == (200 if htmx else 303)
    shown = page_text(client.get(url))
    assert "Tidak aktif" in shown and "2 voucher dibatalkan" in shown
    with app.app_context():
        assert voucher_states(issued[1]) == [
            ("LPG", "voided", "Pindah domisili"),
            ("SEMBAKO", "voided", "Pindah domisili"),
        ]


def test_status_edit_is_scoped(app, client, auth, make_user, make_household):
    other = make_household("17.03.12.2001")
    make_user("op", "operator_desa", villages=(GIRI,))
    auth.login("op", "op-pass-123")
    page = client.get("/staf/keluarga/")
    response = client.post(
        f"/staf/keluarga/{other}/status",
        data={"csrf_token": csrf_from(page.data), "status": "blocked", "reason": "x"},
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Household, other).status == "active"
