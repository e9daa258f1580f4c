"""The receipt of a redemption as a PDF (WeasyPrint), for an 80 mm roll or a phone."""

from flask import make_response, render_template, request

from ..formatting import format_rupiah


def receipt_pdf(redemption, shop):
    """Render the shop's receipt of one redemption as a PDF response."""
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    html = render_template(
        "merchant/receipt_pdf.html",
        redemption=redemption,
        voucher=redemption.voucher,
        shop=shop,
        amount=format_rupiah(redemption.amount),
    )
    pdf = HTML(string=html, base_url=request.url_root).write_pdf()
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="struk-{redemption.id}.pdf"'
    return response
