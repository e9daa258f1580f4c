"""tickets package (filled by later work)."""
