"""PostgreSQL search backend: each posting carries its thread's language, so a language filter stays index-only

Only on PostgreSQL. The primary key is rebuilt to include the language beside the frequency and length.

Revision ID: 3d4e5f6a7b8c
Revises: 2c3d4e5f6a7b
Create Date: 2026-12-07 06:40:00

"""
from alembic import op
import sqlalchemy as sa

revision = '3d4e5f6a7b8c'
down_revision = '2c3d4e5f6a7b'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.add_column('search_postings', sa.Column('language', sa.String(length=2), nullable=True))
    op.execute("UPDATE search_postings AS p SET language = d.language FROM search_documents AS d "
               "WHERE d.kind = 'thread' AND d.id = p.id")
    op.execute('ALTER TABLE search_postings DROP CONSTRAINT pk_search_postings')
    op.execute('ALTER TABLE search_postings ADD CONSTRAINT pk_search_postings PRIMARY KEY (term, id) '
               'INCLUDE (frequency, length, language)')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('ALTER TABLE search_postings DROP CONSTRAINT pk_search_postings')
    op.execute('ALTER TABLE search_postings ADD CONSTRAINT pk_search_postings PRIMARY KEY (term, id) '
               'INCLUDE (frequency, length)')
    op.drop_column('search_postings', 'language')
