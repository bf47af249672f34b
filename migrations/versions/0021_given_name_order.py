"""people's names keyed in the order of Vietnamese official lists

Revision ID: 0021_given_name_order
Revises: 0020_scans
Create Date: 2026-12-03

A person's result was keyed on the full name as written, family name first, so the roll-up
listed "Nguyễn Văn An" among the N's. Official Vietnamese lists go by the given name (tên),
then the middle and family names: `results.name_key` is now
platform.collation.person_sort_key of the name, recomputed here for every stored result (the
indexes on the column stay; only the values change). Units' keys (`units.name_key`,
`rollup_progress.name_key`) are names of units, which keep their whole-name order.
"""
import sqlalchemy as sa
from alembic import op

from tinnhiem.platform.collation import person_sort_key, sort_key

# revision identifiers, used by Alembic.
revision = '0021_given_name_order'
down_revision = '0020_scans'
branch_labels = None
depends_on = None

BATCH = 5000  # rows read and rewritten at a time: a province's results run to 100,000s


def upgrade():
    _rekey(person_sort_key)


def downgrade():
    _rekey(sort_key)


def _rekey(key) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # The owner is bound by the forced row-level security too: see every row.
        op.execute("SELECT set_config('app.crossing', 'on', true)")
    results = sa.table('results', sa.column('id', sa.Uuid()), sa.column('full_name'),
                       sa.column('name_key'))
    rows = bind.execute(sa.select(results.c.id, results.c.full_name)
                        .order_by(results.c.id)).all()
    for start in range(0, len(rows), BATCH):
        changed = [{"result": result_id, "key": key(full_name)}
                   for result_id, full_name in rows[start:start + BATCH]]
        bind.execute(results.update().where(results.c.id == sa.bindparam('result'))
                     .values(name_key=sa.bindparam('key')), changed)
