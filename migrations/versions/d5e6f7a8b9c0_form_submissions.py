"""One-time tokens of posting forms, so a retried or double-clicked form posts once

Revision ID: d5e6f7a8b9c0
Revises: c4d5e6f7a8b9
Create Date: 2026-12-06 05:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'd5e6f7a8b9c0'
down_revision = 'c4d5e6f7a8b9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'form_submissions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=True),
        sa.Column('comment_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_form_submissions_user_id_users'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_form_submissions_post_id_posts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'],
                                name=op.f('fk_form_submissions_comment_id_comments'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_form_submissions')),
        sa.UniqueConstraint('user_id', 'token', name=op.f('uq_form_submissions_user_id')),
    )
    with op.batch_alter_table('form_submissions') as batch_op:
        batch_op.create_index('ix_form_submissions_created_at', ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('form_submissions') as batch_op:
        batch_op.drop_index('ix_form_submissions_created_at')
    op.drop_table('form_submissions')
