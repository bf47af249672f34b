"""only others than the app role cross every province

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26

Any connection could see every province by setting app.crossing to 'on'. Policies now honour
that setting only for a role that is neither the app's nor a member of it (the owner, which
the CLI and migrations use), so the web process cannot cross whatever SQL it runs (see
platform/rls.py).
"""
from tinnhiem.platform import rls

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    rls.rewrite_policies(rls.policies())


def downgrade():
    rls.rewrite_policies(rls.SCOPE_ONCE_POLICIES)
