"""Redeeming a voucher at a shop, a shop's undo within 10 minutes, and Dinsos' reversal.

Money moves only through one conditional UPDATE per change: the database, not Python, decides
whether the balance is still there, so concurrent redemptions can never overspend a voucher.
"""

import re
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from ..audit.services import record
from ..auth.access import can
from ..eligibility.evaluation import local_today
from ..extensions import db
from ..merchant.models import Settlement
from ..models_base import utcnow
from .models import Redemption, Voucher
from .tokens import TokenError, code_hash, looks_like_code, normalise_code, verify_token

UNDO_WINDOW = timedelta(minutes=10)
# Programs redeemed once, for their whole value; the others (Sembako) may be spent in parts.
WHOLE_ONLY = {"LPG", "LISTRIK"}
KEY_PATTERN = re.compile(r"[A-Za-z0-9-]{16,64}")

MESSAGES = {
    "empty": _l("Pindai QR voucher atau ketik kode manualnya."),
    "format": _l("Teks ini bukan kode voucher. Pindai ulang QR atau ketik kode manual di slip."),
    "version": _l("Versi QR ini tidak dikenal. Minta warga mencetak ulang slip voucher."),
    "forged": _l("QR voucher ini tidak sah (isinya diubah). Jangan layani; laporkan ke Dinsos."),
    "unknown_key": _l(
        "QR voucher ini ditandatangani kunci yang tidak dikenal. Jangan layani; laporkan ke Dinsos."
    ),
    "check": _l("Kode manual salah ketik (huruf pemeriksa tidak cocok). Periksa lagi kodenya."),
    "unknown": _l("Voucher dengan kode ini tidak ada. Periksa lagi kodenya."),
    "mismatch": _l("Isi QR tidak cocok dengan data voucher. Jangan layani; laporkan ke Dinsos."),
    "key": _l("Permintaan penukaran tidak lengkap. Muat ulang halaman lalu pindai lagi."),
    "key_used": _l("Permintaan penukaran ini sudah dipakai untuk voucher lain. Pindai lagi."),
    "shop_inactive": _l("Toko Anda sedang dinonaktifkan Dinsos; penukaran tidak bisa dilakukan."),
    "wrong_kind": _l("Voucher %(program)s tidak bisa ditukar di toko jenis ini."),
    "voided": _l("Voucher ini sudah dibatalkan Dinsos dan tidak bisa ditukar."),
    "spent": _l("Voucher ini sudah habis dipakai."),
    "expired": _l("Voucher ini sudah kedaluwarsa (berlaku sampai %(date)s)."),
    "not_started": _l("Voucher ini baru berlaku mulai %(date)s."),
    "amount": _l("Nominal harus berupa angka bulat rupiah lebih dari Rp0."),
    "over_balance": _l("Nominal melebihi sisa saldo voucher (%(balance)s)."),
    "whole_only": _l("Voucher %(program)s hanya bisa ditukar sekaligus sebesar %(value)s."),
    "settled": _l("Tagihan toko untuk periode ini sudah diajukan; penukaran tidak bisa diubah."),
    "changed": _l("Saldo voucher baru saja berubah (ditukar di tempat lain). Pindai lagi."),
    "other_shop": _l("Penukaran ini milik toko lain."),
    "undone": _l("Penukaran ini sudah dibatalkan."),
    "undo_late": _l(
        "Batas waktu pembatalan (10 menit) sudah lewat. Hubungi Dinsos untuk membatalkannya."
    ),
    "reason": _l("Tulis alasan pembatalan (satu baris, paling banyak 300 huruf)."),
    "approved": _l(
        "Tagihan toko untuk periode ini sudah disetujui; penukaran tidak bisa dibatalkan."
    ),
    "forbidden": _l("Anda tidak berhak membatalkan penukaran."),
}


class RedemptionError(Exception):
    """A refused scan, redemption, undo or reversal: `code` for tests, `message` for people."""

    def __init__(self, code: str, message=None, **params):
        self.code = code
        self.message = message or MESSAGES[code]
        self.params = params
        super().__init__(code)

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


def _rupiah(amount: int) -> str:
    from ..formatting import format_rupiah

    return format_rupiah(amount)


def find_voucher(text: str) -> tuple[Voucher, object]:
    """Return (voucher, claims) for a scanned token, or (voucher, None) for a typed code."""
    text = str(text or "").strip()
    if not text:
        raise RedemptionError("empty")
    try:
        if looks_like_code(text):
            code = normalise_code(text)
            voucher = db.session.scalar(select(Voucher).where(Voucher.code_hash == code_hash(code)))
            claims = None
        else:
            claims = verify_token(text)
            voucher = db.session.get(Voucher, claims.voucher_id)
    except TokenError as error:
        raise RedemptionError(error.reason if error.reason in MESSAGES else "format") from error
    if voucher is None:
        raise RedemptionError("unknown")
    if claims is not None and (
        claims.program_code != voucher.program_code
        or claims.value != voucher.value
        or claims.expires_on != voucher.expires_on
    ):
        raise RedemptionError("mismatch")
    return voucher, claims


def settlement_state(merchant_id: int, period_id: int, lock: bool = False) -> str:
    """The shop's settlement state for the period ("open" while none exists)."""
    if lock:
        return _locked_settlement_state(merchant_id, period_id)
    settlement = db.session.scalar(
        select(Settlement).where(
            Settlement.merchant_id == merchant_id, Settlement.period_id == period_id
        )
    )
    return settlement.state if settlement is not None else "open"


def _locked_settlement_state(merchant_id: int, period_id: int) -> str:
    """Create the settlement row if missing and lock it, in one statement; return its state.

    A plain SELECT ... FOR UPDATE locks nothing while the row does not exist yet, so a
    submission creating it at the same moment could count before this redemption commits.
    The no-op DO UPDATE takes the row lock whether the row is new or old.
    """
    table = Settlement.__table__
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .values(
            merchant_id=merchant_id,
            period_id=period_id,
            state="open",
            total=0,
            redemption_count=0,
            payment_reference="",
        )
        .on_conflict_do_update(
            index_elements=["merchant_id", "period_id"], set_={"state": table.c.state}
        )
        .returning(table.c.state)
    )
    return db.session.execute(statement).scalar_one()


def check_redeemable(voucher: Voucher, merchant) -> None:
    """Raise RedemptionError when this shop cannot take anything off this voucher now."""
    if not merchant.active:
        raise RedemptionError("shop_inactive")
    if voucher.program_code != merchant.program_code:
        raise RedemptionError("wrong_kind", program=voucher.program.name)
    if voucher.state == "voided":
        raise RedemptionError("voided")
    if voucher.state == "spent" or voucher.balance <= 0:
        raise RedemptionError("spent")
    if voucher.expires_on < local_today():
        raise RedemptionError("expired", date=_date(voucher.expires_on))
    if voucher.period.starts_on > local_today():
        raise RedemptionError("not_started", date=_date(voucher.period.starts_on))


def _date(day) -> str:
    from ..formatting import format_date_id

    return format_date_id(day)


def _check_amount(voucher: Voucher, amount) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise RedemptionError("amount")
    if voucher.program_code in WHOLE_ONLY and amount != voucher.value:
        raise RedemptionError(
            "whole_only", program=voucher.program.name, value=_rupiah(voucher.value)
        )
    if amount > voucher.balance:
        raise RedemptionError("over_balance", balance=_rupiah(voucher.balance))


def _replay(key: str, merchant, voucher) -> Redemption | None:
    """The redemption already made with this key, if it is this shop's for this voucher."""
    first = db.session.scalar(select(Redemption).where(Redemption.idempotency_key == key))
    if first is None:
        return None
    if first.merchant_id != merchant.id or first.voucher_id != voucher.id:
        raise RedemptionError("key_used")
    return first


def redeem(token: str, amount: int, merchant, key: str, actor) -> Redemption:
    """Take `amount` rupiah off the voucher for this shop, once per idempotency key."""
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise RedemptionError("key")
    voucher, _claims = find_voucher(token)
    try:
        check_redeemable(voucher, merchant)
        _check_amount(voucher, amount)
        if settlement_state(merchant.id, voucher.period_id, lock=True) != "open":
            raise RedemptionError("settled")
    except RedemptionError:
        # A retry of a redemption that went through answers with it: the voucher may well
        # be spent by that very redemption. Looked up only here, to spare the usual case.
        first = _replay(key, merchant, voucher)
        if first is not None:
            return first
        raise
    redemption = Redemption(
        voucher_id=voucher.id,
        merchant_id=merchant.id,
        period_id=voucher.period_id,
        amount=amount,
        idempotency_key=key,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(redemption)
    try:
        # The key first: a concurrent twin waits on the unique index and then fails here.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        first = _replay(key, merchant, voucher)
        if first is None:
            raise
        return first
    row = db.session.execute(
        update(Voucher)
        .where(
            Voucher.id == voucher.id,
            Voucher.state == "active",
            Voucher.balance >= amount,
            Voucher.expires_on >= local_today(),
        )
        .values(
            balance=Voucher.balance - amount,
            state=case((Voucher.balance - amount == 0, "spent"), else_=Voucher.state),
        )
        .returning(Voucher.balance, Voucher.state)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        db.session.rollback()
        raise RedemptionError("changed")
    set_committed_value(voucher, "balance", row.balance)
    set_committed_value(voucher, "state", row.state)
    record(
        actor,
        "vouchers.redeemed",
        redemption,
        voucher=voucher.serial,
        merchant_id=merchant.id,
        amount=amount,
        balance=row.balance,
    )
    _commit_keeping(redemption)
    return redemption


def _commit_keeping(obj) -> None:
    """Commit, keeping the object's column values loaded: a receipt needs no re-read."""
    values = {c.key: getattr(obj, c.key) for c in obj.__mapper__.column_attrs}
    db.session.commit()
    for key, value in values.items():
        set_committed_value(obj, key, value)


def _give_back(redemption: Redemption, actor, reason: str) -> int:
    """Mark the redemption undone and put its amount back on the voucher; return the balance."""
    now = utcnow()
    marked = db.session.execute(
        update(Redemption)
        .where(Redemption.id == redemption.id, Redemption.undone_at.is_(None))
        .values(undone_at=now, undone_by_id=getattr(actor, "id", None), undo_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if marked.rowcount != 1:
        db.session.rollback()
        raise RedemptionError("undone")
    # Spent comes back to active, unless the voucher was voided while spent (the household
    # was blocked or removed): then what comes back stays void. An expired one stays unusable
    # because redemption checks expires_on anyway.
    row = db.session.execute(
        update(Voucher)
        .where(
            Voucher.id == redemption.voucher_id,
            Voucher.balance + redemption.amount <= Voucher.value,
        )
        .values(
            balance=Voucher.balance + redemption.amount,
            state=case(
                (Voucher.voided_at.is_not(None), "voided"),
                (Voucher.state == "spent", "active"),
                else_=Voucher.state,
            ),
        )
        .returning(Voucher.balance)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:  # would mean a ledger that no longer adds up: refuse, change nothing
        db.session.rollback()
        raise RedemptionError("changed")
    db.session.expire(redemption)
    return row.balance


def undo_redemption(redemption: Redemption, actor, merchant) -> Redemption:
    """The shop's own undo of a wrong amount, within 10 minutes; the balance comes back."""
    if redemption.merchant_id != merchant.id:
        raise RedemptionError("other_shop")
    if redemption.undone_at is not None:
        raise RedemptionError("undone")
    if utcnow() - redemption.created_at > UNDO_WINDOW:
        raise RedemptionError("undo_late")
    if settlement_state(merchant.id, redemption.period_id, lock=True) != "open":
        raise RedemptionError("settled")
    balance = _give_back(redemption, actor, "")
    record(
        actor,
        "vouchers.redemption_undone",
        redemption,
        voucher_id=redemption.voucher_id,
        merchant_id=merchant.id,
        amount=redemption.amount,
        balance=balance,
    )
    db.session.commit()
    return redemption


def reverse_redemption(redemption: Redemption, actor, reason: str) -> Redemption:
    """Dinsos' reversal of a redemption, any time before the shop's settlement is approved."""
    if not can(actor, "redemptions.reverse"):
        raise RedemptionError("forbidden")
    reason = str(reason or "").strip()
    if not reason or len(reason) > 300 or any(c in reason for c in "\t\r\n"):
        raise RedemptionError("reason")
    if redemption.undone_at is not None:
        raise RedemptionError("undone")
    state = settlement_state(redemption.merchant_id, redemption.period_id, lock=True)
    if state in ("approved", "paid"):
        raise RedemptionError("approved")
    balance = _give_back(redemption, actor, reason)
    record(
        actor,
        "vouchers.redemption_reversed",
        redemption,
        voucher_id=redemption.voucher_id,
        merchant_id=redemption.merchant_id,
        amount=redemption.amount,
        balance=balance,
        reason=reason,
    )
    db.session.commit()
    return redemption
