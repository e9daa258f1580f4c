"""Staff forms: kiosk devices and PIN look-up."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange


class DeviceForm(FlaskForm):
    """Register a kiosk: name, village (from the user's scope), paper width, idle time."""

    name = StringField(
        _l("Nama kios"), validators=[DataRequired(_l("Isi nama kios.")), Length(max=80)]
    )
    village = SelectField(_l("Desa"), validators=[DataRequired(_l("Pilih desa."))])
    paper_width = SelectField(
        _l("Lebar kertas"), choices=[("80", "80 mm"), ("58", "58 mm")], coerce=int
    )
    idle_seconds = IntegerField(
        _l("Layar kembali ke awal setelah (detik)"),
        default=60,
        validators=[NumberRange(15, 600, _l("Isi antara 15 dan 600 detik."))],
    )


class KkLookupForm(FlaskForm):
    """Find a household by KK number to issue its kiosk PIN."""

    kk = StringField(_l("Nomor KK"))
