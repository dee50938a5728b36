"""PostgreSQL search backend: postings (term, thread, weighted frequency, length) for index-only ranking, and
each term's best share of its weight (search_terms.best), the bound that lets a sentence skip common words

Only on PostgreSQL. Filled here from the stored vectors, so an upgraded index ranks at once without a rebuild:
each counted entry's labels weigh as vectors.TEXT_WEIGHTS (D 0.125, C 0.25, B 0.375, A 1), times TEXT_SCALE 4,
exactly what `4 * ts_rank_cd(TEXT_WEIGHTS, text_vector, term, 0)` returns.

Revision ID: c1d2e3f4a5b6
Revises: 5e4c0a9d7b21
Create Date: 2026-12-07 06:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'c1d2e3f4a5b6'
down_revision = '5e4c0a9d7b21'
branch_labels = None
depends_on = None

FILL = """
INSERT INTO search_postings (term, id, frequency, length)
SELECT entry.lexeme, document.id,
       4 * (SELECT sum(CASE label WHEN 'A' THEN 1.0 WHEN 'B' THEN 0.375 WHEN 'C' THEN 0.25 ELSE 0.125 END)
            FROM unnest(entry.weights) AS label),
       document.text_length
FROM search_documents AS document, unnest(document.text_vector) AS entry
WHERE document.kind = 'thread'
"""


def bounds_sql(k1: float = 1.6, b: float = 0.9) -> str:
    """search_terms.best and .average of every thread `text` term, from the postings (writing.BOUNDS_FROM_POSTINGS)."""
    return f"""
UPDATE search_terms AS t SET best = bounds.best, average = bounds.average
FROM (SELECT posting.term, max(posting.frequency / (posting.frequency + {k1 * (1 - b)!r}
             + {k1 * b!r} * posting.length / statistics.average))::real AS best, statistics.average
      FROM search_postings AS posting,
           (SELECT greatest(text_length / nullif(documents, 0), 1)::real AS average
            FROM search_statistics WHERE kind = 'thread') AS statistics
      GROUP BY posting.term, statistics.average) AS bounds
WHERE t.kind = 'thread' AND t.field = 'text' AND t.term = bounds.term
"""


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    # Built by hand: the primary key carries the frequency and length, so ranking never visits the table.
    op.execute('CREATE TABLE search_postings (term text NOT NULL, id integer NOT NULL, frequency real NOT NULL, '
               'length real NOT NULL)')
    op.execute(FILL)
    op.add_column('search_terms', sa.Column('best', sa.REAL(), server_default='0', nullable=False))
    op.add_column('search_terms', sa.Column('average', sa.REAL(), server_default='0', nullable=False))
    op.execute(bounds_sql())
    op.execute('ALTER TABLE search_postings ADD CONSTRAINT pk_search_postings PRIMARY KEY (term, id) '
               'INCLUDE (frequency, length)')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_column('search_terms', 'average')
    op.drop_column('search_terms', 'best')
    op.drop_table('search_postings')
