"""PostgreSQL search backend: each thread's length without its bigrams (`words_length`), which keyword searches
score by

Only on PostgreSQL. Until the next `flask search reindex` every document's words_length is its text_length (a
keyword search ranks as before; `flask search check` asks for the rebuild). The postings table is copied with the
new column, and its primary key includes it beside the frequency and length. Run `VACUUM ANALYZE search_postings`
after upgrading (autovacuum also gets to it within minutes): until then index-only scans still visit the table.

Revision ID: 5f6a7b8c9d0e
Revises: 4e5f6a7b8c9d
Create Date: 2026-12-07 22:10:00

"""
from alembic import op
import sqlalchemy as sa

revision = '5f6a7b8c9d0e'
down_revision = '4e5f6a7b8c9d'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in ('search_documents', 'search_statistics'):
        op.add_column(table, sa.Column('words_length', sa.Float(), nullable=False, server_default='0'))
        op.execute(f'UPDATE {table} SET words_length = text_length')
    # A new table rather than an UPDATE of every row (see 3d4e5f6a7b8c): the primary key is built over live rows.
    op.execute('CREATE TABLE search_postings_new AS SELECT term, id, frequency, length, length AS words_length, '
               'language FROM search_postings ORDER BY term, id')
    op.execute('DROP TABLE search_postings')
    op.execute('ALTER TABLE search_postings_new RENAME TO search_postings')
    for column in ('term', 'id', 'frequency', 'length', 'words_length'):
        op.execute(f'ALTER TABLE search_postings ALTER COLUMN {column} SET NOT NULL')
    op.execute('ALTER TABLE search_postings ADD CONSTRAINT pk_search_postings PRIMARY KEY (term, id) '
               'INCLUDE (frequency, length, words_length, language)')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('ALTER TABLE search_postings DROP CONSTRAINT pk_search_postings')
    op.execute('ALTER TABLE search_postings ADD CONSTRAINT pk_search_postings PRIMARY KEY (term, id) '
               'INCLUDE (frequency, length, language)')
    op.drop_column('search_postings', 'words_length')
    for table in ('search_documents', 'search_statistics'):
        op.drop_column(table, 'words_length')
