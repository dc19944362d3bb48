"""synonyms: the admin-added part of the service-name lexicon

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 18:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('synonyms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phrase', sa.String(length=120), nullable=False),
    sa.Column('meaning', sa.String(length=200), nullable=False),
    sa.Column('author', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synonyms')),
    sa.UniqueConstraint('phrase', name=op.f('uq_synonyms_phrase'))
    )


def downgrade() -> None:
    op.drop_table('synonyms')
