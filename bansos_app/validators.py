"""Form validators and fields shared by several packages."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
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
