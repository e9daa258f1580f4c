"""Registry forms: the list's search and filters (GET), and the household page's edits (POST)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..validators import ChoiceField, DayField, WholeNumberField, one_line
from .edits import DEATH_SOURCES, STATUS_CHOICES
from .models import SCHOOL_LEVELS

MAX_QUERY = 100

STATUS_NAMES = {
    "active": _l("Aktif"),
    "graduated": _l("Mampu (graduasi)"),
    "blocked": _l("Diblokir"),
    "inactive": _l("Tidak aktif"),
}
STATE_NAMES = {
    "receiving": _l("menerima"),
    "eligible": _l("layak"),
    "not_eligible": _l("tidak layak"),
}
RELATION_NAMES = {
    "kepala": _l("Kepala keluarga"),
    "pasangan": _l("Istri/suami"),
    "anak": _l("Anak"),
    "orang_tua": _l("Orang tua"),
    "lainnya": _l("Lainnya"),
}


class FilterForm(FlaskForm):
    """Search and filters of the household list; read from the query string."""

    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(
        _l("Cari nama, NIK atau nomor KK"),
        validators=[
            Length(max=MAX_QUERY, message=_l("Pencarian paling banyak %(max)d huruf.")),
            one_line,
        ],
    )
    desa = ChoiceField(_l("Desa"), default="")
    desil = ChoiceField(_l("Desil"), default="")
    status = ChoiceField(_l("Status keluarga"), default="")
    program = ChoiceField(_l("Program"), default="")
    keadaan = ChoiceField(_l("Keadaan program"), default="")
    tinjau = BooleanField(_l("Hanya yang perlu ditinjau"))
    hal = WholeNumberField(_l("Halaman"), validators=[Optional()])


def _reason():
    return StringField(
        _l("Alasan perubahan"),
        validators=[
            DataRequired(_l("Tulis alasan perubahan.")),
            Length(max=200, message=_l("Alasan paling banyak %(max)d huruf.")),
            one_line,
        ],
    )


class AddressForm(FlaskForm):
    """A new address for the household."""

    address = StringField(
        _l("Alamat"),
        validators=[
            DataRequired(_l("Isi alamat.")),
            Length(max=200, message=_l("Alamat paling banyak %(max)d huruf.")),
            one_line,
        ],
    )
    reason = _reason()


class StatusForm(FlaskForm):
    """Block, unblock or inactivate the household, with a reason."""

    status = ChoiceField(_l("Status baru"))
    reason = StringField(
        _l("Alasan perubahan"),
        validators=[
            DataRequired(_l("Tulis alasan perubahan.")),
            Length(max=300, message=_l("Alasan paling banyak %(max)d huruf.")),
            one_line,
        ],
    )


def status_form(household, formdata=None) -> StatusForm:
    """A status form offering the statuses the household does not have now."""
    form = StatusForm(formdata=formdata)
    form.status.choices = [("", _l("Pilih status"))] + [
        (s, STATUS_NAMES[s]) for s in STATUS_CHOICES if s != household.status
    ]
    return form


class MemberForm(FlaskForm):
    """A member's school level, pregnancy, severe disability and relation."""

    school_level = ChoiceField(_l("Sekolah"))
    pregnant = BooleanField(_l("Hamil"))
    severe_disability = BooleanField(_l("Disabilitas berat"))
    relation = ChoiceField(_l("Hubungan"))
    reason = _reason()


class DeathForm(FlaskForm):
    """A member's death: the date, who reported it, and why it is recorded now."""

    died_on = DayField(
        _l("Tanggal meninggal"),
        validators=[InputRequired(_l("Isi tanggal meninggal."))],
    )
    source = ChoiceField(_l("Sumber laporan"))
    reason = _reason()


def member_form(person=None, formdata=None, **kwargs) -> MemberForm:
    """A member form with its choices, filled from the person unless data was posted."""
    form = MemberForm(formdata=formdata, obj=person, prefix=f"m{person.id}", **kwargs)
    form.school_level.choices = [("", _l("Tidak sekolah"))] + [(s, s) for s in SCHOOL_LEVELS]
    form.relation.choices = list(RELATION_NAMES.items())
    if form.school_level.data is None:
        form.school_level.data = ""
    return form


def death_form(person, formdata=None) -> DeathForm:
    """A death form for the person, with the known sources."""
    form = DeathForm(formdata=formdata, prefix=f"d{person.id}")
    form.source.choices = [("", _l("Pilih sumber"))] + [(s, s) for s in DEATH_SOURCES]
    return form
