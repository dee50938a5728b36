"""Accounts at an OpenID Connect provider linked to members (single sign-on)

Revision ID: 0a1b2c3d4e5f
Revises: c1d2e3f4a5b6
Create Date: 2026-12-07 05:40:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0a1b2c3d4e5f'
down_revision = 'c1d2e3f4a5b6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'external_identities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('issuer', sa.String(length=255), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_external_identities_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_external_identities')),
        sa.UniqueConstraint('issuer', 'subject', name='uq_external_identities_issuer_subject'),
        sa.UniqueConstraint('user_id', 'issuer', name='uq_external_identities_user_id_issuer'),
    )
    with op.batch_alter_table('external_identities') as batch_op:
        batch_op.create_index('ix_external_identities_user_id', ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('external_identities') as batch_op:
        batch_op.drop_index('ix_external_identities_user_id')
    op.drop_table('external_identities')
