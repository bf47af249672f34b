"""tenant policies read the scope once per query

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

Every tenant policy called a SQL function per row that compared the row with
current_setting(); PostgreSQL evaluated it for every row read and could not estimate it,
which made the province's roll-up over 100,000 results slow. The same rules now read the
settings through scalar sub-selects, evaluated once per query (see platform/rls.py).
"""
from tinnhiem.platform import rls

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    rls.rewrite_policies(rls.SCOPE_ONCE_POLICIES)


def downgrade():
    rls.rewrite_policies(rls.LEGACY_POLICIES)
