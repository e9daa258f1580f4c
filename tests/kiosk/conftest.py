"""Fixtures for the kiosk pages."""

import pytest
from sqlalchemy import select

from bansos_app.extensions import db
from tests.conftest import csrf_from


@pytest.fixture
def kiosk_client(app, demo):
    """A test client enrolled as the Giri Kencana kiosk (it holds the device cookie)."""
    from bansos_app.auth.models import User
    from bansos_app.kiosk.devices import register_device

    with app.app_context():
        operator = db.session.scalar(select(User).where(User.username == "operator"))
        _device, code = register_device(operator, "Kios Balai Desa", "17.03.12.2003", 80, 60)
        db.session.commit()
    client = app.test_client()
    confirm = client.get(f"/perangkat/daftar/{code}")
    client.post(f"/perangkat/daftar/{code}", data={"csrf_token": csrf_from(confirm.data)})
    assert 'data-kiosk="1"' in client.get("/").get_data(as_text=True)
    return client


@pytest.fixture
def sri_vouchers(app, demo) -> dict:
    """Sri Wahyuni's active vouchers the demo issued, by program: {"SEMBAKO": id, ...}."""
    from bansos_app.registry.models import Household
    from bansos_app.vouchers.models import Voucher

    with app.app_context():
        household_id = db.session.scalar(
            select(Household.id).where(Household.kk_number == "1703122003180001")
        )
        rows = db.session.execute(
            select(Voucher.program_code, Voucher.id).where(
                Voucher.household_id == household_id, Voucher.state == "active"
            )
        ).all()
    vouchers = dict(rows)
    assert {"SEMBAKO", "LPG"} <= set(vouchers)
    return vouchers
