"""Kiosk tests share the rate limiter's memory: every test starts and ends with it empty."""

import pytest

from bansos_app.extensions import limiter


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()
    yield
    limiter.reset()
