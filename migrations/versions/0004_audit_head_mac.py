"""audit head signed with AUDIT_KEY

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 11:10:00.000000

"""
import hashlib
import hmac

from alembic import op
import sqlalchemy as sa
from flask import current_app


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=False, server_default=''))
    # Sign an existing head now, with the running app's AUDIT_KEY, so that the chain keeps
    # verifying across the upgrade (same formula as bansos_app.audit.services.head_mac).
    bind = op.get_bind()
    head = bind.execute(sa.text("SELECT seq, hash FROM audit_head WHERE id = 1")).first()
    if head is not None:
        key = current_app.config["AUDIT_KEY"].encode()
        mac = hmac.new(key, f"{head.seq}:{head.hash}".encode(), hashlib.sha256).hexdigest()
        bind.execute(sa.text("UPDATE audit_head SET mac = :mac WHERE id = 1"), {"mac": mac})


def downgrade():
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.drop_column('mac')
