"""Forms of the shop accounts page: a shop, its new account, a deactivation, the filter."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, StringField
from wtforms.validators import DataRequired, Length

from ..auth.forms import AccountForm, DeactivateForm
from ..validators import ChoiceField, one_line

KIND_NAMES = {
    "sembako": _l("E-warong (Sembako)"),
    "lpg": _l("Pangkalan LPG"),
    "listrik": _l("Agen listrik"),
}


def kind_choices():
    """The three kinds of shop, each named for the program it takes."""
    return [SelectChoice(kind, name) for kind, name in KIND_NAMES.items()]


class MerchantEditForm(FlaskForm):
    """A shop's name, kind and village."""

    name = StringField(
        _l("Nama toko"),
        validators=[
            DataRequired(_l("Isi nama toko.")),
            Length(max=120, message=_l("Nama toko paling banyak 120 huruf.")),
            one_line,
        ],
    )
    kind = ChoiceField(_l("Jenis toko"), choices=kind_choices)
    village = ChoiceField(_l("Desa"))


class MerchantForm(MerchantEditForm):
    """A new shop and the username of its account; the password is generated."""

    username = AccountForm.username  # the same rules as every staff account's


# Why a shop stops: the same one-line reason as deactivating a staff account.
MerchantDeactivateForm = DeactivateForm


class MerchantFilterForm(FlaskForm):
    """Kind, village and state of the list (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    jenis = ChoiceField(_l("Jenis toko"))
    desa = ChoiceField(_l("Desa"))
    status = ChoiceField(_l("Status"))
