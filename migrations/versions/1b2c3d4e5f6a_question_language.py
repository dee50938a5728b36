"""Each question's and FAQ entry's language ("ja" or "en"), detected from their text; FAQ categories' Japanese names

Existing questions and FAQ entries get the language services/community/language.py detects from their title and Markdown body
(Japanese characters against Latin letters, code left out); answers keep none. A category's
name that reads as Japanese is copied to its Japanese name (the English name stays, being the unique key).

Revision ID: 1b2c3d4e5f6a
Revises: b7c8d9e0f1a2
Create Date: 2026-12-07 06:10:00

"""
from alembic import op
import sqlalchemy as sa

from forum.services.community.language import detect_language

revision = '1b2c3d4e5f6a'
down_revision = 'b7c8d9e0f1a2'
branch_labels = None
depends_on = None

BATCH = 500


def upgrade():
    with op.batch_alter_table('posts') as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=2), nullable=True))
        batch_op.create_index('ix_posts_type_language_created', ['post_type', 'language', 'deleted_at', 'created_at'],
                              unique=False)
    posts = sa.table('posts', sa.column('id', sa.Integer), sa.column('post_type', sa.String),
                     sa.column('title', sa.String), sa.column('body_md', sa.Text),
                     sa.column('language', sa.String))
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(sa.select(posts.c.id, posts.c.title, posts.c.body_md)
                            .where(posts.c.post_type == 'question', posts.c.id > last)
                            .order_by(posts.c.id).limit(BATCH)).all()
        if not rows:
            break
        last = rows[-1].id
        found = {}
        for row in rows:
            found.setdefault(detect_language(row.title or '', row.body_md or ''), []).append(row.id)
        for language, ids in found.items():
            bind.execute(posts.update().where(posts.c.id.in_(ids)).values(language=language))
    _faq(bind)


def _faq(bind) -> None:
    with op.batch_alter_table('faq_entries') as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=2), server_default='en', nullable=False))
    with op.batch_alter_table('faq_categories') as batch_op:
        batch_op.add_column(sa.Column('name_ja', sa.String(length=80), server_default='', nullable=False))
    entries = sa.table('faq_entries', sa.column('id', sa.Integer), sa.column('title', sa.String),
                       sa.column('question_md', sa.Text), sa.column('answer_md', sa.Text),
                       sa.column('language', sa.String))
    for row in bind.execute(sa.select(entries.c.id, entries.c.title, entries.c.question_md, entries.c.answer_md)):
        language = detect_language(row.title or '', f"{row.question_md or ''}\n{row.answer_md or ''}")
        if language != 'en':
            bind.execute(entries.update().where(entries.c.id == row.id).values(language=language))
    categories = sa.table('faq_categories', sa.column('id', sa.Integer), sa.column('name', sa.String),
                          sa.column('name_ja', sa.String))
    for row in bind.execute(sa.select(categories.c.id, categories.c.name)):
        if detect_language(row.name or '') == 'ja':
            bind.execute(categories.update().where(categories.c.id == row.id).values(name_ja=row.name))


def downgrade():
    with op.batch_alter_table('faq_categories') as batch_op:
        batch_op.drop_column('name_ja')
    with op.batch_alter_table('faq_entries') as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('posts') as batch_op:
        batch_op.drop_index('ix_posts_type_language_created')
        batch_op.drop_column('language')
