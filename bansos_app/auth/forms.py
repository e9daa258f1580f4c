"""Login, account management and own-password forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from ..validators import WholeNumberField, one_line
from .models import ROLES


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


class RoleField(SelectField):
    """The role select: shows the roles the actor may give, accepts any known role.

    A known role the actor may not give is refused by the service with 403, not here, so that
    a forged role is an access problem and an unknown one a typing problem.
    """

    def pre_validate(self, form):
        if self.data not in ROLES:
            raise ValidationError(_l("Peran tidak dikenal."))


class VillagesField(SelectMultipleField):
    """Villages chosen from the known ones; an unknown code gets a clear message."""

    def pre_validate(self, form):
        # The choices come grouped by kecamatan: {kecamatan: [(code, label), ...]}.
        groups = self.choices.values() if isinstance(self.choices, dict) else [self.choices]
        known = {choice[0] for group in groups for choice in group}
        unknown = [code for code in self.data or () if code not in known]
        if unknown:
            raise ValidationError(_l("Desa tidak dikenal: %(codes)s", codes=", ".join(unknown)))


def _full_name():
    return StringField(
        _l("Nama lengkap"),
        validators=[
            DataRequired(_l("Isi nama lengkap.")),
            Length(max=120, message=_l("Nama lengkap paling banyak 120 huruf.")),
            one_line,
        ],
    )


class AccountEditForm(FlaskForm):
    """Change an account's name, role and villages."""

    full_name = _full_name()
    role = RoleField(_l("Peran"))
    villages = VillagesField(_l("Desa (untuk operator desa dan pendamping)"))


class AccountForm(AccountEditForm):
    """Create an account: the edit fields plus a username; the password is generated."""

    username = StringField(
        _l("Nama pengguna"),
        validators=[
            DataRequired(_l("Isi nama pengguna.")),
            Length(max=60, message=_l("Nama pengguna paling banyak 60 huruf.")),
            Regexp(
                r"^[A-Za-z0-9._-]{3,60}$",
                message=_l(
                    "Nama pengguna 3 sampai 60 huruf, angka, titik, garis bawah atau tanda hubung."
                ),
            ),
        ],
    )


class DeactivateForm(FlaskForm):
    """Why an account is being deactivated."""

    reason = StringField(
        _l("Alasan"),
        validators=[
            DataRequired(_l("Tulis alasan penonaktifan.")),
            Length(max=200, message=_l("Alasan paling banyak 200 huruf.")),
            one_line,
        ],
    )


class FilterForm(FlaskForm):
    """The account list's filters (a GET form, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Cari nama"), validators=[Length(max=60), one_line])
    role = SelectField(_l("Peran"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
    hal = WholeNumberField(_l("Halaman"), default=1)


def _password(label):
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Isi kata sandi.")),
            Length(max=200, message=_l("Kata sandi paling banyak 200 huruf.")),
        ],
    )


class PasswordForm(FlaskForm):
    """Change one's own password: the current one, then the new one twice."""

    current = _password(_l("Kata sandi sekarang"))
    new = _password(_l("Kata sandi baru"))
    confirm = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[EqualTo("new", message=_l("Kedua kata sandi baru tidak sama."))],
    )
