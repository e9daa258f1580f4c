"""Write and verify the audit chain."""

import hashlib
import hmac
import json
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..locking import lock_row
from ..models_base import utcnow
from .models import GENESIS, AuditEvent, AuditHead


def _digest(event: AuditEvent) -> str:
    """Hash the event's content together with the previous hash."""
    content = "|".join(
        [
            str(event.seq),
            event.created_at.isoformat(timespec="microseconds"),
            str(event.actor_id or ""),
            event.action,
            event.object_type,
            event.object_id,
            event.details,
            event.prev_hash,
        ]
    )
    return hashlib.sha256(content.encode()).hexdigest()


def head_mac(seq: int, head_hash: str) -> str:
    """Sign the chain head with AUDIT_KEY (kept outside the database)."""
    key = current_app.config["AUDIT_KEY"].encode()
    return hmac.new(key, f"{seq}:{head_hash}".encode(), hashlib.sha256).hexdigest()


def _locked_head() -> AuditHead:
    """Return the chain head row, locked for update until the transaction ends."""
    head = lock_row(AuditHead, 1)
    if head is None:
        # Two first writers can both find no head: ON CONFLICT makes the second wait for
        # the first one's row instead of failing on the primary key.
        dialect = db.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = AuditHead.__table__
        db.session.execute(insert(table).values(id=1, seq=0, hash=GENESIS).on_conflict_do_nothing())
        head = lock_row(AuditHead, 1)
    return head


HEAD_MISMATCH = "audit.head_signature_mismatch"


def record(actor, action: str, obj=None, object_type: str = "", **details) -> AuditEvent:
    """Append an event to the chain in the caller's transaction (the caller commits).

    Details must never hold a NIK or PIN in clear: pass masked values.
    """
    head = _locked_head()
    if head.seq and not hmac.compare_digest(head.mac, head_mac(head.seq, head.hash)):
        # Someone rewound the head (or AUDIT_KEY changed). Signing over it would hide that, so
        # the chain first records the fact, for audit-verify to report for ever after.
        _append(head, None, HEAD_MISMATCH, "audit", None, {"head_seq": head.seq})
    return _append(head, actor, action, object_type, obj, details)


def _append(head, actor, action, object_type, obj, details) -> AuditEvent:
    """Add one event after the head and move the signed head onto it."""
    event = AuditEvent(
        seq=head.seq + 1,
        created_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type or (type(obj).__name__.lower() if obj else ""),
        object_id=str(getattr(obj, "id", "") or "") if obj else "",
        details=json.dumps(details, sort_keys=True, ensure_ascii=False, default=str),
        prev_hash=head.hash,
    )
    event.hash = _digest(event)
    head.seq, head.hash = event.seq, event.hash
    head.mac = head_mac(head.seq, head.hash)
    db.session.add(event)
    return event


@dataclass
class ChainReport:
    """Result of verify_chain: ok, events checked, and the first problem found."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str = ""


def verify_chain(batch: int = 5000) -> ChainReport:
    """Walk the chain in order and check every link, content hash and the head."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    last_id = 0
    while True:
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            break
        for ev in rows:
            if ev.seq != expected_seq:
                return ChainReport(False, checked, expected_seq, "event missing or out of order")
            if ev.prev_hash != prev_hash:
                return ChainReport(False, checked, ev.seq, "link to previous event broken")
            if _digest(ev) != ev.hash:
                return ChainReport(False, checked, ev.seq, "content does not match its hash")
            if ev.action == HEAD_MISMATCH:
                problem = (
                    "head signature was wrong before this event (events deleted or key changed)"
                )
                return ChainReport(False, checked, ev.seq, problem)
            prev_hash, expected_seq, checked = ev.hash, expected_seq + 1, checked + 1
            last_id = ev.id
        db.session.expunge_all()
    head = db.session.get(AuditHead, 1)
    # Every change writes an event and moves the head; accounts or households with no event,
    # or events with no head, mean the log was emptied, not that nothing ever happened.
    if checked == 0 and _has_audited_data():
        return ChainReport(False, 0, 1, "no audit events, but accounts or households exist")
    if head is None and checked:
        return ChainReport(False, checked, checked + 1, "audit head missing")
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != prev_hash:
        return ChainReport(False, checked, checked + 1, "newest events missing (head mismatch)")
    if head and not hmac.compare_digest(head.mac, head_mac(head.seq, head.hash)):
        return ChainReport(
            False,
            checked,
            checked + 1,
            "head signature wrong (head rewritten or AUDIT_KEY changed)",
        )
    return ChainReport(True, checked)


def _has_audited_data() -> bool:
    """Whether any staff account or household exists: both are only ever made with an event."""
    from ..auth.models import User
    from ..registry.models import Household

    return any(db.session.scalar(select(m.id).limit(1)) is not None for m in (User, Household))
