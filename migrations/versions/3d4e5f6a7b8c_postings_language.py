"""PostgreSQL search backend: each posting carries its thread's language, so a language filter stays index-only

Only on PostgreSQL. The table is copied with the language, and its primary key includes the language beside the
frequency and length. Run `VACUUM ANALYZE search_postings` after upgrading (autovacuum also gets to it within
minutes): until then index-only scans still visit the table.

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
    # A new table rather than an UPDATE of every row: the primary key is then built over the live rows only (an
    # UPDATE leaves a dead version of each row, which an index built in the same transaction keeps: twice the
    # size, and every search scans it).
    op.execute("CREATE TABLE search_postings_new AS SELECT p.term, p.id, p.frequency, p.length, "
               "CAST(d.language AS varchar(2)) AS language FROM search_postings AS p "
               "LEFT JOIN search_documents AS d ON d.kind = 'thread' AND d.id = p.id ORDER BY p.term, p.id")
    op.execute('DROP TABLE search_postings')
    op.execute('ALTER TABLE search_postings_new RENAME TO search_postings')
    for column in ('term', 'id', 'frequency', 'length'):
        op.execute(f'ALTER TABLE search_postings ALTER COLUMN {column} SET NOT NULL')
    op.execute('ALTER TABLE search_postings ADD CONSTRAINT pk_search_postings PRIMARY KEY (term, id) '
               'INCLUDE (frequency, length, language)')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('ALTER TABLE search_postings DROP CONSTRAINT pk_search_postings')
    op.execute('ALTER TABLE search_postings ADD CONSTRAINT pk_search_postings PRIMARY KEY (term, id) '
               'INCLUDE (frequency, length)')
    op.drop_column('search_postings', 'language')
