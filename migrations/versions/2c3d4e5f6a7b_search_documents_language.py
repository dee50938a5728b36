"""PostgreSQL search backend: each document's language (`lang:` and the pages' language filter)

Only on PostgreSQL. Filled here from the questions and FAQ entries, so an upgraded index filters at once
without a rebuild.

Revision ID: 2c3d4e5f6a7b
Revises: 1b2c3d4e5f6a
Create Date: 2026-12-07 06:20:00

"""
from alembic import op
import sqlalchemy as sa

revision = '2c3d4e5f6a7b'
down_revision = '1b2c3d4e5f6a'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.add_column('search_documents', sa.Column('language', sa.String(length=2), nullable=True))
    op.execute("UPDATE search_documents AS d SET language = p.language FROM posts AS p "
               "WHERE d.kind = 'thread' AND p.id = d.id")
    op.execute("UPDATE search_documents AS d SET language = e.language FROM faq_entries AS e "
               "WHERE d.kind = 'faq' AND e.id = d.id")


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_column('search_documents', 'language')
