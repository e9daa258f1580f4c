"""Filled by issue 8 work (placeholder so registration lines exist)."""
