"""PostgreSQL search backend: documents with tsvectors, term counts and per-kind statistics

Only on PostgreSQL (SEARCH_BACKEND=postgresql): SQLite has no tsvector, and the Whoosh backend keeps its index in
files. pg_trgm (a trusted extension, so the database owner may create it) serves "did you mean".

Revision ID: 5e4c0a9d7b21
Revises: a8b9c0d1e2f3
Create Date: 2026-12-08 10:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '5e4c0a9d7b21'
down_revision = 'a8b9c0d1e2f3'
branch_labels = None
depends_on = None

VECTORS = ('text_vector', 'question_vector', 'answers_vector', 'accepted_vector')
LENGTHS = ('text_length', 'question_length', 'title_length', 'answers_length', 'accepted_length')


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.create_table(
        'search_documents',
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fingerprint', sa.String(length=32), nullable=True),
        sa.Column('title', sa.Text(), server_default='', nullable=False),
        sa.Column('tags', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('answerer_ids', postgresql.ARRAY(sa.Integer()), server_default='{}', nullable=False),
        sa.Column('score', sa.Integer(), server_default='0', nullable=False),
        sa.Column('answer_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('has_accepted', sa.Boolean(), server_default='false', nullable=False),
        sa.Column('has_official', sa.Boolean(), server_default='false', nullable=False),
        sa.Column('closed', sa.Boolean(), server_default='false', nullable=False),
        sa.Column('created', sa.BigInteger(), server_default='0', nullable=False),
        sa.Column('activity', sa.BigInteger(), server_default='0', nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=True),
        *(sa.Column(name, postgresql.TSVECTOR(), nullable=False) for name in VECTORS),
        *(sa.Column(name, sa.Float(), server_default='0', nullable=False) for name in LENGTHS),
        sa.PrimaryKeyConstraint('kind', 'id', name=op.f('pk_search_documents')),
    )
    # Vectors are read back whole for ranking: lz4 unpacks them several times faster than pglz.
    for name in VECTORS:
        op.execute(f'ALTER TABLE search_documents ALTER COLUMN {name} SET COMPRESSION lz4')
    op.create_index('ix_search_documents_text_vector', 'search_documents', ['text_vector'],
                    postgresql_using='gin')
    op.create_index('ix_search_documents_tags', 'search_documents', ['tags'], postgresql_using='gin')
    op.create_index('ix_search_documents_created', 'search_documents', ['kind', 'created'])
    op.create_index('ix_search_documents_activity', 'search_documents', ['kind', 'activity'])
    op.create_table(
        'search_terms',
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('field', sa.String(length=8), nullable=False),
        sa.Column('term', sa.Text(), nullable=False),
        sa.Column('documents', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('kind', 'field', 'term', name=op.f('pk_search_terms')),
    )
    op.create_index('ix_search_terms_spelling', 'search_terms', ['term'], postgresql_using='gin',
                    postgresql_ops={'term': 'gin_trgm_ops'}, postgresql_where=sa.text("field = 'spell'"))
    op.create_table(
        'search_statistics',
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('layout', sa.Integer(), nullable=False),
        sa.Column('documents', sa.Integer(), server_default='0', nullable=False),
        *(sa.Column(name, sa.Float(), server_default='0', nullable=False) for name in LENGTHS),
        sa.PrimaryKeyConstraint('kind', name=op.f('pk_search_statistics')),
    )


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_table('search_statistics')
    op.drop_table('search_terms')
    op.drop_table('search_documents')
