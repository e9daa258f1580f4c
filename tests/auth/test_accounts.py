"""Account pages: who may open them, what a Dinsos admin may touch, and every change audited."""

import pytest

from bansos_app.cli import DEMO_ACCOUNTS
from tests.auth.account_helpers import (
    DEMO,
    GIRI_KENCANA,
    MANAGERS,
    URAI,
    account,
    all_audit_text,
    events,
    login_as,
    new_account,
    post,
    shown_password,
    uid,
)
from tests.conftest import AuthActions, page_text

# --- who may open what --------------------------------------------------------------------

PAGES = ["/staf/akun/", "/staf/akun/baru", "/staf/akun/{op}", "/staf/akun/{op}/nonaktifkan"]


@pytest.mark.parametrize("path", PAGES + ["/staf/kata-sandi"])
@pytest.mark.parametrize("role", sorted(DEMO))
def test_access_matrix(app, demo, role, path):
    client = login_as(app, role)
    response = client.get(path.format(op=uid(app, "operator")))
    manages = role in MANAGERS or path == "/staf/kata-sandi"
    assert response.status_code == (200 if manages else 403)
    if manages:
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", PAGES + ["/staf/kata-sandi"])
def test_pages_need_login(app, demo, client, path):
    response = client.get(path.format(op=uid(app, "operator")))
    assert response.status_code == 302 and "/staf/masuk" in response.headers["Location"]


@pytest.mark.parametrize("role", sorted(set(DEMO) - MANAGERS))
@pytest.mark.parametrize("action", ["sandi-baru", "aktifkan", "nonaktifkan"])
def test_row_actions_are_refused_to_other_roles(app, demo, role, action):
    client = login_as(app, role)
    target = uid(app, "pendamping")
    response = post(
        client, f"/staf/akun/{target}/{action}", {"reason": "x"}, page="/staf/kata-sandi"
    )
    assert response.status_code == 403
    assert account(app, "pendamping").active and not events(app, "auth.password_reset")


# --- what a Dinsos admin may touch -----------------------------------------------------------


@pytest.mark.parametrize("role", ["superadmin", "dinsos_admin", "auditor"])
def test_dinsos_cannot_create_district_accounts(app, demo, role):
    client = login_as(app, "dinsos_admin")
    response = new_account(client, username="naik", role=role)
    assert response.status_code == 403
    created = events(app, "auth.user_created")[len(DEMO_ACCOUNTS) :]
    assert account(app, "naik") is None and not created


def test_dinsos_is_offered_only_village_staff_and_shop_roles(app, demo):
    html = page_text(login_as(app, "dinsos_admin").get("/staf/akun/baru"))
    assert 'value="operator_desa"' in html and 'value="merchant"' in html
    assert 'value="superadmin"' not in html and 'value="dinsos_admin"' not in html


def test_dinsos_cannot_raise_an_operator_to_dinsos(app, demo):
    client = login_as(app, "dinsos_admin")
    op = uid(app, "operator")
    data = {"full_name": "Operator", "role": "dinsos_admin", "villages": []}
    response = post(client, f"/staf/akun/{op}", data)
    assert response.status_code == 403
    assert account(app, "operator").role == "operator_desa"
    assert not events(app, "auth.user_updated")


@pytest.mark.parametrize("target", ["admin", "auditor", "dinsos"])
def test_dinsos_cannot_see_or_change_district_accounts(app, demo, target):
    client = login_as(app, "dinsos_admin")
    other = uid(app, target)
    listing = page_text(client.get("/staf/akun/"))
    assert f'id="akun-{uid(app, "operator")}"' in listing  # village staff: listed
    assert f'id="akun-{other}"' not in listing
    assert client.get(f"/staf/akun/{other}").status_code == 404
    data = {"full_name": "Diubah", "role": "merchant", "reason": "coba"}
    for path in ("", "/nonaktifkan", "/sandi-baru", "/aktifkan"):
        assert post(client, f"/staf/akun/{other}{path}", data).status_code == 404
    user = account(app, target)
    assert user.active and user.full_name != "Diubah"


def test_superadmin_sees_and_creates_every_role(app, demo):
    client = login_as(app, "superadmin")
    html = page_text(client.get("/staf/akun/"))
    for username in DEMO.values():
        assert f'id="akun-{uid(app, username[0])}"' in html
    assert new_account(client, username="dinas2", role="dinsos_admin").status_code == 200
    assert account(app, "dinas2").role == "dinsos_admin"


def test_list_filters_by_role_and_status(app, demo):
    client = login_as(app, "superadmin")
    html = page_text(client.get("/staf/akun/?role=merchant"))
    assert f'id="akun-{uid(app, "toko")}"' in html
    assert f'id="akun-{uid(app, "operator")}"' not in html
    # operator (Giri Kencana) and operator-ap (Air Petai)
    assert "Jumlah akun: 2" in page_text(client.get("/staf/akun/?status=active&q=opera"))
    assert "Jumlah akun: 0" in page_text(client.get("/staf/akun/?status=inactive"))
    # A typed % or _ is a character to look for, not a wildcard matching every account.
    for wild in ("%", "_", "%%"):
        assert "Jumlah akun: 0" in page_text(client.get("/staf/akun/", query_string={"q": wild}))


# --- create and edit -------------------------------------------------------------------------


def test_create_shows_the_password_once_audited_without_it(app, demo):
    client = login_as(app, "dinsos_admin")
    response = new_account(client, villages=[GIRI_KENCANA, URAI])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = shown_password(response)
    assert len(password) >= 12
    sari = account(app, "sari")
    assert sari.role == "operator_desa" and sari.village_codes == [URAI, GIRI_KENCANA]
    (event,) = events(app, "auth.user_created")[len(DEMO_ACCOUNTS) :]
    assert event["actor"] == uid(app, "dinsos") and event["object"] == str(sari.id)
    assert event["villages"] == [URAI, GIRI_KENCANA] and password not in all_audit_text(app)
    assert password not in page_text(client.get("/staf/akun/"))
    assert AuthActions(app.test_client()).login("sari", password).status_code == 303


def test_edit_changes_role_and_villages_and_is_audited(app, demo):
    client = login_as(app, "dinsos_admin")
    op = uid(app, "operator")
    data = {"full_name": "Bu Sari", "role": "pendamping", "villages": [URAI]}
    response = post(client, f"/staf/akun/{op}", data)
    assert response.status_code == 303 and response.headers["Location"].endswith("/staf/akun/")
    user = account(app, "operator")
    assert (user.full_name, user.role, user.village_codes) == ("Bu Sari", "pendamping", [URAI])
    (event,) = events(app, "auth.user_updated")
    assert event["changes"]["role"] == ["operator_desa", "pendamping"]
    assert event["changes"]["villages"] == [[URAI, GIRI_KENCANA], [URAI]]
    assert "disimpan" in page_text(client.get("/staf/akun/"))


def test_village_roles_need_a_village_and_others_none(app, demo):
    client = login_as(app, "superadmin")
    html = page_text(new_account(client, villages=[]))
    assert "Pilih paling sedikit satu desa untuk peran ini." in html
    html = page_text(new_account(client, username="toko2", role="merchant", villages=[URAI]))
    assert "Peran ini tidak terikat desa" in html
    assert account(app, "sari") is None and account(app, "toko2") is None


def test_nobody_changes_their_own_role(app, demo):
    client = login_as(app, "superadmin")
    data = {"full_name": "Superadmin", "role": "auditor", "villages": []}
    response = post(client, f"/staf/akun/{uid(app, 'admin')}", data)
    assert response.status_code == 422
    assert "Anda tidak dapat mengubah peran akun Anda sendiri." in page_text(response)
    assert account(app, "admin").role == "superadmin"


@pytest.mark.parametrize("page", ["9" * 5000, "0", "-1", "٣", "2"])
def test_odd_page_numbers_show_a_page(app, demo, page):
    response = login_as(app, "superadmin").get(f"/staf/akun/?hal={page}")
    assert response.status_code == 200 and "Halaman" not in page_text(response)


def test_pages_speak_english_when_chosen(app, demo):
    client = login_as(app, "dinsos_admin")
    client.get("/bahasa/en")
    assert "Staff accounts" in page_text(client.get("/staf/akun/"))
    assert "Create a new account" in page_text(client.get("/staf/akun/baru"))
    html = page_text(new_account(client, villages=["17.03.12.9999"]))
    assert "Unknown village: 17.03.12.9999" in html
    assert "Current password" in page_text(client.get("/staf/kata-sandi"))
