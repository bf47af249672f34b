"""a successor reads what it succeeded: history scopes, and each succession's province

Revision ID: 0022_history_scope
Revises: 0021_given_name_order
Create Date: 2026-12-03

When Vĩnh Phúc merged into Phú Thọ, Phú Thọ's accounts got 404 on Vĩnh Phúc's rounds and
results. A successor now reads its predecessors' certified results through a history scope
(tenants.history): the predecessor's province (and unit) signed with app.crossing =
'history'. Here:
- `unit_successions.predecessor_province_id`: where the predecessor lives, so a successor,
  which cannot see another province's units, knows which scope to ask for;
- a restrictive `history_read` policy on every tenant table: under a history scope only the
  rows listed in HISTORY_ROWS are seen and nothing is written (rls.limit_history; tables made
  after this revision get it from rls.enable_tenant_rls);
- succession links are written only by the operator's (directory) scope or the owner: a
  link is what a history scope is granted from, so a unit's or province's own scope must not
  be able to make one.
"""
import sqlalchemy as sa
from alembic import op

from tinnhiem.platform import rls

# revision identifiers, used by Alembic.
revision = '0022_history_scope'
down_revision = '0021_given_name_order'
branch_labels = None
depends_on = None

# What a history scope may read, per table; every other tenant table: nothing.
HISTORY_ROWS = {
    "results": "certified",
    "conferences": "status = 'certified'",
    "rounds": "true",
    "round_categories": "true",
    "round_units": "true",
    "units": "true",
    "unit_successions": "true",
    "rollup_counts": "true",
    "rollup_progress": "true",
}
SUCCESSION_GUARD = "succession_by_operator"


def _tenant_tables() -> list[str]:
    return [table for (table,) in op.get_bind().exec_driver_sql(
        "SELECT tablename FROM pg_policies WHERE schemaname = 'public'"
        " AND policyname = 'tenant_scope' ORDER BY tablename").all()]


def upgrade():
    with op.batch_alter_table('unit_successions') as batch_op:
        batch_op.add_column(sa.Column('predecessor_province_id', sa.Uuid(), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("SELECT set_config('app.crossing', 'on', true)")  # the owner sees every row
    op.execute("UPDATE unit_successions SET predecessor_province_id = (SELECT units.province_id"
               " FROM units WHERE units.id = unit_successions.predecessor_id)")
    with op.batch_alter_table('unit_successions') as batch_op:
        batch_op.alter_column('predecessor_province_id', nullable=False)
    if bind.dialect.name != "postgresql":
        return
    rls.create_history_function()
    for table in _tenant_tables():
        rls.limit_history(table, HISTORY_ROWS.get(table, "false"))
    op.execute(f"CREATE POLICY {SUCCESSION_GUARD} ON unit_successions AS RESTRICTIVE USING (true)"
               " WITH CHECK ((SELECT app_raw_crossing()) IN ('directory', 'on'))")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f"DROP POLICY IF EXISTS {SUCCESSION_GUARD} ON unit_successions")
        for table in _tenant_tables():
            rls.unlimit_history(table)
        rls.drop_history_function()
    with op.batch_alter_table('unit_successions') as batch_op:
        batch_op.drop_column('predecessor_province_id')
