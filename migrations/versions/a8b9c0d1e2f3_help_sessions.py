"""Help sessions from the widget and the API, for the deflection rate

Revision ID: a8b9c0d1e2f3
Revises: f7a8b9c0d1e2
Create Date: 2026-12-07 03:35:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'a8b9c0d1e2f3'
down_revision = 'f7a8b9c0d1e2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'help_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('visitor_key', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_search_at', sa.DateTime(), nullable=False),
        sa.Column('window_ends_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_help_sessions_user_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_help_sessions')),
    )
    with op.batch_alter_table('help_sessions') as batch_op:
        batch_op.create_index('ix_help_sessions_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_help_sessions_visitor_last', ['visitor_key', 'last_search_at'], unique=False)


def downgrade():
    with op.batch_alter_table('help_sessions') as batch_op:
        batch_op.drop_index('ix_help_sessions_visitor_last')
        batch_op.drop_index('ix_help_sessions_created_at')
    op.drop_table('help_sessions')
