"""Forms of the staff queues: the filter, the village verification, decisions and bulk steps."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..validators import ChoiceField, DayField, WholeNumberField, one_line

KIND_NAMES = {
    "usul": _l("Usul"),
    "sanggah_sendiri": _l("Sanggah data sendiri"),
    "sanggah_lain": _l("Sanggah penerima lain"),
    "reaktivasi": _l("Reaktivasi"),
}
STAGE_NAMES = {
    "submitted": _l("Diajukan"),
    "screened": _l("Menunggu desa"),
    "verified": _l("Menunggu Dinsos"),
    "applied": _l("Diterapkan"),
    "closed": _l("Selesai"),
}
OUTCOME_NAMES = {
    "approved": _l("Disetujui"),
    "rejected": _l("Ditolak"),
    "auto_rejected": _l("Ditolak otomatis"),
    "lapsed": _l("Kedaluwarsa"),
}
REASON_NAMES = {
    "mampu": _l("Sudah mampu"),
    "meninggal": _l("Meninggal"),
    "pindah": _l("Pindah"),
    "ganda": _l("Data ganda"),
    "lainnya": _l("Lainnya"),
    "desil": _l("Desil"),
    "anggota": _l("Anggota keluarga"),
    "status": _l("Status"),
}
ALL_STAGES = "semua"  # the stage filter's "every stage", distinct from "not chosen yet"


class QueueFilterForm(FlaskForm):
    """Village, kind, stage, overdue, search and page of the queue (a GET form: no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Cari nomor tiket atau nama"), validators=[Length(max=100), one_line])
    desa = ChoiceField(_l("Desa"), default="")
    jenis = ChoiceField(_l("Jenis"), default="")
    tahap = ChoiceField(_l("Tahap"), default="")
    terlambat = ChoiceField(_l("Terlambat"), default="")
    hal = WholeNumberField(_l("Halaman"), validators=[Optional()])


class VerifyForm(FlaskForm):
    """The village's field check and deliberation; the service checks every rule."""

    catatan = TextAreaField(_l("Catatan pemeriksaan lapangan"), validators=[Length(max=500)])
    forum = RadioField(
        _l("Musyawarah"),
        choices=[SelectChoice("musdes", _l("Musdes")), SelectChoice("musdesus", _l("Musdesus"))],
        validate_choice=False,
    )
    tanggal = DayField(_l("Tanggal musyawarah"), validators=[Optional()])
    berita_acara = StringField(_l("Nomor berita acara"), validators=[Length(max=60), one_line])
    hadir = WholeNumberField(_l("Jumlah hadir"), validators=[Optional()])
    keputusan = RadioField(
        _l("Keputusan musyawarah"),
        choices=[SelectChoice("setuju", _l("Setuju")), SelectChoice("tolak", _l("Tolak"))],
        validate_choice=False,
    )
    desil = WholeNumberField(_l("Desil yang benar"), validators=[Optional()])


class DecideForm(FlaskForm):
    """Dinsos approves or rejects, with the reason the resident will read."""

    alasan = StringField(_l("Alasan keputusan"), validators=[Length(max=300), one_line])


class BulkForm(FlaskForm):
    """One step on the ticked tickets, with one reason for all of them."""

    alasan = StringField(_l("Alasan (untuk semua yang dipilih)"), validators=[Length(max=300)])
