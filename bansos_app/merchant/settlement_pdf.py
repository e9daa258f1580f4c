"""A settlement as an A4 PDF (WeasyPrint): shop, period, lines, total and signatures."""

from flask import render_template, request
from weasyprint import HTML

from ..extensions import db
from ..models_base import utcnow
from ..registry.models import Region
from ..vouchers.models import DistributionPeriod
from .models import Merchant
from .settlement import STATE_NAMES, settlement_lines


def settlement_pdf(settlement) -> bytes:
    """Render one shop's settlement for one period as a PDF to print and sign."""
    merchant = db.session.get(Merchant, settlement.merchant_id)
    period = db.session.get(DistributionPeriod, settlement.period_id)
    village = db.session.get(Region, merchant.village_code)
    html = render_template(
        "merchant/settlement_pdf.html",
        settlement=settlement,
        merchant=merchant,
        period=period,
        village=village,
        lines=settlement_lines(merchant, period),
        state_names=STATE_NAMES,
        now=utcnow(),
    )
    # No network: the page uses no outside resources, and the base URL is this app only.
    return HTML(string=html, base_url=request.host_url).write_pdf()
