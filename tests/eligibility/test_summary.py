"""The one-sentence answer: what the family gets and what to do next, the reason only once."""

import pytest
from flask_babel import force_locale

from bansos_app.eligibility.services import explain_programs
from bansos_app.eligibility.summary import summarise
from tests.eligibility.test_explain_programs import TODAY, household, person


@pytest.fixture
def request_ctx(app):
    """Messages are lazy: render them inside a request, as the views do."""
    with app.test_request_context("/"):
        yield


def _summary(hh, printable=0):
    return summarise(hh, explain_programs(hh, TODAY), printable)


def test_eligible_family_hears_what_it_gets_in_plain_words(request_ctx):
    s = _summary(household(person("Ibu", 35), person("Adik", 4), desil=2))
    assert s.tone == "ok"
    assert str(s.answer) == (
        "Keluarga Anda memenuhi syarat untuk uang tunai PKH, sembako, gas LPG 3 kg murah, "
        "potongan listrik dan BPJS Kesehatan gratis."
    )
    assert str(s.next_step).startswith("Belum ada voucher untuk dicetak")
    assert s.reason == ""


def test_with_something_to_print_the_next_step_is_the_pin(request_ctx):
    s = _summary(household(person("Ibu", 35), desil=5), printable=2)
    assert "uang tunai PKH" not in str(s.answer)  # desil 5: no PKH
    assert str(s.next_step) == "Masukkan PIN kios di bawah untuk mencetak voucher."


def test_not_eligible_gets_the_reason_once(request_ctx):
    s = _summary(household(person("Bapak", 50), desil=7))
    assert s.tone == "none"
    assert str(s.answer) == (
        "Keluarga Anda tidak mendapat bantuan saat ini: bantuan untuk keluarga di desil 1–5, "
        "keluarga Anda di desil 7."
    )
    assert "sanggah" in str(s.next_step)


@pytest.mark.parametrize("status", ["blocked", "graduated", "inactive"])
def test_stopped_households_get_a_neutral_answer_and_a_private_reason(request_ctx, status):
    reason = "Rekening diblokir karena terindikasi judi online (judol)."
    s = _summary(household(person("Bapak", 40), desil=3, status=status, status_reason=reason))
    assert s.tone == "stopped"
    assert "judi" not in str(s.answer) and "judi" not in str(s.next_step)
    assert "diblokir" not in str(s.answer).lower()
    assert str(s.reason) == reason


def test_blocked_way_back_is_explained(request_ctx):
    s = _summary(household(person("Bapak", 40), status="blocked", status_reason="x"))
    assert "musyawarah desa khusus (Musdesus)" in str(s.next_step)


def test_english(app):
    with app.test_request_context("/"), force_locale("en"):
        s = _summary(household(person("Ibu", 35), person("Adik", 4), desil=2))
        assert str(s.answer) == (
            "Your family qualifies for PKH cash, basic food (sembako), cheaper 3 kg LPG gas, "
            "cheaper electricity and free BPJS health insurance."
        )
