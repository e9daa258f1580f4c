"""Vouchers: periods, issuance, signed tokens, slips and redemption."""
