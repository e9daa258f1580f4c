"""Bulk slip PDFs: rolls one slip a page cut to its content, A4 sheets of nine, QR read back."""

import pytest
from PIL import Image

from bansos_app.vouchers.slip_pdf import slips_pdf
from bansos_app.vouchers.tokens import verify_token
from tests.vouchers.slip_helpers import rasterise, read_qr, vouchers

MM_PER_PT = 25.4 / 72


@pytest.mark.parametrize(("paper", "width_mm"), [("58", 58), ("80", 80)])
def test_roll_pdf_one_slip_a_page_and_the_qr_reads_back(app, make_voucher, paper, width_mm):
    first, _, _ = make_voucher(value=200_000)
    second, _, _ = make_voucher(program="LPG", value=60_000)
    with app.app_context():
        pdf = slips_pdf(vouchers(first, second), paper)
    pages = rasterise(pdf, paper, 1, 2)
    assert len(pages) == 2
    for page, voucher_id in zip(pages, (first, second), strict=True):
        image = Image.open(page)
        # 203 dpi: the page is the roll's width, and cut below the slip (no metre of paper).
        assert abs(image.width - round(width_mm / 25.4 * 203)) <= 1
        assert image.height < 200 / 25.4 * 203
        texts = read_qr(page)
        assert len(texts) == 1
        with app.app_context():
            assert verify_token(texts[0]).voucher_id == voucher_id


def test_a4_sheet_holds_nine_slips_that_all_read_back(app, make_voucher):
    ids = [make_voucher(value=200_000 + i)[0] for i in range(10)]
    with app.app_context():
        pdf = slips_pdf(vouchers(*ids), "a4")
    pages = rasterise(pdf, "a4", 1, 2)
    assert len(pages) == 2
    first_sheet = read_qr(pages[0])
    with app.app_context():
        assert [verify_token(t).voucher_id for t in first_sheet] == ids[:9]
        assert [verify_token(t).voucher_id for t in read_qr(pages[1])] == ids[9:]


def test_unknown_paper_is_refused(app, make_voucher):
    voucher_id, _, _ = make_voucher()
    with app.app_context(), pytest.raises(ValueError):
        slips_pdf(vouchers(voucher_id), "a5")
