"""Login form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """Staff username and password."""

    username = StringField(
        _l("Nama pengguna"),
        validators=[
            DataRequired(_l("Isi nama pengguna.")),
            Length(max=60, message=_l("Nama pengguna paling banyak 60 huruf.")),
        ],
    )
    password = PasswordField(
        _l("Kata sandi"),
        validators=[
            DataRequired(_l("Isi kata sandi.")),
            Length(max=200, message=_l("Kata sandi paling banyak 200 huruf.")),
        ],
    )
