"""Forms of the Dinsos settlement pages: the filter, the payment reference, the return reason."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..validators import ChoiceField, one_line
from .settlement import REASON_MAX, REFERENCE_MAX


class SettlementFilterForm(FlaskForm):
    """Period, state and village of the list across shops (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    periode = ChoiceField(_l("Periode"))
    status = ChoiceField(_l("Status"))
    desa = ChoiceField(_l("Desa"))


class PaymentForm(FlaskForm):
    """The bank transfer's reference for a paid settlement."""

    referensi = StringField(
        _l("Referensi pembayaran"),
        validators=[
            DataRequired(_l("Isi nomor referensi pembayaran.")),
            Length(
                max=REFERENCE_MAX,
                message=_l("Referensi pembayaran paling banyak %(n)d huruf.", n=REFERENCE_MAX),
            ),
            one_line,
        ],
    )


class ReturnForm(FlaskForm):
    """Why Dinsos sends a submitted settlement back to the shop."""

    alasan = StringField(
        _l("Alasan pengembalian"),
        validators=[
            DataRequired(_l("Tulis alasan pengembalian.")),
            Length(max=REASON_MAX, message=_l("Alasan paling banyak %(n)d huruf.", n=REASON_MAX)),
            one_line,
        ],
    )
