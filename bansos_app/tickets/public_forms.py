"""Read what a resident chose on one screen of the flow; explain anything wrong in plain words."""

import re

from flask_babel import lazy_gettext as _l

from ..registry.identity import check_kk, check_nik, kecamatan_known_in_lokal
from ..registry.models import Household
from .models import OTHER_REASONS, OWN_REASONS
from .public_flow import adults, family_allowed, programs_offered

TEXT_MAX = 300
NAME = re.compile(r"[A-Za-z][A-Za-z .,'\-]{1,119}")


class Refused(ValueError):
    """An answer that cannot be taken: the message says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _one_line(value) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _digits(value) -> str:
    return "".join(value.split()) if isinstance(value, str) else ""


def _int(value):
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    return None


def read_answer(step: str, form, state: dict, household: Household, kinds: list[str]) -> dict:
    """Return the answers a screen's form gives, or raise Refused with the reason."""
    value = form.get("pilih")
    if step == "who":
        chosen = _int(value)
        if chosen not in {p.id for p in adults(household)}:
            raise Refused(_l("Sentuh nama Anda."))
        return {"who": chosen}
    if step == "kind":
        if value not in kinds:
            raise Refused(_l("Pilih salah satu jenis."))
        return {"kind": value}
    if step == "whom":
        if value not in ("mine", "new", "registry"):
            raise Refused(_l("Pilih keluarga mana yang diusulkan."))
        return {"whom": value}
    if step == "family":
        return _new_family(form)
    if step == "pick":
        chosen = _int(value)
        recipients_only = state.get("kind") == "sanggah_lain"
        if not family_allowed(household.village_code, household.id, recipients_only, chosen):
            # Only a forged field gets here: the list offered this village's families only.
            raise Refused(_l("Pilih keluarga dari daftar desa Anda."))
        return {"household": chosen}
    if step == "program":
        if value not in {p.code for p in programs_offered(state, household.id)}:
            raise Refused(_l("Pilih programnya."))
        return {"program": value}
    if step == "own_reason":
        if value not in OWN_REASONS:
            raise Refused(_l("Pilih data mana yang salah."))
        return {"reason": value}
    if step == "other_reason":
        if value not in OTHER_REASONS:
            raise Refused(_l("Pilih alasan sanggahan."))
        return {"reason": value}
    if step == "text":
        text = _one_line(form.get("keterangan"))
        if len(text) > TEXT_MAX:
            raise Refused(_l("Keterangan paling banyak 300 huruf."))
        if state.get("reason") == "lainnya" and not text:
            raise Refused(_l("Tulis alasannya secara singkat."))
        return {"text": text, "text_done": True}
    raise Refused(_l("Langkah tidak dikenal. Mulai lagi dari awal."))


def _new_family(form) -> dict:
    nik = check_nik(_digits(form.get("nik")), known_kecamatan=kecamatan_known_in_lokal)
    if not nik.ok or nik.birth_date is None:
        raise Refused(nik.errors[0] if nik.errors else _l("NIK kepala keluarga tidak valid."))
    kk = check_kk(_digits(form.get("kk")), known_kecamatan=kecamatan_known_in_lokal)
    if not kk.ok:
        raise Refused(kk.errors[0] if kk.errors else _l("Nomor KK tidak valid."))
    name = _one_line(form.get("nama"))
    if not NAME.fullmatch(name):
        raise Refused(_l("Tulis nama kepala keluarga dengan huruf (paling sedikit 2 huruf)."))
    return {"nik": nik.value, "kk": kk.value, "name": name.upper()}
