"""Settlements as CSV: one shop's redemptions, or every shop in a period."""

import csv
import io

from flask_babel import gettext as _

from ..formatting import format_local_time
from .settlement import STATE_NAMES, settlement_lines

# UTF-8 with a byte order mark: Excel otherwise reads the file as the machine's code page.
BOM = "\ufeff"


def _cell(value) -> str:
    """A cell as text; text starting like a formula gets a quote so Excel shows it as text."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _csv(header, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in header])
    for row in rows:
        writer.writerow([v if isinstance(v, int) else _cell(v) for v in row])
    return BOM + out.getvalue()


def settlement_csv(settlement) -> str:
    """One row per redemption (undone ones marked) and a total row of the live ones."""
    lines = settlement_lines(settlement.merchant_id, settlement.period_id)
    every = sorted(
        lines.live + lines.undone, key=lambda line: (line.redemption.created_at, line.redemption.id)
    )
    rows = [
        (
            format_local_time(line.redemption.created_at, "WIB"),
            line.serial,
            line.program_code,
            line.redemption.amount,
            line.holder_nik,
            _("Dibatalkan") if line.redemption.undone_at else _("Sah"),
        )
        for line in every
    ]
    rows.append(
        (
            _("Total"),
            "",
            "",
            lines.total,
            "",
            _("%(n)d penukaran sah, rekap %(state)s", n=lines.count, state=_state(settlement)),
        )
    )
    header = (
        _("Waktu (WIB)"),
        _("Seri voucher"),
        _("Program"),
        _("Jumlah (Rp)"),
        _("NIK kepala keluarga"),
        _("Status"),
    )
    return _csv(header, rows)


def _state(settlement) -> str:
    return str(STATE_NAMES.get(settlement.state or "open", settlement.state))


def period_csv(rows, totals) -> str:
    """One row per shop in a period (from settlement_lists.period_rows) and a total row."""
    body = [
        (
            row.merchant.name,
            row.merchant.kind,
            row.village_name,
            row.merchant.village_code,
            row.count,
            row.total,
            str(STATE_NAMES[row.state]),
            row.settlement.payment_reference if row.settlement else "",
        )
        for row in rows
    ]
    body.append((_("Total"), "", "", "", totals["count"], totals["total"], "", ""))
    header = (
        _("Toko"),
        _("Jenis"),
        _("Desa"),
        _("Kode desa"),
        _("Penukaran"),
        _("Total (Rp)"),
        _("Status"),
        _("Referensi pembayaran"),
    )
    return _csv(header, body)
