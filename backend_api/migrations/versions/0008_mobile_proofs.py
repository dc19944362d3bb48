"""mobile proofs: one-time codes sent to a mobile and the verification they give a conversation

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 12:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mobile_proofs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('mobile_hash', sa.String(length=64), nullable=False),
    sa.Column('sender_id', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('verified_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mobile_proofs'))
    )
    with op.batch_alter_table('mobile_proofs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mobile_proofs_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_mobile_proofs_mobile_hash'), ['mobile_hash'], unique=False)
        batch_op.create_index('ix_mobile_proofs_sender_mobile', ['sender_id', 'mobile_hash'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('mobile_proofs', schema=None) as batch_op:
        batch_op.drop_index('ix_mobile_proofs_sender_mobile')
        batch_op.drop_index(batch_op.f('ix_mobile_proofs_mobile_hash'))
        batch_op.drop_index(batch_op.f('ix_mobile_proofs_created_at'))
    op.drop_table('mobile_proofs')
