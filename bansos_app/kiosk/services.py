"""Resident status checks and visits: find a household by NIK + KK, remember it briefly."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..audit.services import record
from ..eligibility.evaluation import local_today
from ..extensions import db
from ..models_base import sha256_hex, utcnow
from ..registry.identity import check_kk, check_nik, kecamatan_known_in_lokal, mask_number
from ..registry.models import Household, Person
from ..vouchers.slips import printable_for, record_prints, slip_for
from .models import ResidentVisit

VISIT_COOKIE = "bansos_warga"
NOT_FOUND = _l(
    "Data tidak ditemukan. Periksa kembali NIK dan nomor KK pada kartu keluarga Anda, "
    "atau tanyakan kepada operator desa."
)


@dataclass
class StatusInput:
    """Validated NIK and KK, or the messages explaining what is wrong with each."""

    nik: str
    kk: str
    errors: dict

    @property
    def ok(self) -> bool:
        """Return whether both numbers are well formed."""
        return not self.errors


def _ungrouped(raw: str | None) -> str | None:
    # The kiosk shows 16-digit numbers in groups of four ("1703 1241 0785 0001"), and
    # people copy them that way too: the spaces are not part of the number.
    return "".join(raw.split()) if isinstance(raw, str) else raw


def parse_status_input(nik_raw: str | None, kk_raw: str | None) -> StatusInput:
    """Check the form of NIK and KK (not whether they exist) and explain any problem."""
    nik = check_nik(_ungrouped(nik_raw), known_kecamatan=kecamatan_known_in_lokal)
    kk = check_kk(_ungrouped(kk_raw), known_kecamatan=kecamatan_known_in_lokal)
    errors = {}
    if not nik.ok:
        errors["nik"] = nik.errors[0]
    if not kk.ok:
        errors["kk"] = kk.errors[0]
    return StatusInput(nik.value, kk.value, errors)


def start_visit(nik: str, kk: str, device=None) -> tuple[ResidentVisit, str] | None:
    """Return a new visit and its browser token when NIK and KK belong together, else None.

    "No such NIK" and "NIK with another KK" run the same single query, so the answer and its
    timing reveal nothing about which NIKs exist.
    """
    household_id = db.session.scalar(
        select(Household.id)
        .join(Person, Person.household_id == Household.id)
        .where(Person.nik == nik, Household.kk_number == kk)
    )
    if household_id is None:
        record(
            None,
            "kiosk.status_not_found",
            object_type="kiosk",
            device=getattr(device, "id", None),
            nik=mask_number(nik),
        )
        db.session.commit()
        return None
    token = secrets.token_urlsafe(32)
    minutes = current_app.config.get("RESIDENT_VISIT_MINUTES", 10)
    visit = ResidentVisit(
        token_hash=sha256_hex(token),
        household_id=household_id,
        device_id=getattr(device, "id", None),
        expires_at=utcnow() + timedelta(minutes=minutes),
    )
    db.session.add(visit)
    db.session.flush()
    record(
        None,
        "kiosk.status_checked",
        visit,
        household=household_id,
        device=getattr(device, "id", None),
    )
    db.session.commit()
    return visit, token


def current_visit(token: str | None) -> ResidentVisit | None:
    """Return the live visit a browser token names, with its household loaded."""
    if not token or len(token) > 100:
        return None
    # One round trip for the visit, its household and village (shown in the page's heading)
    # and the members; the desil history is a second, as joining two collections would
    # multiply their rows.
    visit = (
        db.session.execute(
            select(ResidentVisit)
            .where(ResidentVisit.token_hash == sha256_hex(token))
            .options(
                joinedload(ResidentVisit.household).options(
                    joinedload(Household.village),
                    joinedload(Household.members),
                    selectinload(Household.desil_history),
                )
            )
        )
        .unique()
        .scalar_one_or_none()
    )
    if visit is None or visit.ended_at or visit.expires_at < utcnow():
        return None
    return visit


def extend_visit(visit) -> None:
    """Keep a live visit open RESIDENT_VISIT_MINUTES from now: the resident is still answering."""
    # Typing on the letter keyboard or uploading a photo over 2G can outlast the first ten
    # minutes; a visit that ran out mid-flow would lose every answer given so far.
    if visit.ended_at is not None or visit.expires_at < utcnow():
        return
    minutes = current_app.config.get("RESIDENT_VISIT_MINUTES", 10)
    visit.expires_at = utcnow() + timedelta(minutes=minutes)
    db.session.commit()


def end_visit(token: str | None) -> None:
    """Forget the resident: end the visit so no page can show their data again."""
    if not token or len(token) > 100:
        return
    visit = db.session.scalar(
        select(ResidentVisit).where(ResidentVisit.token_hash == sha256_hex(token))
    )
    if visit and visit.ended_at is None:
        visit.ended_at = utcnow()
        record(None, "kiosk.visit_ended", visit)
        db.session.commit()


def printable_vouchers(household) -> list:
    """Return the household's vouchers that can be printed today (active, unexpired, money left)."""
    return printable_for(household, local_today())


def print_for_visit(visit, wanted: list[str] | None, device=None, paper: str = "80"):
    """Count and audit the prints of the visit's chosen vouchers; return their slips.

    `wanted` holds voucher ids as posted (None: every printable voucher). Returns None, and
    changes nothing, unless the PIN was verified for this visit and every id is one of the
    household's printable vouchers.
    """
    if visit.pin_verified_at is None:
        return None
    printable = {v.id: v for v in printable_vouchers(visit.household)}
    if wanted is None:
        chosen = list(printable.values())
    else:
        ids = [
            int(w)
            for w in wanted
            if isinstance(w, str) and w.isascii() and w.isdigit() and len(w) < 10
        ]
        if len(ids) != len(wanted) or not ids or any(i not in printable for i in ids):
            return None
        chosen = [printable[i] for i in dict.fromkeys(ids)]
    if not chosen:
        return None
    # The slips first: a reprint's number is the count of prints before this one.
    slips = [slip_for(v, paper) for v in chosen]
    record_prints(None, chosen, device, channel="kiosk" if device else "phone")
    db.session.commit()
    return slips
