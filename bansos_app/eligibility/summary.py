"""The one-sentence answer a resident reads first: what the family gets and what to do next."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

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
    receiving = [ln for ln in lines if ln.state == "receiving"]
    waiting = [ln for ln in lines if ln.state == "eligible"]
    if not receiving and not waiting:
        if household.desil is None:
            return Summary(
                "none",
                _l("Keluarga Anda menunggu pemeringkatan: desilnya belum dinilai."),
                _l(
                    "Petugas pendataan DTSEN akan menilai keluarga Anda; setelah itu kelayakan "
                    "bantuan dinilai lagi. Tanyakan jadwalnya kepada operator desa."
                ),
            )
        desil = next((ln for ln in lines if "desil_out_of_range" in ln.reason_codes), None)
        if desil is None or desil.version is None:
            return Summary("none", _l("Keluarga Anda tidak mendapat bantuan saat ini."), RECHECK)
        top = max(ln.version.desil_max for ln in lines if ln.version is not None)
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
    names = _join([SHORT_NAMES.get(ln.program.code, ln.program.name) for ln in receiving])
    later = _join([SHORT_NAMES.get(ln.program.code, ln.program.name) for ln in waiting])
    if not receiving:
        # Eligible is not receiving: the social office fixes the recipient list (penetapan).
        return Summary(
            "wait",
            _l(
                "Keluarga Anda memenuhi syarat untuk %(names)s, tetapi belum ditetapkan "
                "sebagai penerima.",
                names=later,
            ),
            _l(
                "Dinas Sosial menetapkan daftar penerima dari keluarga yang memenuhi syarat, "
                "sesuai kuota. Tanyakan jadwalnya kepada operator desa."
            ),
        )
    answer = _l("Keluarga Anda menerima %(names)s.", names=names)
    if waiting:
        answer = _l(
            "Keluarga Anda menerima %(names)s. Memenuhi syarat untuk %(later)s, tetapi belum "
            "ditetapkan sebagai penerima.",
            names=names,
            later=later,
        )
    if printable:
        next_step = _l("Masukkan PIN kios di bawah untuk mencetak voucher.")
    elif any(ln.program.kind == "voucher" for ln in receiving):
        next_step = _l(
            "Belum ada voucher untuk dicetak: datang lagi ke kios ini setelah desa "
            "mengumumkan pembagian."
        )
    else:
        next_step = _l("Tidak ada yang perlu dicetak; rinciannya ada di bawah.")
    return Summary("ok", answer, next_step)
