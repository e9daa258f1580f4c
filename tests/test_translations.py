"""The English catalog covers every message, with the same placeholders."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "bansos_app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%\(\w+\)0\d+d")


def _catalog():
    with PO.open("rb") as fh:
        return read_po(fh)


def test_every_message_in_the_code_has_an_english_translation():
    """Extract from the sources as pybabel does; each message must be in the catalog, filled."""
    catalog = _catalog()
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
    missing = []
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        ROOT / "bansos_app", method_map, keywords=keywords
    ):
        entry = catalog.get(message)
        if entry is None or not entry.string:
            missing.append(message)
    assert missing == []


def test_placeholders_match():
    """A translation that drops or renames a placeholder would crash or mislead at run time."""
    wrong = [
        m.id
        for m in _catalog()
        if m.id
        and m.string
        and sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))
    ]
    assert wrong == []
