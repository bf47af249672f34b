"""rate-limit counters shared by every worker and host

Revision ID: 0014
Revises: 0013_suspended_votes
Create Date: 2026-12-02

In-memory counters held per gunicorn worker, so a limit of five let ten wrong passwords
through four workers. When no Redis is configured the counters live in this table
(platform/limit_storage.py). It holds only hashed keys and counts, no tenant data, so it has
no tenant columns and no row-level security policy; a backup leaves it out.
"""
import sqlalchemy as sa
from alembic import op

from tinnhiem.platform import rls

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013_suspended_votes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_counters',
    sa.Column('counter_key', sa.String(length=64), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('counter_key', name=op.f('pk_rate_limit_counters'))
    )
    op.create_index(op.f('ix_rate_limit_counters_expires_at'), 'rate_limit_counters',
                    ['expires_at'], unique=False)
    rls.grant_app_role(['rate_limit_counters'])


def downgrade():
    op.drop_index(op.f('ix_rate_limit_counters_expires_at'), table_name='rate_limit_counters')
    op.drop_table('rate_limit_counters')
