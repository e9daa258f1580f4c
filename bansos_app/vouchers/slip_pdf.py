"""Voucher slips as PDFs (WeasyPrint): one slip a page on 58/80 mm rolls, nine on A4."""

from functools import cache
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from .slips import PAPERS, slip_for

PER_SHEET = 9  # A4: three columns of three slips of 66 x 95 mm
CSS_PX_PER_MM = 96 / 25.4


# One page rule a paper: rolls a slip long (cut to the slip after layout), A4 sheets.
PAGES = {
    "58": "@page { size: 58mm 300mm; margin: 2mm 5mm 4mm; }",
    "80": "@page { size: 80mm 300mm; margin: 2mm 4mm 4mm; }",
    "a4": "@page { size: A4; margin: 6mm; }",
}


@cache
def _fonts():
    """WeasyPrint's font set, made once a process: slips never load fonts per slip or PDF."""
    # Imported here: WeasyPrint (Pango) loads slowly and only slip printing needs it.
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


# The few user-agent rules slips need, instead of WeasyPrint's whole HTML stylesheet: matching
# hundreds of rules against every element was a fifth of a slip's time. WeasyPrint's own test
# suite swaps its user-agent sheet the same way (HTML._ua_stylesheets).
SLIP_UA = """
html, body, section, article, p { display: block; }
head { display: none; }
b { font-weight: bold; }
br::before { content: "\\A"; white-space: pre-line; }
"""


@cache
def _slip_html_class():
    """An HTML class whose user-agent stylesheet is SLIP_UA (parsed once a process)."""
    from weasyprint import CSS, HTML

    ua = CSS(string=SLIP_UA, font_config=_fonts())

    class SlipHTML(HTML):
        """A slip document: only the user-agent rules slips use."""

        def _ua_stylesheets(self, forms=False):
            return [ua]

    return SlipHTML


@cache
def _stylesheet(paper: str, path: str):
    """The slip stylesheet for a paper, parsed once a process."""
    from weasyprint import CSS

    text = PAGES[paper] + Path(path).read_text(encoding="utf-8")
    return CSS(string=text, font_config=_fonts())


def slips_html(slips: list, paper: str) -> str:
    """The one HTML document holding every slip."""
    return render_template("vouchers/slip_pdf.html", slips=slips, paper=paper, per_sheet=PER_SHEET)


def _fit_rolls(document) -> None:
    """Cut each roll page just below its slip, so the printer feeds no blank paper."""
    for page in document.pages:
        box = page._page_box  # noqa: SLF001 - WeasyPrint exposes no public content height
        bottom = max(
            (child.position_y + child.margin_height() for child in _content_boxes(box)),
            default=page.height,
        )
        page.height = min(page.height, bottom + box.margin_bottom)


def _content_boxes(page_box):
    """The slip boxes laid out on a page (html > body > article)."""
    for html in page_box.children:
        for body in getattr(html, "children", ()):
            yield from getattr(body, "children", ())


def slips_pdf(vouchers, paper: str = "a4", reprints: dict | None = None, progress=None) -> bytes:
    """Render the vouchers' slips as one PDF for the paper ("58", "80" or "a4")."""
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}")
    reprints = reprints or {}
    with force_locale("id"):  # also outside a request (jobs, CLI): printed for the shops
        slips = []
        for number, voucher in enumerate(vouchers, 1):
            slips.append(slip_for(voucher, paper, reprints.get(voucher.id), depth=8))
            if progress and number % 100 == 0:
                progress(number, len(vouchers) + 1)
        html = slips_html(slips, paper)
    css = str(Path(current_app.static_folder) / "css" / "slip_pdf.css")
    document = _slip_html_class()(string=html, base_url=current_app.root_path).render(
        stylesheets=[_stylesheet(paper, css)], font_config=_fonts()
    )
    if paper != "a4":
        _fit_rolls(document)
    return document.write_pdf()
