"""vouchers package (filled by later work)."""
