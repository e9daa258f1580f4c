"""Shop forms: the scan field and the redemption (token, amount, idempotency key)."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField

from ..validators import one_line

THOUSANDS = re.compile(r"[0-9]{1,3}(\.[0-9]{3})+")


class AmountField(IntegerField):
    """A rupiah amount: digits, dots as thousands separators and "Rp" allowed; whole only."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].strip().replace(" ", "")
        if raw[:2].lower() == "rp":
            raw = raw[2:]
        negative = raw.startswith("-")
        digits = raw.lstrip("-")
        self.data = None
        # Dots only as thousands separators ("120.000"): "1.5" or "200.00" is a mistake, not
        # Rp15 or Rp20.000.
        if "." in digits and not THOUSANDS.fullmatch(digits):
            raise ValueError(_l("Isi nominal dengan angka bulat rupiah, tanpa koma atau sen."))
        digits = digits.replace(".", "")
        # ASCII digits only (int() would take other scripts' digits) and a sane length.
        if not digits or not (digits.isascii() and digits.isdigit()) or len(digits) > 9:
            raise ValueError(_l("Isi nominal dengan angka bulat rupiah, tanpa koma atau sen."))
        if negative or int(digits) == 0:
            raise ValueError(_l("Nominal harus lebih dari Rp0."))
        self.data = int(digits)


class ScanForm(FlaskForm):
    """What a USB scanner types (then Enter), or a manual code typed by hand."""

    token = StringField(_l("Pindai QR atau ketik kode voucher"), validators=[one_line])


class RedeemForm(FlaskForm):
    """One redemption: the scanned token, the amount and a key made for this form only."""

    token = HiddenField()
    amount = AmountField(_l("Nominal ditukar (Rp)"))
    idempotency_key = HiddenField()


class ReasonForm(FlaskForm):
    """Dinsos' reason for reversing a redemption."""

    reason = StringField(_l("Alasan pembatalan"), validators=[one_line])
