"""QR bitmaps: 1-bit PNG, whole dots per module at 203 dpi, EC level Q, 4-module quiet zone."""

import io

import pytest
import zxingcpp
from PIL import Image

from bansos_app.vouchers.qr import DPI, MAX_DOTS, QUIET, dots_per_module, qr_image, qr_matrix

TOKEN = ("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" * 5)[:136]  # as long as a Sembako token


@pytest.mark.parametrize(("paper", "dots"), [("58", 5), ("80", 6), ("a4", 4)])
def test_whole_dots_per_module_fit_the_paper(paper, dots):
    qr = qr_image(TOKEN, paper)
    modules = len(qr_matrix(TOKEN)) + 2 * QUIET
    assert qr.dots_per_module == dots
    assert qr.pixels == modules * dots <= MAX_DOTS[paper]
    assert qr.mm == round(qr.pixels / DPI * 25.4, 3)
    # The 58 mm roll prints 48 mm (384 dots), the 80 mm roll 72 mm (576 dots).
    assert qr.pixels <= {"58": 384, "80": 576, "a4": 400}[paper]


def test_png_is_one_bit_with_the_printer_resolution_and_reads_back():
    qr = qr_image(TOKEN, "58")
    image = Image.open(io.BytesIO(qr.png))
    assert image.mode == "1"
    assert image.size == (qr.pixels, qr.pixels)
    assert round(image.info["dpi"][0]) == DPI
    [result] = zxingcpp.read_barcodes(image)
    assert result.text == TOKEN
    assert result.ec_level == "Q"
    assert qr.data_uri.startswith("data:image/png;base64,")


def test_quiet_zone_is_four_modules_of_white():
    qr = qr_image(TOKEN, "80")
    image = Image.open(io.BytesIO(qr.png)).convert("L")
    margin = QUIET * qr.dots_per_module
    pixels = image.load()
    for i in range(qr.pixels):
        for j in range(margin):
            assert pixels[i, j] == pixels[j, i] == 255
    # ... and the symbol starts right after it (the finder pattern's dark corner).
    assert pixels[margin, margin] == 0


def test_token_goes_in_alphanumeric_mode():
    import qrcode
    from qrcode.constants import ERROR_CORRECT_Q
    from qrcode.util import MODE_8BIT_BYTE, QRData

    # Alphanumeric mode keeps a 136-character token at version 8 (49 modules) with EC Q;
    # the same text in byte mode needs a bigger symbol.
    assert len(qr_matrix(TOKEN)) == 49
    as_bytes = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=0)
    as_bytes.add_data(QRData(TOKEN.encode(), mode=MODE_8BIT_BYTE))
    as_bytes.make(fit=True)
    assert len(as_bytes.get_matrix()) > 49


def test_a_longer_text_still_gets_at_least_three_dots_per_module():
    assert dots_per_module(177, "a4") == 3


def test_fast_mask_choice_gives_the_same_symbol_as_qrcodes_own_search():
    import random

    import qrcode
    from qrcode.constants import ERROR_CORRECT_Q
    from qrcode.util import MODE_ALPHA_NUM, QRData

    rng = random.Random(8)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    for length in [5, 40, 130, 136, 200, 400] * 10:
        text = "".join(rng.choice(alphabet) for _ in range(length))
        reference = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=0)
        reference.add_data(QRData(text.encode(), mode=MODE_ALPHA_NUM, check_data=False))
        reference.make(fit=True)
        assert qr_matrix(text) == reference.get_matrix(), text


def test_grey_png_for_pdfs_has_the_same_pixels():
    one, grey = qr_image(TOKEN, "a4"), qr_image(TOKEN, "a4", depth=8)
    a = Image.open(io.BytesIO(one.png)).convert("L")
    b = Image.open(io.BytesIO(grey.png))
    assert b.mode == "L"
    assert a.tobytes() == b.tobytes()
