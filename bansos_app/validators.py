"""Form validators and fields shared by several packages."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import ValidationError


def one_line(_form, field) -> None:
    """Refuse tabs and line breaks in a one-line field such as a name or a search.

    Every other control character (NUL and the rest) is refused for every field before any
    form is read, in bansos_app/guards.py; a textarea may hold line breaks.
    """
    if field.data and any(c in field.data for c in "\t\r\n"):
        raise ValidationError(_l("Isi dalam satu baris, tanpa tab atau baris baru."))


class WholeNumberField(IntegerField):
    """An integer input whose non-numbers get a message in the user's language."""

    def process_formdata(self, valuelist):
        if valuelist:
            raw = valuelist[0].strip()
            # ASCII digits only: int() would also take Arabic-Indic and full-width digits.
            if not (raw.isascii() and raw.isdigit() and len(raw) <= 6):
                self.data = None
                raise ValueError(_l("Isi dengan angka bulat."))
            self.data = int(raw)


class DayField(DateField):
    """A date input (YYYY-MM-DD, what <input type=date> sends) with our own message.

    Left blank it is None without an error, so that a required field says which date is
    missing (InputRequired, or the service) instead of calling it unreadable.
    """

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Isi tanggal yang benar.")) from None


# WTForms has no Indonesian catalog, so the two messages it would add itself are ours.
class ChoiceField(SelectField):
    """A select whose bad or forged values get a message in the user's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None

    def pre_validate(self, form):
        # iter_choices gives (value, label, ...) whether choices are pairs or SelectChoice.
        if self.data not in [value for value, *_ in self.iter_choices()]:
            raise ValidationError(_l("Pilihan tidak tersedia."))
