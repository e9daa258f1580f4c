"""The one-sentence answer a resident reads first: what the family gets and what to do next."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from .programs import PROGRAMS

# Short plain names, as a resident says them ("sembako", not "Sembako / BPNT").
SHORT_NAMES = {
    "PKH": _l("uang tunai PKH"),
    "SEMBAKO": _l("sembako"),
    "LPG": _l("gas LPG 3 kg murah"),
    "LISTRIK": _l("potongan listrik"),
    "PBI": _l("BPJS Kesehatan gratis"),
}

# What each program is, in words a resident knows (PBI-JKN, per penyaluran, ... explained).
PLAIN = {
    "PKH": _l(
        "Uang tunai untuk keluarga dengan ibu hamil, anak kecil, anak sekolah, lansia, "
        "atau penyandang disabilitas berat."
    ),
    "SEMBAKO": _l("Voucher belanja bahan makanan di e-warong."),
    "LPG": _l("Voucher potongan harga gas LPG 3 kg."),
    "LISTRIK": _l("Voucher potongan tagihan listrik."),
    "PBI": _l(
        "Iuran BPJS Kesehatan dibayar pemerintah: berobat di puskesmas dan rumah sakit "
        "tanpa membayar iuran."
    ),
}

RECHECK = _l("Jika keadaan keluarga berubah, minta pemeriksaan ulang (sanggah) di kantor desa.")


@dataclass
class Summary:
    """The answer: tone (ok, none, stopped), one sentence, the next step, a private reason."""

    tone: str
    answer: str
    next_step: str
    reason: str = ""


def _join(names: list) -> str:
    """Join names the way one says them: 'a, b dan c'."""
    names = [str(n) for n in names]
    if len(names) < 2:
        return "".join(names)
    return str(_l("%(first)s dan %(last)s", first=", ".join(names[:-1]), last=names[-1]))


def summarise(household, lines, printable: int = 0) -> Summary:
    """Sum a household's program lines up in one plain answer, the reason given only once."""
    if household.status == "blocked":
        return Summary(
            "stopped",
            _l("Bantuan untuk keluarga ini sedang dihentikan."),
            _l(
                "Untuk mendaftar lagi, datang ke kantor desa: desa dapat mengusulkan keluarga "
                "Anda kembali lewat musyawarah desa khusus (Musdesus)."
            ),
            household.status_reason,
        )
    if household.status == "graduated":
        return Summary(
            "stopped",
            _l("Bantuan untuk keluarga ini sudah berhenti."),
            RECHECK,
            household.status_reason or _l("Musyawarah desa menyatakan keluarga ini sudah mampu."),
        )
    if household.status == "inactive":
        return Summary(
            "stopped",
            _l("Data keluarga ini tidak aktif, jadi bantuan belum dapat diberikan."),
            _l("Bawa kartu keluarga ke operator desa untuk memperbaiki data."),
            household.status_reason,
        )
    eligible = [ln for ln in lines if ln.state in ("eligible", "receiving")]
    if not eligible:
        top = max(p.desil_max for p in PROGRAMS)
        return Summary(
            "none",
            _l(
                "Keluarga Anda tidak mendapat bantuan saat ini: bantuan untuk keluarga di "
                "desil 1–%(hi)d, keluarga Anda di desil %(d)d.",
                hi=top,
                d=household.desil,
            ),
            RECHECK,
        )
    names = _join([SHORT_NAMES.get(ln.program.code, ln.program.name) for ln in eligible])
    if printable:
        next_step = _l("Masukkan PIN kios di bawah untuk mencetak voucher.")
    elif any(ln.program.kind == "voucher" for ln in eligible):
        next_step = _l(
            "Belum ada voucher untuk dicetak: datang lagi ke kios ini setelah desa "
            "mengumumkan pembagian."
        )
    else:
        next_step = _l("Tidak ada yang perlu dicetak; rinciannya ada di bawah.")
    return Summary(
        "ok", _l("Keluarga Anda memenuhi syarat untuk %(names)s.", names=names), next_step
    )
