"""Shared set-up for browser tests: Debian's Chromium through Playwright, never a download."""

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# The machine has no internet: nothing in the background may try to reach it.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parent / "screenshots"  # gitignored; look at them
SIZES = {"landscape": (1280, 800), "portrait": (1080, 1920), "phone": (360, 740)}

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian chromium missing (make test installs it)"
)


def screenshot(page, name: str, screen_too: bool = False) -> None:
    """Save the whole page (and, if asked, what fits on the screen) under tests/screenshots/."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    if screen_too:
        page.screenshot(path=str(SHOTS / f"{name}-screen.png"))
