"""Bulk slip PDFs: rolls one slip a page cut to its content, A4 sheets of nine, QR read back."""

import re
import subprocess

import pytest
from PIL import Image

from bansos_app.vouchers.slip_pdf import slips_pdf
from bansos_app.vouchers.tokens import verify_token
from tests.vouchers.slip_helpers import rasterise, read_qr, vouchers

MM_PER_PT = 25.4 / 72


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as pdftotext reads it (one slip line a line)."""
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode()


@pytest.mark.parametrize(("paper", "width_mm"), [("58", 58), ("80", 80)])
def test_roll_pdf_one_slip_a_page_and_the_qr_reads_back(app, make_voucher, paper, width_mm):
    first, _, _ = make_voucher(value=200_000)
    second, _, _ = make_voucher(program="LPG", value=60_000)
    with app.app_context():
        pdf = slips_pdf(vouchers(first, second), paper)
    pages = rasterise(pdf, paper, 1, 2)
    assert len(pages) == 2
    lines = [line.strip() for line in pdf_text(pdf).splitlines()]
    assert "E-VOUCHER BANSOS DESA" in lines
    assert "Sembako / BPNT" in lines
    assert any(re.fullmatch(r"NIK: \d{4}\*{8}\d{4}", line) for line in lines)
    assert "Desa: Giri Kencana" in lines
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


# --- bulk: staff page with a queue job, and the CLI --------------------------------------------


def _printed(app, voucher_id):
    from bansos_app.extensions import db
    from bansos_app.vouchers.models import Voucher

    with app.app_context():
        return db.session.get(Voucher, voucher_id).print_count


def test_staff_page_queues_a_village_pdf_and_offers_it(app, client, auth, demo, make_voucher):
    from tests.conftest import csrf_from, page_text

    ids = [make_voucher()[0] for _ in range(3)]
    outside, _, _ = make_voucher(program="LPG")  # same village, other program: printed too
    auth.login("operator", "demo-operator")
    page = client.get("/staf/slip/")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page_text(page)
    assert "Giri Kencana" in html and "Air Petai" not in html  # only the user's villages
    response = client.post(
        "/staf/slip/",
        data={"csrf_token": csrf_from(page.data), "village": "17.03.12.2003", "paper": "a4"},
    )
    assert response.status_code == 303
    job_page = client.get(response.headers["Location"])
    assert "Unduh PDF" in page_text(job_page)
    link = response.headers["Location"] + "/unduh"
    pdf = client.get(link)
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store"
    assert pdf.data.startswith(b"%PDF")
    assert all(_printed(app, v) == 1 for v in [*ids, outside])
    pages = rasterise(pdf.data, "bulk-a4")
    with app.app_context():
        # The demo's issued vouchers of the village come too: a full first sheet of nine.
        assert len({verify_token(t).voucher_id for t in read_qr(pages[0])}) == 9

    # Dinsos may follow every job, and every village is in its scope.
    auth.logout()
    auth.login("dinsos", "demo-dinsos-admin")
    assert client.get(link).status_code == 200


def test_a_village_outside_the_scope_is_refused(app, client, auth, demo, make_voucher):
    from tests.conftest import csrf_from

    auth.login("operator", "demo-operator")
    page = client.get("/staf/slip/")
    response = client.post(
        "/staf/slip/",
        data={"csrf_token": csrf_from(page.data), "village": "17.03.14.2001", "paper": "a4"},
    )
    assert response.status_code == 422
    assert "Pilihan tidak tersedia." in response.get_data(as_text=True)
    bad_paper = client.post(
        "/staf/slip/",
        data={"csrf_token": csrf_from(page.data), "village": "17.03.12.2003", "paper": "a5"},
    )
    assert bad_paper.status_code == 422


def test_another_operator_cannot_see_the_job(app, client, auth, demo, make_voucher, make_user):
    from tests.conftest import csrf_from

    make_voucher()
    auth.login("operator", "demo-operator")
    page = client.get("/staf/slip/")
    response = client.post(
        "/staf/slip/",
        data={"csrf_token": csrf_from(page.data), "village": "17.03.12.2003", "paper": "58"},
    )
    job_url = response.headers["Location"]
    auth.logout()
    make_user("op2", password="op2-pass-123456")
    auth.login("op2", "op2-pass-123456")
    assert client.get(job_url).status_code == 403
    assert client.get(job_url + "/unduh").status_code == 403
    assert client.get("/staf/slip/tugas/999999/unduh").status_code == 404


def test_cli_writes_the_pdf_and_counts_prints(app, make_voucher, tmp_path):
    voucher_id, _, _ = make_voucher()
    out = tmp_path / "slips.pdf"
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["bansos", "print-slips", "--village", "17.03.12.2003", "--paper", "80", "-o", out]
    )
    assert result.exit_code == 0, result.output
    assert "1 slips (80)" in result.output
    assert out.read_bytes().startswith(b"%PDF")
    assert _printed(app, voucher_id) == 1
    unknown = runner.invoke(args=["bansos", "print-slips", "--village", "99", "-o", out])
    assert unknown.exit_code == 2
    none = runner.invoke(
        args=["bansos", "print-slips", "--village", "17.03.12.2001", "-o", tmp_path / "x.pdf"]
    )
    assert none.exit_code == 1
    assert not (tmp_path / "x.pdf").exists()
