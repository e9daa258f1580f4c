"""Reason codes of a stored answer, and the plain sentence each one means."""

from flask_babel import lazy_gettext as _l

from ..formatting import format_date_id

# Every code the evaluation writes; the order is the order in which reasons are told.
REASON_TEXT = {
    "blocked": _l("Keluarga ini sedang diblokir, jadi tidak menerima bantuan."),
    "graduated": _l("Keluarga ini dinyatakan sudah mampu oleh musyawarah desa."),
    "inactive": _l("Data keluarga ini tidak aktif."),
    "no_living_member": _l("Tidak ada anggota keluarga yang tercatat masih hidup."),
    "desil_out_of_range": _l("Desil keluarga di luar batas program."),
    "no_pkh_component": _l(
        "Tidak ada anggota keluarga dengan komponen PKH (ibu hamil, anak usia dini, anak "
        "sekolah, disabilitas berat, lansia)."
    ),
    "no_rule": _l("Aturan program ini belum berlaku."),
}

# A family added by an approved proposal has no desil until the DTSEN assessment: its
# answers carry desil_out_of_range, but the words say what is really going on.
PENDING_DESIL = _l(
    "Keluarga ini menunggu pemeringkatan: desil belum dinilai. Setelah pendataan DTSEN, "
    "kelayakan dinilai lagi."
)


def explain(row, household) -> str:
    """Return one plain sentence for a stored answer: why not, or that the household qualifies."""
    codes = row.reason_codes
    if not codes:
        return str(_l("Memenuhi syarat."))
    code = next((c for c in REASON_TEXT if c in codes), codes[0])
    version = row.rule_version
    if code == "desil_out_of_range" and household.desil is None:
        return str(PENDING_DESIL)
    if code == "desil_out_of_range" and version is not None:
        return str(
            _l(
                "Sejak %(since)s program ini untuk desil %(lo)d–%(hi)d; keluarga Anda desil %(d)s.",
                since=format_date_id(version.effective_from),
                lo=version.desil_min,
                hi=version.desil_max,
                d=household.desil,
            )
        )
    return str(REASON_TEXT.get(code, code))
