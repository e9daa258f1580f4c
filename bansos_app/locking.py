"""Row locks that work the same on PostgreSQL and SQLite."""

from sqlalchemy import select

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
