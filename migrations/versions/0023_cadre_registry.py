"""the province's standing cadre registry: who holds which post in which unit

Revision ID: 0023_cadre_registry
Revises: 0021_given_name_order
Create Date: 2026-12-03

Issue #17: `cadre_posts` is the province's own list of posts held (a cadre code, the
person's name, the post, the unit, since when and until when); ended posts stay as history.
A unit reads the posts held in it only: unit rows with the tenant columns and row-level
security of every unit table, and none under a voter's scope. One current holding of a post
per person and unit (a partial unique index); the rounds' registries are filled from it.
"""
import sqlalchemy as sa
from alembic import op

from tinnhiem.platform import rls
from tinnhiem.platform.collation import SortKeyType

# revision identifiers, used by Alembic.
revision = '0023_cadre_registry'
down_revision = '0022_history_scope'
branch_labels = None
depends_on = None

TABLE = 'cadre_posts'


def upgrade():
    op.create_table(
        TABLE,
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('cadre_code', sa.String(40), nullable=False),
        sa.Column('full_name', sa.String(200), nullable=False),
        sa.Column('name_key', SortKeyType, nullable=False),
        sa.Column('search_key', sa.String(600), nullable=False),
        sa.Column('post', sa.String(255), nullable=False),
        sa.Column('post_key', sa.String(255), nullable=False),
        sa.Column('held_since', sa.Date(), nullable=False),
        sa.Column('held_until', sa.Date(), nullable=True),
        sa.Column('note', sa.String(1000), nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column('unit_id', sa.Uuid(), nullable=False),
        sa.Column('province_id', sa.Uuid(), nullable=False),
        sa.CheckConstraint('held_until IS NULL OR held_until >= held_since',
                           name=op.f('ck_cadre_posts_held_period')),
        sa.ForeignKeyConstraint(['province_id', 'unit_id'], ['units.province_id', 'units.id'],
                                name=op.f('fk_cadre_posts_province_id_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cadre_posts')),
        sa.UniqueConstraint('unit_id', 'id', name=op.f('uq_cadre_posts_unit_id_id')),
    )
    for name in ('province_id', 'unit_id', 'name_key'):
        op.create_index(op.f(f'ix_cadre_posts_{name}'), TABLE, [name])
    op.create_index('ix_cadre_posts_province_id_cadre_code', TABLE, ['province_id', 'cadre_code'])
    current = sa.text('held_until IS NULL')
    op.create_index('uq_cadre_posts_current', TABLE, ['unit_id', 'cadre_code', 'post_key'],
                    unique=True, sqlite_where=current, postgresql_where=current)
    rls.enable_tenant_rls(TABLE, "unit")
    rls.narrow_to_conference(TABLE, "false")  # never a voter's
    rls.grant_app_role([TABLE])


def downgrade():
    rls.unnarrow_from_conference(TABLE)
    rls.disable_tenant_rls(TABLE)
    op.drop_table(TABLE)
