"""Images uploaded for posts (who, which stored file, how big, when)

Revision ID: b7c8d9e0f1a2
Revises: d2e3f4a5b6c7
Create Date: 2026-12-07 06:10:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'b7c8d9e0f1a2'
down_revision = 'd2e3f4a5b6c7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'uploads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uploader_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], name=op.f('fk_uploads_uploader_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_uploads')),
    )
    with op.batch_alter_table('uploads') as batch_op:
        batch_op.create_index('ix_uploads_uploader_id_created_at', ['uploader_id', 'created_at'], unique=False)
        batch_op.create_index('ix_uploads_name', ['name'], unique=False)


def downgrade():
    with op.batch_alter_table('uploads') as batch_op:
        batch_op.drop_index('ix_uploads_name')
        batch_op.drop_index('ix_uploads_uploader_id_created_at')
    op.drop_table('uploads')
