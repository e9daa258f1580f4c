"""Shops: scanning, redemption and settlement."""
