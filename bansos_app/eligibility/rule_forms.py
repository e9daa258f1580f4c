"""The form for a new rule version: the same fields preview the impact and save it."""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, Length, Optional

from ..validators import DayField, one_line
from .models import COMPONENT_CODES, RuleVersion
from .rules import RuleDraft, validate_draft

COMPONENT_LABELS = {
    "pregnant": _l("ibu hamil"),
    "child_0_6": _l("anak usia dini"),
    "SD": _l("anak SD"),
    "SMP": _l("anak SMP"),
    "SMA": _l("anak SMA"),
    "disability": _l("disabilitas berat"),
    "elderly": _l("lansia"),
}


class NumberField(IntegerField):
    """A whole number, negative allowed (the service says why it is wrong); 200.000 is read as
    200000, the way rupiah are written in Indonesia."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].strip().removeprefix("Rp").replace(".", "").replace(" ", "")
        if raw == "":
            self.data = None
            return
        digits = raw.removeprefix("-")
        # ASCII digits only: int() would also take Arabic-Indic and full-width digits.
        if not (digits.isascii() and digits.isdigit() and len(digits) <= 10):
            self.data = None
            raise ValueError(_l("Isi dengan angka bulat, tanpa koma."))
        self.data = int(raw)


def _number(label, required=True):
    return NumberField(
        label, validators=[InputRequired(_l("Isi angka.")) if required else Optional()]
    )


class RuleVersionForm(FlaskForm):
    """A new version of a program's rule; which fields count depends on the program."""

    effective_from = DayField(
        _l("Berlaku mulai"), validators=[InputRequired(_l("Isi tanggal berlaku."))]
    )
    desil_min = _number(_l("Desil terendah"))
    desil_max = _number(_l("Desil tertinggi"))
    amount = _number(_l("Nilai per penyaluran (rupiah)"), required=False)
    member_cap = _number(_l("Anggota yang dihitung paling banyak"), required=False)
    elderly_age = _number(_l("Lansia mulai usia (tahun)"), required=False)
    comp_pregnant = _number(COMPONENT_LABELS["pregnant"], required=False)
    comp_child_0_6 = _number(COMPONENT_LABELS["child_0_6"], required=False)
    comp_SD = _number(COMPONENT_LABELS["SD"], required=False)
    comp_SMP = _number(COMPONENT_LABELS["SMP"], required=False)
    comp_SMA = _number(COMPONENT_LABELS["SMA"], required=False)
    comp_disability = _number(COMPONENT_LABELS["disability"], required=False)
    comp_elderly = _number(COMPONENT_LABELS["elderly"], required=False)
    note = StringField(
        _l("Dasar perubahan (nomor keputusan)"),
        validators=[
            InputRequired(_l("Isi dasar perubahan, misalnya nomor keputusan menteri.")),
            Length(max=300, message=_l("Paling banyak 300 huruf.")),
            one_line,
        ],
    )

    def component_fields(self) -> list:
        """The PKH component fields, in the order of COMPONENT_CODES."""
        return [self[f"comp_{code}"] for code in COMPONENT_CODES]

    def fields_for(self, program) -> list:
        """The fields this program's rule has, in the order they are shown."""
        fields = [self.effective_from, self.desil_min, self.desil_max]
        if program.kind == "voucher":
            fields.append(self.amount)
        if program.code == "PKH":
            fields += [self.member_cap, self.elderly_age]
        return fields

    def prefill(self, version: RuleVersion | None, today: date) -> None:
        """Start from the version in force, dated the first day of next month."""
        self.effective_from.data = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        if version is None:
            return
        for name in ("desil_min", "desil_max", "amount", "member_cap", "elderly_age"):
            self[name].data = getattr(version, name)
        for component in version.components:
            self[f"comp_{component.code}"].data = component.yearly_amount

    def draft(self, program) -> RuleDraft:
        """The typed values as a draft for the services (fields other programs have left out)."""
        is_pkh = program.code == "PKH"
        return RuleDraft(
            effective_from=self.effective_from.data,
            desil_min=self.desil_min.data,
            desil_max=self.desil_max.data,
            note=(self.note.data or "").strip(),
            amount=self.amount.data if program.kind == "voucher" else None,
            member_cap=self.member_cap.data if is_pkh else None,
            elderly_age=self.elderly_age.data if is_pkh else None,
            components={c: self[f"comp_{c}"].data for c in COMPONENT_CODES} if is_pkh else None,
        )

    def checked_draft(self, program) -> RuleDraft | None:
        """Check the form, then the draft against the rules; None when anything is wrong."""
        valid = self.validate_on_submit()
        needed = self.fields_for(program)
        if program.code == "PKH":
            needed += self.component_fields()
        if any(f.errors for f in needed):  # unreadable numbers or dates: nothing to check yet
            return None
        draft = self.draft(program)
        # Every rule's message at once, even while the note is still missing.
        errors = validate_draft(program.code, draft)
        self.add_errors([(n, m) for n, m in errors if not self._fields.get(n, self.note).errors])
        return draft if valid and not errors else None

    def add_errors(self, errors) -> None:
        """Show the service's (field, message) pairs under their fields."""
        for name, message in errors:
            field = self._fields.get(name) or self.note
            field.errors = [*field.errors, message]
