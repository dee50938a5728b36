"""stack exchange import

Revision ID: 4f8794d5107f
Revises: 86305ba60388
Create Date: 2026-11-22 12:56:54.172479

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4f8794d5107f'
down_revision = '86305ba60388'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('external_id', sa.String(length=40), nullable=False),
    sa.Column('local_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_sources')),
    sa.UniqueConstraint('source', 'kind', 'external_id', name=op.f('uq_import_sources_source'))
    )
    op.create_table('post_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('related_post_id', sa.Integer(), nullable=False),
    sa.Column('link_type', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_links_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['related_post_id'], ['posts.id'], name=op.f('fk_post_links_related_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_links')),
    sa.UniqueConstraint('post_id', 'related_post_id', 'link_type', name=op.f('uq_post_links_post_id'))
    )
    with op.batch_alter_table('post_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_links_related_post_id'), ['related_post_id'], unique=False)

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin_site', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('origin_url', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('origin_author', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('origin_author_url', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('origin_license', sa.String(length=40), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin_site', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('origin_url', sa.String(length=255), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('origin_url')
        batch_op.drop_column('origin_site')

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_column('origin_license')
        batch_op.drop_column('origin_author_url')
        batch_op.drop_column('origin_author')
        batch_op.drop_column('origin_url')
        batch_op.drop_column('origin_site')

    with op.batch_alter_table('post_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_links_related_post_id'))

    op.drop_table('post_links')
    op.drop_table('import_sources')
