"""Forms staff fill in at /staf/tiket/baru: assisted tickets, village proposals, new families."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..validators import ChoiceField, one_line
from .models import OTHER_REASONS, OWN_REASONS

TEXT_MAX = 300  # Ticket.text, and what submit_ticket accepts

KIND_NAMES = {
    "usul": _l("Usul: keluarga ini diusulkan menerima program"),
    "sanggah_sendiri": _l("Sanggah data sendiri: data keluarga ini salah"),
    "sanggah_lain": _l("Sanggah penerima lain: penerima di desa ini tidak semestinya menerima"),
    "reaktivasi": _l("Reaktivasi: keluarga yang diblokir ingin kembali (lewat Musdesus)"),
}
REASON_NAMES = {
    "desil": _l("Desil salah"),
    "anggota": _l("Anggota keluarga salah"),
    "status": _l("Status keluarga salah"),
    "mampu": _l("Sudah mampu"),
    "meninggal": _l("Meninggal"),
    "pindah": _l("Pindah"),
    "ganda": _l("Data ganda"),
    "lainnya": _l("Lainnya (tulis singkat)"),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _number(label):
    # Checked by kiosk.services.parse_status_input (spaces allowed), not here.
    return StringField(label, filters=[_strip])


def _text():
    return TextAreaField(
        _l("Keterangan singkat"),
        filters=[_strip],
        validators=[Length(max=TEXT_MAX, message=_l("Keterangan paling banyak %(max)d huruf."))],
    )


def _program(optional: bool):
    """The program select; the view fills the choices (blank first when it may be left out)."""
    label = _l("Program (boleh kosong untuk sanggah)") if optional else _l("Program")
    return ChoiceField(label, default="")


class AssistedForm(FlaskForm):
    """A resident's own ticket, entered for them: their NIK + KK, what they ask, why."""

    nik = _number(_l("NIK warga (16 digit)"))
    kk = _number(_l("Nomor KK warga (16 digit)"))
    kind = ChoiceField(
        _l("Jenis tiket"),
        choices=[SelectChoice(k, n) for k, n in KIND_NAMES.items()],
        default="usul",
    )
    program = _program(optional=True)
    reason = ChoiceField(
        _l("Alasan (untuk sanggah)"),
        choices=[SelectChoice("", "-")]
        + [SelectChoice(r, REASON_NAMES[r]) for r in OWN_REASONS + OTHER_REASONS],
        default="",
    )
    other_kk = _number(_l("Nomor KK keluarga yang disanggah (untuk sanggah penerima lain)"))
    text = _text()


class SearchForm(FlaskForm):
    """Find a household of the user's villages by name, NIK or KK (posted: no NIK in a URL)."""

    q = StringField(
        _l("Cari nama, NIK atau nomor KK"),
        filters=[_strip],
        validators=[
            InputRequired(_l("Tulis nama, NIK atau nomor KK.")),
            Length(max=100, message=_l("Pencarian paling banyak %(max)d huruf.")),
            one_line,
        ],
    )


class ProposeForm(FlaskForm):
    """The village proposes one household of its list for a program."""

    program = _program(optional=False)
    text = _text()


class NewFamilyForm(FlaskForm):
    """The village proposes a family not yet in the registry, asked for by a registered resident."""

    nik = _number(_l("NIK warga pengaju (16 digit)"))
    kk = _number(_l("Nomor KK warga pengaju (16 digit)"))
    head_nik = _number(_l("NIK kepala keluarga baru (16 digit)"))
    head_kk = _number(_l("Nomor KK keluarga baru (16 digit)"))
    name = StringField(
        _l("Nama kepala keluarga baru"),
        filters=[_strip],
        validators=[
            InputRequired(_l("Tulis nama kepala keluarga yang diusulkan.")),
            Length(max=120, message=_l("Nama paling banyak %(max)d huruf.")),
            one_line,
        ],
    )
    village = ChoiceField(_l("Desa"))
    address = StringField(
        _l("Alamat"),
        filters=[_strip],
        validators=[Length(max=200, message=_l("Alamat paling banyak %(max)d huruf.")), one_line],
    )
    program = _program(optional=False)
    text = _text()
