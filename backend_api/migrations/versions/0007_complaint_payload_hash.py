"""complaint payload hash: a retried complaint is recognised as requests are, by a hash of its content

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 22:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('payload_hash', sa.String(length=64), nullable=False, server_default='')
        )


def downgrade() -> None:
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_column('payload_hash')
