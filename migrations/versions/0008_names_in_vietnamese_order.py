"""names in Vietnamese order

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26

Names sorted by code point put "Đặng" after "Zô" and "Ân" after every unaccented name. Results
and units now keep a sort key of their name (platform/collation.py) that sorts in Vietnamese
alphabetical order byte by byte; the roll-up orders and indexes by it instead of the name.
"""
import sqlalchemy as sa
from alembic import op

from tinnhiem.platform.collation import KEY_LENGTH, sort_key

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

SCOPE = ('province_id', 'round_id', 'certified')
LOW_SHARE_DESC = sa.text('low_share DESC')
INDEXES = {
    'ix_results_rollup_order': [*SCOPE, 'severity', LOW_SHARE_DESC, '{name}', 'id'],
    'ix_results_rollup_low': [*SCOPE, LOW_SHARE_DESC, '{name}', 'id'],
    'ix_results_rollup_name': [*SCOPE, '{name}', 'unit_id', 'id'],
}
KEYED = (('results', 'full_name'), ('units', 'name'))


def _key_type():
    return sa.String(KEY_LENGTH).with_variant(sa.String(KEY_LENGTH, collation="C"), "postgresql")


def _create_indexes(name: str):
    for index, columns in INDEXES.items():
        op.create_index(index, 'results', [c.format(name=name) if isinstance(c, str) else c
                                           for c in columns])


def _drop_indexes():
    for index in INDEXES:
        op.drop_index(index, table_name='results')


def upgrade():
    _drop_indexes()
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # The owner is bound by the forced row-level security too: see every row to update it.
        op.execute("SELECT set_config('app.crossing', 'on', true)")
    for table, column in KEYED:
        # NOT NULL with a default, which SQLite can add without rebuilding the table
        op.add_column(table, sa.Column('name_key', _key_type(), nullable=False,
                                       server_default=''))
        rows = bind.execute(sa.text(f"SELECT id, {column} FROM {table}")).all()
        if rows:
            bind.execute(sa.text(f"UPDATE {table} SET name_key = :key WHERE id = :id"),
                         [{"id": row_id, "key": sort_key(name)} for row_id, name in rows])
    _create_indexes('name_key')


def downgrade():
    _drop_indexes()
    for table, _column in KEYED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('name_key')
    _create_indexes('full_name')
