"""each policy checks the scope's signature once

Revision ID: 0019_policies_trust_once
Revises: 0018_rollup_progress
Create Date: 2026-12-02

Every scope value a tenant policy read went through its own signature check (an HMAC in a
SECURITY DEFINER function, run as an InitPlan), up to seven a table, ~45 for one ballot: two
thirds of PostgreSQL's time in a cast. Each policy now checks the signature once and compares
rows to the raw settings; who sees what is unchanged (platform/rls.py `trust_once`).
"""
from tinnhiem.platform import rls

# revision identifiers, used by Alembic.
revision = '0019_policies_trust_once'
down_revision = '0018_rollup_progress'
branch_labels = None
depends_on = None


def upgrade():
    rls.trust_once()


def downgrade():
    rls.trust_each_value()
