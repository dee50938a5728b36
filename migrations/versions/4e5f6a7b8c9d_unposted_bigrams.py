"""PostgreSQL search backend: a term's postings may be left out (`search_terms.posted`), for the bigrams too
common to score a sentence by

Only on PostgreSQL. Every existing term stays posted; the next `flask search reindex` leaves out the postings
of the bigrams in 5 % of the threads or more, which no search reads.

Revision ID: 4e5f6a7b8c9d
Revises: 3d4e5f6a7b8c
Create Date: 2026-12-07 19:55:00

"""
from alembic import op
import sqlalchemy as sa

revision = '4e5f6a7b8c9d'
down_revision = '3d4e5f6a7b8c'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.add_column('search_terms', sa.Column('posted', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    # The left-out postings are not brought back: rebuild the index after a downgrade (`flask search reindex`).
    op.drop_column('search_terms', 'posted')
