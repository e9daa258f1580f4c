"""Forms of the staff queues: the filter, the village verification, decisions and bulk steps."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..validators import ChoiceField, DayField, WholeNumberField, one_line
from .workflow import Verification

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
NAMES = {
    "kind_names": KIND_NAMES,
    "stage_names": STAGE_NAMES,
    "outcome_names": OUTCOME_NAMES,
    "reason_names": REASON_NAMES,
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


BULK_MAX = 200


def ticked(values) -> list[int]:
    """The ticked ticket ids: ASCII digits only, each once, at most BULK_MAX."""
    ids = []
    for raw in values:
        if raw.isascii() and raw.isdigit() and len(raw) <= 9 and int(raw) not in ids:
            ids.append(int(raw))
    return ids[:BULK_MAX]


# The service names the field it refuses; the form calls it this.
FORM_FIELDS = {
    "field_notes": "catatan",
    "forum": "forum",
    "forum_date": "tanggal",
    "minutes_number": "berita_acara",
    "attendance": "hadir",
    "village_decision": "keputusan",
    "desil": "desil",
}


def filter_form(args, villages, default_stage: str) -> QueueFilterForm:
    """The queue's filter with its choices; no stage asked for means the user's own step."""
    form = QueueFilterForm(formdata=args)
    form.desa.choices = [SelectChoice("", _("Semua desa"))] + [
        SelectChoice(v.code, v.name) for v in villages
    ]
    form.jenis.choices = [SelectChoice("", _("Semua jenis"))] + [
        SelectChoice(k, name) for k, name in KIND_NAMES.items()
    ]
    form.tahap.choices = [SelectChoice(ALL_STAGES, _("Semua tahap"))] + [
        SelectChoice(k, name) for k, name in STAGE_NAMES.items()
    ]
    form.terlambat.choices = [
        SelectChoice("", _("Semua")),
        SelectChoice("ya", _("Terlambat")),
        SelectChoice("tidak", _("Tepat waktu")),
    ]
    if not args.get("tahap"):
        form.tahap.data = default_stage or ALL_STAGES
    return form


def verification_from(form: VerifyForm) -> Verification:
    """What the operator typed, for verify_ticket to check."""
    return Verification(
        field_notes=form.catatan.data or "",
        forum=form.forum.data or "",
        forum_date=form.tanggal.data,
        minutes_number=form.berita_acara.data or "",
        attendance=form.hadir.data,
        village_decision=form.keputusan.data or "",
        desil=form.desil.data,
    )


def mark_field(form: VerifyForm, error) -> None:
    """Show the service's refusal under the field it concerns."""
    name = FORM_FIELDS.get(error.field)
    if name:
        getattr(form, name).errors = [error.message]
