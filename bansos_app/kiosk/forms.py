"""Kiosk forms: NIK + KK for the status check, and the PIN."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class StatusForm(FlaskForm):
    """NIK and KK number as printed on the family card; checked by parse_status_input."""

    nik = StringField(_l("NIK (16 digit)"), filters=[_strip])
    kk = StringField(_l("Nomor KK (16 digit)"), filters=[_strip])


class PinForm(FlaskForm):
    """The household's 6-digit kiosk PIN."""

    pin = StringField(_l("PIN kios (6 digit)"), filters=[_strip])
