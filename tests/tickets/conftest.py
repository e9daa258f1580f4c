"""Fixtures shared with the kiosk tests: an enrolled Giri Kencana kiosk and Sri's vouchers."""

from tests.kiosk.conftest import kiosk_client, sri_vouchers  # noqa: F401
