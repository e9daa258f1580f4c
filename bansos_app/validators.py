"""Form validators shared by several packages."""

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError


def one_line(_form, field) -> None:
    """Refuse tabs and line breaks in a one-line field such as a name or a search.

    Every other control character (NUL and the rest) is refused for every field before any
    form is read, in bansos_app/guards.py; a textarea may hold line breaks.
    """
    if field.data and any(c in field.data for c in "\t\r\n"):
        raise ValidationError(_l("Isi dalam satu baris, tanpa tab atau baris baru."))
