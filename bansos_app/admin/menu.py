"""The staff menu: one line per place, shared by the navigation bar and the staff home."""

from dataclasses import dataclass

from flask import request, url_for
from flask_babel import lazy_gettext as _l

from ..auth.access import can


@dataclass(frozen=True)
class MenuEntry:
    """A place in the staff area: where it is, who may go, what it is called and is for."""

    endpoint: str
    permission: str
    label: str
    description: str


# A later feature adds its page with one line here; the nav and the home follow.
MENU = (
    MenuEntry(
        "admin.home",
        "staff.home",
        _l("Beranda"),
        _l("Desa di wilayah kerja Anda dan jumlah keluarga (KK) di tiap desa."),
    ),
    MenuEntry(
        "registry.households",
        "registry.view",
        _l("Data keluarga"),
        _l("Cari keluarga, lihat program dan alasannya, ubah alamat, anggota atau kematian."),
    ),
    MenuEntry(
        "pins.lookup",
        "kiosk.pin",
        _l("PIN kios"),
        _l("Cari keluarga dengan KK, NIK atau nama, lalu buat PIN kios setelah memeriksa KK."),
    ),
    MenuEntry(
        "devices.index",
        "devices.manage",
        _l("Perangkat kios"),
        _l("Daftarkan kios desa, lihat kapan terakhir aktif, buat kode baru atau cabut."),
    ),
    MenuEntry(
        "recipients.index",
        "recipients.view",
        _l("Penetapan penerima"),
        _l("Daftar penerima per program dan SK; keluarga yang perlu ditinjau ulang."),
    ),
    MenuEntry(
        "periods.index",
        "vouchers.view",
        _l("Periode voucher"),
        _l("Periode penyaluran Sembako, LPG dan Listrik: pratinjau per desa, terbitkan voucher."),
    ),
    MenuEntry(
        "vouchers_slips.index",
        "vouchers.print",
        _l("Cetak slip voucher"),
        _l("Slip voucher satu desa dalam satu PDF: A4 atau kertas struk 58/80 mm."),
    ),
    MenuEntry(
        "auth.users",
        "users.manage",
        _l("Akun staf"),
        _l("Buat akun, atur peran dan desa, nonaktifkan, atau buat kata sandi baru."),
    ),
    MenuEntry(
        "rules.programs",
        "rules.view",
        _l("Program dan aturan"),
        _l("Lihat aturan tiap program dan tambah versi baru setelah melihat dampaknya per desa."),
    ),
    MenuEntry(
        "tickets.index",
        "tickets.view",
        _l("Usul-sanggah"),
        _l("Usul dan sanggah warga: verifikasi desa, keputusan Dinsos, tiket yang terlambat."),
    ),
    MenuEntry(
        "settlement_admin.index",
        "settlements.view",
        _l("Rekap toko"),
        _l("Penukaran dan total tiap toko per periode; setujui, tandai dibayar, unduh CSV/PDF."),
    ),
    MenuEntry(
        "merchant_accounts.index",
        "merchants.manage",
        _l("Toko mitra"),
        _l("Daftar e-warong, pangkalan LPG dan agen listrik per desa beserta akunnya."),
    ),
    MenuEntry(
        "reversal.index",
        "redemptions.reverse",
        _l("Pembatalan penukaran"),
        _l("Cari penukaran toko dengan nomor seri voucher dan batalkan dengan alasan."),
    ),
    MenuEntry(
        "merchant.scan",
        "merchant.redeem",
        _l("Tukar voucher"),
        _l("Pindai QR atau ketik kode voucher warga, tukarkan, dan batalkan salah nominal."),
    ),
    MenuEntry(
        "settlement.periods",
        "merchant.redeem",
        _l("Rekap penukaran"),
        _l("Penukaran toko Anda per periode, totalnya, dan pengajuan pencairan ke Dinsos."),
    ),
    MenuEntry(
        "auth.password",
        "staff.home",
        _l("Ganti kata sandi"),
        _l("Ganti kata sandi akun Anda sendiri; sesi di perangkat lain berakhir."),
    ),
    MenuEntry(
        "kiosk.status_form",
        "staff.home",
        _l("Cek status bansos"),
        _l("Bantu warga memeriksa status bansos dengan NIK dan nomor KK, seperti di kios."),
    ),
)


def _current_endpoint(path: str) -> str | None:
    """The entry whose URL is the longest start of the path, over the whole menu."""
    # Over every entry, not only the user's: a refused /staf/pin/ must not light up "Beranda"
    # (/staf/) for a role without the PIN page. Longest, so /staf/pin/7 is "PIN kios".
    urls = {e.endpoint: url_for(e.endpoint) for e in MENU}
    matches = [endpoint for endpoint, url in urls.items() if path.startswith(url)]
    return max(matches, key=lambda endpoint: len(urls[endpoint]), default=None)


def menu_for(user) -> list[dict]:
    """Return the entries the user may open, the one for the current page marked current."""
    current = _current_endpoint(request.path)
    return [
        {
            "url": url_for(e.endpoint),
            "label": e.label,
            "description": e.description,
            "current": e.endpoint == current,
        }
        for e in MENU
        if can(user, e.permission)
    ]
