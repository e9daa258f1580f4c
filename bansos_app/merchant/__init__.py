"""merchant package (filled by later work)."""
