"""indexes for registry search by name and a household's audit trail

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 08:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_object', ['object_type', 'object_id', 'seq'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        # Trigram index for "name contains" searches; pg_trgm ships with PostgreSQL.
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.execute('CREATE INDEX ix_person_name_trgm ON person USING gin (lower(name) gin_trgm_ops)')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_person_name_trgm')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_object')
