"""search outbox

Revision ID: 86305ba60388
Revises: 7d18613f5ffd
Create Date: 2026-11-22 11:45:23.652714

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '86305ba60388'
down_revision = '7d18613f5ffd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_outbox'))
    )
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_outbox_question_id'), ['question_id'], unique=False)


def downgrade():
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_outbox_question_id'))

    op.drop_table('search_outbox')
