"""The one-sentence answer: what the family gets and what to do next, the reason only once."""

from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from bansos_app.eligibility.services import ProgramLine
from bansos_app.eligibility.summary import summarise

KINDS = {
    "PKH": "cash",
    "SEMBAKO": "voucher",
    "LPG": "voucher",
    "LISTRIK": "voucher",
    "PBI": "insurance",
}
DESIL_MAX = {"PKH": 4, "SEMBAKO": 5, "LPG": 5, "LISTRIK": 5, "PBI": 5}


@pytest.fixture
def request_ctx(app):
    """Messages are lazy: render them inside a request, as the views do."""
    with app.test_request_context("/"):
        yield


def lines(receiving=(), eligible=(), desil=3):
    """One line per program: receiving, eligible only, or out of the program's desil range."""
    out = []
    for code, kind in KINDS.items():
        program = SimpleNamespace(code=code, kind=kind, name=code)
        version = SimpleNamespace(desil_max=DESIL_MAX[code])
        state = "receiving" if code in receiving else "eligible" if code in eligible else ""
        codes = [] if state else ["desil_out_of_range"]
        out.append(
            ProgramLine(program, state or "not_eligible", "", version=version, reason_codes=codes)
        )
    return out


def household(desil=3, status="active", status_reason=""):
    return SimpleNamespace(desil=desil, status=status, status_reason=status_reason)


ALL = tuple(KINDS)


def test_a_recipient_hears_what_it_receives_in_plain_words(request_ctx):
    s = summarise(household(2), lines(receiving=ALL))
    assert s.tone == "ok"
    assert str(s.answer) == (
        "Keluarga Anda menerima uang tunai PKH, sembako, gas LPG 3 kg murah, "
        "potongan listrik dan BPJS Kesehatan gratis."
    )
    assert str(s.next_step).startswith("Belum ada voucher untuk dicetak")
    assert s.reason == ""


def test_eligible_is_not_receiving(request_ctx):
    s = summarise(household(2), lines(eligible=ALL))
    assert s.tone == "wait"
    assert "memenuhi syarat" in str(s.answer) and "belum ditetapkan sebagai penerima" in str(
        s.answer
    )
    assert "menerima" not in str(s.answer).replace("penerima", "")
    assert "Dinas Sosial" in str(s.next_step)


def test_receiving_some_and_eligible_for_others_says_both(request_ctx):
    s = summarise(household(2), lines(receiving=("SEMBAKO",), eligible=("PKH",)))
    assert str(s.answer) == (
        "Keluarga Anda menerima sembako. Memenuhi syarat untuk uang tunai PKH, tetapi belum "
        "ditetapkan sebagai penerima."
    )


def test_with_something_to_print_the_next_step_is_the_pin(request_ctx):
    s = summarise(household(5), lines(receiving=("SEMBAKO", "LPG")), printable=2)
    assert "uang tunai PKH" not in str(s.answer)
    assert str(s.next_step) == "Masukkan PIN kios di bawah untuk mencetak voucher."


def test_not_eligible_gets_the_reason_once(request_ctx):
    s = summarise(household(7), lines(desil=7))
    assert s.tone == "none"
    assert str(s.answer) == (
        "Keluarga Anda tidak mendapat bantuan saat ini: bantuan untuk keluarga di desil 1–5, "
        "keluarga Anda di desil 7."
    )
    assert "sanggah" in str(s.next_step)


@pytest.mark.parametrize("status", ["blocked", "graduated", "inactive"])
def test_stopped_households_get_a_neutral_answer_and_a_private_reason(request_ctx, status):
    reason = "Rekening diblokir karena terindikasi judi online (judol)."
    s = summarise(household(3, status, reason), lines())
    assert s.tone == "stopped"
    assert "judi" not in str(s.answer) and "judi" not in str(s.next_step)
    assert "diblokir" not in str(s.answer).lower()
    assert str(s.reason) == reason


def test_blocked_way_back_is_explained(request_ctx):
    s = summarise(household(3, "blocked", "x"), lines())
    assert "musyawarah desa khusus (Musdesus)" in str(s.next_step)


def test_english(app):
    with app.test_request_context("/"), force_locale("en"):
        s = summarise(household(2), lines(receiving=ALL))
        assert str(s.answer) == (
            "Your family receives PKH cash, basic food (sembako), cheaper 3 kg LPG gas, "
            "cheaper electricity and free BPJS health insurance."
        )
