"""The migrations build exactly the schema the models describe, and can be undone."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from bansos_app import create_app
from bansos_app.extensions import db


def _schema_diff() -> list:
    """Differences between the live database and the models, as Alembic autogenerate sees them."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_migrations_match_the_models(app):
    """The session database was built by `flask db upgrade`; the models must agree with it."""
    with app.app_context():
        assert _schema_diff() == []
        assert _tables() == set(db.metadata.tables)


def test_migrations_are_at_a_single_head(app):
    from alembic.script import ScriptDirectory

    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
        with db.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_heads()
    assert len(heads) == 1
    assert tuple(current) == tuple(heads)


@pytest.fixture
def scratch_app(app, tmp_path):
    """A throw-away SQLite database, so that downgrading never touches the session one."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("downgrade/upgrade round trip runs on SQLite only")
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'scratch.db'}",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )


def test_downgrade_to_base_and_upgrade_again(scratch_app):
    with scratch_app.app_context():
        upgrade()
        assert _tables() == set(db.metadata.tables)
        downgrade(revision="base")
        assert _tables() == set()
        assert _schema_diff() != []  # the comparison does see a missing schema
        upgrade()
        assert _schema_diff() == []
        db.engine.dispose()
