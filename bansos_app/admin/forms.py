"""Staff forms: kiosk devices, PIN look-up and the villages filter."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from ..validators import ChoiceField, WholeNumberField, one_line


class DeviceForm(FlaskForm):
    """Register a kiosk: name, village (from the user's scope), paper width, idle time."""

    name = StringField(
        _l("Nama kios"),
        validators=[
            DataRequired(_l("Isi nama kios.")),
            Length(max=80, message=_l("Nama kios paling banyak 80 huruf.")),
        ],
    )
    village = ChoiceField(_l("Desa"), validators=[DataRequired(_l("Pilih desa."))])
    paper_width = ChoiceField(
        _l("Lebar kertas"),
        choices=[SelectChoice(80, "80 mm"), SelectChoice(58, "58 mm")],
        coerce=int,
    )
    idle_seconds = WholeNumberField(
        _l("Layar kembali ke awal setelah (detik)"),
        default=60,
        validators=[NumberRange(15, 600, _l("Isi antara 15 dan 600 detik."))],
    )


class HouseholdLookupForm(FlaskForm):
    """Find a household by KK, NIK or part of a name to issue its kiosk PIN (always POST)."""

    # Named "kk" since the first version, which took only a KK; it now takes all three.
    kk = StringField(_l("Nomor KK, NIK atau nama"))


class RenewCodeForm(FlaskForm):
    """Confirm a new enrolment code: the kiosk stops working until the code is entered."""

    konfirmasi = StringField()


class VillageFilterForm(FlaskForm):
    """Filter the villages overview by kecamatan and part of a name; read from the URL."""

    class Meta:
        csrf = False  # a GET filter changes nothing

    kecamatan = ChoiceField(_l("Kecamatan"), default="")
    desa = StringField(
        _l("Cari nama desa"),
        validators=[
            Length(max=60, message=_l("Nama desa paling banyak 60 huruf.")),
            one_line,
        ],
    )
    hal = WholeNumberField(_l("Halaman"), default=1)
