"""Forged and oversized input found in review: each gets a clear answer, never a 500."""

import pytest

from tests.conftest import csrf_from, page_text


@pytest.fixture
def operator(client, auth, demo):
    """The test client logged in as the demo operator."""
    assert auth.login("operator", "demo-operator").status_code == 303
    return client


@pytest.mark.parametrize(
    "key",
    ["1.é", "9999999999999999999.x", "1234567890.abc", "1." + "a" * 100, ".", "x.y", "١.abc"],
)
def test_forged_start_keys_are_refused_not_crashes(client, demo, key):
    page = client.get("/perangkat/mulai")
    response = client.post(
        "/perangkat/mulai", data={"kunci": key, "csrf_token": csrf_from(page.data)}
    )
    assert response.status_code == 403
    assert "Akses ditolak" in page_text(response)


@pytest.mark.parametrize(
    "path",
    [
        "/staf/pin/99999999999999999999",
        "/staf/kiosk/9999999999/cabut",
        "/staf/kiosk/2147483648/kode",
    ],
)
def test_huge_ids_in_staff_urls_are_not_found(operator, path):
    page = operator.get("/staf/")
    response = operator.post(path, data={"csrf_token": csrf_from(page.data)})
    assert response.status_code == 404


def test_overlong_login_fields_get_indonesian_messages(client):
    page = client.get("/staf/masuk")
    data = {"username": "u" * 61, "password": "p" * 201, "csrf_token": csrf_from(page.data)}
    html = page_text(client.post("/staf/masuk", data=data))
    assert "Nama pengguna paling banyak 60 huruf." in html
    assert "Kata sandi paling banyak 200 huruf." in html
    assert "Field cannot be longer" not in html


@pytest.mark.parametrize("idle", ["9" * 5000, "١٢٠", "12.5", "-30"])
def test_idle_seconds_must_be_a_small_whole_number(operator, idle):
    page = operator.get("/staf/kiosk/")
    data = {
        "name": "Kios",
        "village": "17.03.12.2003",
        "paper_width": "80",
        "idle_seconds": idle,
        "csrf_token": csrf_from(page.data),
    }
    response = operator.post("/staf/kiosk/", data=data)
    assert response.status_code == 422
    assert "Isi dengan angka bulat." in page_text(response)
