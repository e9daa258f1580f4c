"""reports package (filled by later work)."""
