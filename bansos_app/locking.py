"""Row locks that work the same on PostgreSQL and SQLite."""

import hashlib

from sqlalchemy import select
from sqlalchemy import text as text_sql

from .extensions import db


def lock_row(model, pk):
    """Return the row with this primary key, fresh and locked until the transaction ends.

    Counters such as failed PINs and the audit chain's head are read, changed and written
    back; without the lock, concurrent requests would overwrite each other's counts.
    """
    table = model.__table__
    key = next(iter(table.primary_key.columns))
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks and reads outside a write transaction: a no-op UPDATE takes
        # the database write lock first, so a second writer waits here, not after its read.
        db.session.execute(table.update().where(key == pk).values({key.name: key}))
    query = select(model).where(key == pk).with_for_update()
    return db.session.execute(query.execution_options(populate_existing=True)).scalar_one_or_none()


def lock_key(text: str) -> None:
    """Hold a lock named by `text` until the transaction ends (one writer per key).

    For checks over rows that may not exist yet ("has this NIK 3 open tickets?"), where no
    row lock can help: PostgreSQL has advisory locks; SQLite serialises all writers, so any
    write statement (here one that changes nothing) takes its lock first.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text_sql("UPDATE audit_head SET id = id WHERE 0 = 1"))
        return
    key = int(hashlib.sha256(text.encode()).hexdigest()[:15], 16)  # fits a bigint
    db.session.execute(text_sql("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
