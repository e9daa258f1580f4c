"""The form that opens a distribution period."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, InputRequired, Length

from ..validators import ChoiceField, DayField, one_line
from .periods import MAX_LABEL


class PeriodForm(FlaskForm):
    """Program, name and dates of a new period."""

    program = ChoiceField(_l("Program"))
    label = StringField(
        _l("Nama periode"),
        validators=[
            DataRequired(_l("Isi nama periode, misalnya 2026 Tahap 4.")),
            Length(max=MAX_LABEL, message=_l("Nama periode paling banyak %(max)d huruf.")),
            one_line,
        ],
    )
    starts_on = DayField(_l("Mulai"), validators=[InputRequired(_l("Isi tanggal mulai."))])
    ends_on = DayField(_l("Berakhir"), validators=[InputRequired(_l("Isi tanggal berakhir."))])


def period_form(programs, formdata=None) -> PeriodForm:
    """The form with the voucher programs to choose from."""
    form = PeriodForm(formdata=formdata)
    form.program.choices = [(p.code, p.name) for p in programs]
    return form
