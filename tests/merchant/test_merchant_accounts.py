"""Shop accounts: create with a login shown once, change, deactivate (the login too), access."""

import re

import pytest
from sqlalchemy import select

from bansos_app.auth.models import User
from bansos_app.extensions import db
from bansos_app.merchant.models import Merchant
from tests.conftest import csrf_from, page_text
from tests.merchant.settlement_helpers import audit_actions, redeem

BASE = "/staf/toko-mitra/"


@pytest.fixture
def dinsos(client, auth, make_user):
    make_user("dinas", role="dinsos_admin", password="dinas-pass-123")
    auth.login("dinas", "dinas-pass-123")
    return client


def _merchant(app, **filters) -> Merchant:
    with app.app_context():
        merchant = db.session.scalar(select(Merchant).filter_by(**filters))
        if merchant is not None:
            db.session.expunge(merchant)
        return merchant


def _create(client, **fields):
    token = csrf_from(client.get(BASE + "baru").data)
    data = {"name": "E-Warong Maju", "kind": "sembako", "village": "17.03.12.2003"}
    data.update({"username": "warongmaju", "csrf_token": token, **fields})
    return client.post(BASE + "baru", data=data)


def test_create_a_shop_with_its_account_and_log_in(app, client, auth, dinsos):
    done = _create(dinsos)
    assert done.status_code == 200
    text = page_text(done)
    password = re.search(r'id="sandi" type="text" value="([^"]+)"', text).group(1)
    assert "hanya ditampilkan sekarang" in text
    merchant = _merchant(app, name="E-Warong Maju")
    assert (merchant.kind, merchant.village_code, merchant.active) == (
        "sembako",
        "17.03.12.2003",
        True,
    )
    with app.app_context():
        user = db.session.get(User, merchant.user_id)
        assert (user.username, user.role) == ("warongmaju", "merchant")
    assert audit_actions(app)[-2:] == ["auth.user_created", "merchants.created"]
    listing = page_text(dinsos.get(BASE))
    assert "E-Warong Maju" in listing and "warongmaju" in listing and password not in listing
    auth.logout()
    assert auth.login("warongmaju", password).status_code == 303
    assert client.get("/toko/rekap/").status_code == 200


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Isi nama toko."),
        ({"name": "A\nB"}, "satu baris"),
        ({"kind": "warung"}, "Pilihan tidak tersedia."),
        ({"village": "99.99.99.9999"}, "Pilihan tidak tersedia."),
        ({"username": "a b"}, "Nama pengguna 3 sampai 60"),
        ({"username": "dinas"}, "sudah dipakai"),
    ],
)
def test_bad_input_is_refused_and_creates_nothing(app, dinsos, fields, message):
    refused = _create(dinsos, **fields)
    assert refused.status_code == 422 and message in page_text(refused)
    assert _merchant(app, name="E-Warong Maju") is None
    with app.app_context():
        assert db.session.scalar(select(User).filter_by(username="warongmaju")) is None


def test_change_name_kind_and_village(app, dinsos, make_merchant):
    merchant_id, _ = make_merchant()
    token = csrf_from(dinsos.get(f"{BASE}{merchant_id}").data)
    data = {
        "name": "Pangkalan Baru",
        "kind": "lpg",
        "village": "17.03.12.2001",
        "csrf_token": token,
    }
    assert dinsos.post(f"{BASE}{merchant_id}", data=data).status_code == 303
    merchant = _merchant(app, id=merchant_id)
    assert (merchant.name, merchant.kind, merchant.village_code) == (
        "Pangkalan Baru",
        "lpg",
        "17.03.12.2001",
    )
    assert audit_actions(app)[-1] == "merchants.updated"


def test_kind_stays_once_the_shop_has_redeemed(app, dinsos, make_merchant, make_voucher):
    merchant_id, _ = make_merchant()
    voucher_id, _, _ = make_voucher()
    redeem(app, voucher_id, merchant_id, 50_000)
    token = csrf_from(dinsos.get(f"{BASE}{merchant_id}").data)
    data = {"name": "Toko 1", "kind": "lpg", "village": "17.03.12.2003", "csrf_token": token}
    refused = dinsos.post(f"{BASE}{merchant_id}", data=data)
    assert refused.status_code == 422 and "tidak dapat diubah" in page_text(refused)
    assert _merchant(app, id=merchant_id).kind == "sembako"


def test_deactivate_stops_the_shop_and_its_login(app, client, auth, make_merchant, make_user):
    merchant_id, username = make_merchant()
    shop = app.test_client()
    shop.post(
        "/staf/masuk",
        data={
            "username": username,
            "password": f"{username}-pass-123",
            "csrf_token": csrf_from(shop.get("/staf/masuk").data),
        },
    )
    assert shop.get("/toko/rekap/").status_code == 200
    make_user("dinas", role="dinsos_admin", password="dinas-pass-123")
    auth.login("dinas", "dinas-pass-123")
    url = f"{BASE}{merchant_id}/nonaktifkan"
    token = csrf_from(client.get(url).data)
    assert client.post(url, data={"csrf_token": token, "reason": ""}).status_code == 422
    assert _merchant(app, id=merchant_id).active
    assert client.post(url, data={"csrf_token": token, "reason": "Tutup"}).status_code == 303
    merchant = _merchant(app, id=merchant_id)
    with app.app_context():
        assert not merchant.active and not db.session.get(User, merchant.user_id).active
    # Its open session ends at once, and the password no longer logs in.
    assert shop.get("/toko/rekap/").status_code in (302, 401)
    assert audit_actions(app)[-1] == "merchants.deactivated"
    # Reactivated inline (htmx): the row comes back, and so does the login.
    again = client.post(
        f"{BASE}{merchant_id}/aktifkan", headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert again.status_code == 200 and page_text(again).lstrip().startswith("<tr")
    assert "HX-Request" in again.headers["Vary"]
    with app.app_context():
        assert db.session.get(User, merchant.user_id).active


@pytest.mark.parametrize(("username", "role"), [("op", "operator_desa"), ("aud", "auditor")])
def test_only_dinsos_manages_shops(client, auth, make_user, make_merchant, username, role):
    merchant_id, _ = make_merchant()
    make_user(username, role=role, password=f"{username}-pass-12345")
    auth.login(username, f"{username}-pass-12345")
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}{merchant_id}").status_code == 403


def test_unknown_shop_is_404(dinsos):
    assert dinsos.get(f"{BASE}999999").status_code == 404
