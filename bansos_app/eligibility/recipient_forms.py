"""Forms for recipient lists: a new list (SK, period, mode, quotas), a removal, the filter."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, StringField
from wtforms.validators import DataRequired, Length

from ..validators import ChoiceField, DayField, WholeNumberField, one_line

QUOTA_PREFIX = "kuota-"


class RecipientListForm(FlaskForm):
    """Fix a recipient list: program, period of validity, the SK and the mode."""

    program = ChoiceField(_l("Program"), validators=[DataRequired(_l("Pilih program."))])
    valid_from = DayField(_l("Berlaku mulai"))
    valid_until = DayField(_l("Berlaku sampai"))
    sk_number = StringField(
        _l("Nomor SK"),
        validators=[Length(max=80, message=_l("Nomor SK paling banyak 80 huruf.")), one_line],
    )
    sk_date = DayField(_l("Tanggal SK"))
    mode = ChoiceField(
        _l("Cara penetapan"),
        choices=[
            SelectChoice("all", _l("Semua keluarga layak")),
            SelectChoice("quota", _l("Dalam kuota per desa")),
        ],
        default="all",
    )


def read_quotas(formdata, village_codes) -> tuple[dict, dict]:
    """Read one quota per village from `kuota-<code>`: ({code: n}, {code: error}); blank is 0."""
    quotas, errors = {}, {}
    for code in village_codes:
        raw = (formdata.get(QUOTA_PREFIX + code) or "").strip()
        if not raw:
            continue
        if raw.startswith("-") and raw[1:].isdigit():
            errors[code] = _l("Kuota tidak boleh negatif.")
        elif raw.isascii() and raw.isdigit() and len(raw) <= 7:
            quotas[code] = int(raw)
        else:
            errors[code] = _l("Isi kuota dengan angka bulat.")
    return quotas, errors


class RemoveForm(FlaskForm):
    """Remove one recipient: the reason is required and kept on the row and in the audit."""

    alasan = StringField(
        _l("Alasan"),
        validators=[
            DataRequired(_l("Tulis alasannya.")),
            Length(max=300, message=_l("Alasan paling banyak 300 huruf.")),
            one_line,
        ],
    )


class RecipientFilterForm(FlaskForm):
    """Filter a list's recipients by village and "perlu ditinjau"; read from the URL."""

    class Meta:
        csrf = False  # a GET filter changes nothing

    desa = ChoiceField(_l("Desa"), default="")
    tinjau = BooleanField(_l("Hanya yang perlu ditinjau"))
    hal = WholeNumberField(_l("Halaman"), default=1)
