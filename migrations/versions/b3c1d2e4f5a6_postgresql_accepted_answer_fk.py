"""PostgreSQL: the accepted-answer foreign key that the first migration declared with use_alter

SQLite writes it inline with the table; on PostgreSQL `create_table` leaves a use_alter key out, so it is added
here (once, and only where it is missing).

Revision ID: b3c1d2e4f5a6
Revises: 01c81f106d1c
Create Date: 2026-12-05 16:40:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'b3c1d2e4f5a6'
down_revision = '01c81f106d1c'
branch_labels = None
depends_on = None

NAME = 'fk_posts_accepted_answer_id_posts'


def _has_key(bind) -> bool:
    return any(key['name'] == NAME for key in sa.inspect(bind).get_foreign_keys('posts'))


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite' and not _has_key(bind):
        op.create_foreign_key(NAME, 'posts', 'posts', ['accepted_answer_id'], ['id'])


def downgrade():
    pass  # the key belongs to the first migration's schema
