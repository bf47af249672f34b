"""the roll-up's counts, kept per certified conference

Revision ID: 0016_rollup_counts
Revises: 0015_voter_scope
Create Date: 2026-12-02

The province's dashboard counted every certified result row (one a person, 100,000 and more
in a large province) on every view. What it counts is now kept per certified conference, for
each post category and band: the people, and how many fall in each tenth of each level's
share. The rows are written in the transaction that certifies the conference and deleted when
it is annulled (counting.rollup_counts); the dashboard sums a few rows a unit. They are a
unit's rows like the results they come from: the same tenant columns, row-level security
policy and voter's narrowing. Filled here from the results already certified.
"""
import sqlalchemy as sa
from alembic import op

from tinnhiem.platform import rls

# revision identifiers, used by Alembic.
revision = '0016_rollup_counts'
down_revision = '0015_voter_scope'
branch_labels = None
depends_on = None

TABLE = 'rollup_counts'
LEVELS = ('high', 'confidence', 'low')
TENTHS = [(f'{level}_{tenth}', level, tenth) for level in LEVELS for tenth in range(10)]
KEYS = ['conference_id', 'category_id', 'severity', 'round_id', 'unit_id', 'province_id']


def upgrade():
    op.create_table(
        TABLE,
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('conference_id', sa.Uuid(), nullable=False),
        sa.Column('category_id', sa.Uuid(), nullable=False),
        sa.Column('severity', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Uuid(), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Uuid(), nullable=False),
        sa.Column('province_id', sa.Uuid(), nullable=False),
        *(sa.Column(name, sa.Integer(), server_default='0', nullable=False)
          for name, _level, _tenth in TENTHS),
        sa.CheckConstraint('people > 0', name=op.f('ck_rollup_counts_people')),
        sa.ForeignKeyConstraint(['unit_id', 'conference_id'],
                                ['conferences.unit_id', 'conferences.id'],
                                name=op.f('fk_rollup_counts_unit_id_conference_id_conferences'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['province_id', 'round_id'], ['rounds.province_id', 'rounds.id'],
                                name=op.f('fk_rollup_counts_province_id_round_id_rounds')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rollup_counts')),
        sa.UniqueConstraint(
            'unit_id', 'conference_id', 'category_id', 'severity',
            name=op.f('uq_rollup_counts_unit_id_conference_id_category_id_severity')),
    )
    op.create_index('ix_rollup_counts_round', TABLE,
                    ['province_id', 'round_id', 'unit_id', 'category_id', 'severity'])
    op.create_index(op.f('ix_rollup_counts_province_id'), TABLE, ['province_id'])
    op.create_index(op.f('ix_rollup_counts_unit_id'), TABLE, ['unit_id'])
    rls.enable_tenant_rls(TABLE, "unit")
    rls.narrow_to_conference(TABLE, "conference_id = {conference}")
    rls.grant_app_role([TABLE])
    _backfill()


def _backfill():
    """The counts of every conference certified so far, from its result rows, as
    certification now writes them."""
    if op.get_bind().dialect.name == "postgresql":
        # The owner is bound by the forced row-level security too: see every row.
        op.execute("SELECT set_config('app.crossing', 'on', true)")
        random_id = "gen_random_uuid()"
    else:
        random_id = "lower(hex(randomblob(16)))"  # a Uuid as SQLite stores it
    tenths = ", ".join(f"sum(CASE WHEN {level}_tenth = {tenth} THEN 1 ELSE 0 END)"
                       for _name, level, tenth in TENTHS)
    op.execute(
        f"INSERT INTO {TABLE} (id, {', '.join(KEYS)}, people,"
        f" {', '.join(n for n, _l, _t in TENTHS)})"
        f" SELECT {random_id}, {', '.join(KEYS)}, count(*), {tenths} FROM results WHERE certified"
        f" GROUP BY {', '.join(KEYS)}")


def downgrade():
    rls.unnarrow_from_conference(TABLE)
    rls.disable_tenant_rls(TABLE)
    op.drop_index(op.f('ix_rollup_counts_unit_id'), table_name=TABLE)
    op.drop_index(op.f('ix_rollup_counts_province_id'), table_name=TABLE)
    op.drop_index('ix_rollup_counts_round', table_name=TABLE)
    op.drop_table(TABLE)
