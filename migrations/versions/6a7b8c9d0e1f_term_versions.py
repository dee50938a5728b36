"""PostgreSQL search backend: each term's version (`search_terms.version`), which every write that changes the
term's postings renews, so app servers can keep decoded postings in memory; each thread's postings hash
(`search_documents.postings_hash`), so a write that leaves them as they were (a vote) rewrites none

Only on PostgreSQL. Existing terms get a version each; existing documents no hash (their next write rewrites
their postings, as before).

Revision ID: 6a7b8c9d0e1f
Revises: 5f6a7b8c9d0e
Create Date: 2026-12-07 22:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '6a7b8c9d0e1f'
down_revision = '5f6a7b8c9d0e'
branch_labels = None
depends_on = None

VERSION = "CAST(random() * 9.0e18 AS bigint)"  # as forum/search/postgresql/tables.py


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    # Random rather than from a sequence: two databases copied from one (a template, a restored backup) go on
    # with versions of their own, so a process that has served both never takes one's postings for the other's.
    op.add_column('search_terms', sa.Column('version', sa.BigInteger(), nullable=False,
                                            server_default=sa.text(VERSION)))
    op.add_column('search_documents', sa.Column('postings_hash', sa.String(32)))


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_column('search_documents', 'postings_hash')
    op.drop_column('search_terms', 'version')
