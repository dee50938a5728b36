"""Comments posted with personal data after the warning are held until staff review them

Revision ID: d2e3f4a5b6c7
Revises: 0a1b2c3d4e5f
Create Date: 2026-12-07 06:20:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'd2e3f4a5b6c7'
down_revision = '0a1b2c3d4e5f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('held_at')
