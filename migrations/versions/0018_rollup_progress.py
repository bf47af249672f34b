"""each unit's progress in a round, kept; units carry a search key

Revision ID: 0018_rollup_progress
Revises: 0017_voter_policy_lookups
Create Date: 2026-12-02

The province's dashboard still read every participating unit on every view: its stage from
its conferences (done, in progress, not started) and whether it is late with a post category,
its certified people for the ranking, a digest of the certified conferences to key the pass
over every cadre code, and every unit's name folded in Python for the unit search. What it
reads is now kept, one row per participating unit and round (`rollup_progress`): the stage,
the unit's name in Vietnamese order (the list's order), the earliest deadline among the
categories the unit has not certified, its certified people per band and tenth of each
share, and two numbers new at each rewrite (what the dashboard keeps between views is keyed
on their sums). Written for every participating unit when a round is created, rewritten in
the transaction that creates, certifies or annuls one of the unit's conferences
(counting.rollup_progress). The rows are the unit's, like the counts they sum: the same
tenant columns, row-level security policy, and no row under a voter's scope. Filled here from what is already recorded.

Units get `search_key`, their name and code folded (platform.collation.search_key), filled
here, and conferences an index for the certified ones by the date they were held.
"""
import sqlalchemy as sa
from alembic import op

from tinnhiem.platform import rls
from tinnhiem.platform.collation import SortKeyType, search_key

# revision identifiers, used by Alembic.
revision = '0018_rollup_progress'
down_revision = '0017_voter_policy_lookups'
branch_labels = None
depends_on = None

TABLE = 'rollup_progress'
BANDS = ('two_thirds_low', 'over_half_low', 'normal')  # by severity
TENTHS = [f'{level}_{tenth}' for level in ('high', 'confidence', 'low') for tenth in range(10)]
STAGES = {'in_progress': 0, 'not_started': 1, 'done': 2}


def upgrade():
    op.create_table(
        TABLE,
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('round_id', sa.Uuid(), nullable=False),
        sa.Column('stage', sa.Integer(), nullable=False),
        sa.Column('name_key', SortKeyType, nullable=False),
        sa.Column('conferences', sa.Integer(), nullable=False),
        sa.Column('certified', sa.Integer(), nullable=False),
        sa.Column('due', sa.Date(), nullable=True),
        sa.Column('changes', sa.Integer(), nullable=False),
        sa.Column('stamp', sa.Integer(), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Uuid(), nullable=False),
        sa.Column('province_id', sa.Uuid(), nullable=False),
        *(sa.Column(name, sa.Integer(), server_default='0', nullable=False)
          for name in BANDS + tuple(TENTHS)),
        sa.ForeignKeyConstraint(['unit_id', 'round_id'],
                                ['round_units.unit_id', 'round_units.round_id'],
                                name=op.f('fk_rollup_progress_unit_id_round_id_round_units')),
        sa.ForeignKeyConstraint(['province_id', 'round_id'], ['rounds.province_id', 'rounds.id'],
                                name=op.f('fk_rollup_progress_province_id_round_id_rounds')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rollup_progress')),
        sa.UniqueConstraint('unit_id', 'round_id',
                            name=op.f('uq_rollup_progress_unit_id_round_id')),
    )
    op.create_index('ix_rollup_progress_stage', TABLE,
                    ['province_id', 'round_id', 'stage', 'name_key', 'unit_id'])
    op.create_index('ix_rollup_progress_key', TABLE,
                    ['province_id', 'round_id', 'changes', 'stamp'])
    op.create_index(op.f('ix_rollup_progress_province_id'), TABLE, ['province_id'])
    op.create_index(op.f('ix_rollup_progress_unit_id'), TABLE, ['unit_id'])
    rls.enable_tenant_rls(TABLE, "unit")
    rls.narrow_to_conference(TABLE, "false")  # a unit row of no conference: no voter's
    rls.grant_app_role([TABLE])
    op.create_index('ix_conferences_round_status', 'conferences',
                    ['province_id', 'round_id', 'status', 'held_on'])
    with op.batch_alter_table('units') as batch_op:
        batch_op.add_column(sa.Column('search_key', sa.String(600), server_default='',
                                      nullable=False))
    _cross()
    _fill_search_keys()
    _fill_progress()


def _cross():
    """The owner is bound by the forced row-level security too: see every row."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT set_config('app.crossing', 'on', true)")


def _fill_search_keys():
    bind = op.get_bind()
    units = sa.table('units', sa.column('id', sa.Uuid()), sa.column('name'),
                     sa.column('code'), sa.column('search_key'))
    keys = [{"unit": unit_id, "key": search_key(name, code)}
            for unit_id, name, code in bind.execute(sa.select(units.c.id, units.c.name,
                                                              units.c.code))]
    if keys:
        bind.execute(units.update().where(units.c.id == sa.bindparam('unit'))
                     .values(search_key=sa.bindparam('key')), keys)


def _fill_progress():
    """The row of every participating unit, as counting.rollup_progress writes them."""
    if op.get_bind().dialect.name == "postgresql":
        random_id, stamp = "gen_random_uuid()", "1 + floor(random() * 2147483646)::int"
    else:
        random_id, stamp = "lower(hex(randomblob(16)))", "1 + abs(random() % 2147483646)"
    sums = [f"sum(CASE WHEN severity = {severity} THEN people ELSE 0 END) AS {name}"
            for severity, name in enumerate(BANDS)] + [f"sum({n}) AS {n}" for n in TENTHS]
    filled = BANDS + tuple(TENTHS)
    op.execute(
        f"INSERT INTO {TABLE} (id, unit_id, province_id, round_id, stage, name_key,"
        f" conferences, certified, due, changes, stamp, people, {', '.join(filled)})"
        f" SELECT {random_id}, ru.unit_id, ru.province_id, ru.round_id,"
        f" CASE WHEN coalesce(c.active, 0) = 0 THEN {STAGES['not_started']}"
        f" WHEN c.certified = c.active THEN {STAGES['done']} ELSE {STAGES['in_progress']} END,"
        f" u.name_key, coalesce(c.active, 0), coalesce(c.certified, 0),"
        f" (SELECT min(rc.deadline) FROM round_categories rc WHERE rc.round_id = ru.round_id"
        f" AND NOT EXISTS (SELECT 1 FROM rollup_counts k WHERE k.round_id = ru.round_id"
        f" AND k.unit_id = ru.unit_id AND k.category_id = rc.id)),"
        f" 0, {stamp}, {' + '.join(f'coalesce(k.{b}, 0)' for b in BANDS)},"
        f" {', '.join(f'coalesce(k.{n}, 0)' for n in filled)}"
        f" FROM round_units ru JOIN units u ON u.id = ru.unit_id"
        f" LEFT JOIN (SELECT round_id, unit_id,"
        f" sum(CASE WHEN status <> 'annulled' THEN 1 ELSE 0 END) AS active,"
        f" sum(CASE WHEN status = 'certified' THEN 1 ELSE 0 END) AS certified"
        f" FROM conferences GROUP BY round_id, unit_id) c"
        f" ON c.round_id = ru.round_id AND c.unit_id = ru.unit_id"
        f" LEFT JOIN (SELECT round_id, unit_id, {', '.join(sums)} FROM rollup_counts"
        f" GROUP BY round_id, unit_id) k ON k.round_id = ru.round_id AND k.unit_id = ru.unit_id")


def downgrade():
    with op.batch_alter_table('units') as batch_op:
        batch_op.drop_column('search_key')
    op.drop_index('ix_conferences_round_status', table_name='conferences')
    rls.unnarrow_from_conference(TABLE)
    rls.disable_tenant_rls(TABLE)
    op.drop_index(op.f('ix_rollup_progress_unit_id'), table_name=TABLE)
    op.drop_index(op.f('ix_rollup_progress_province_id'), table_name=TABLE)
    op.drop_index('ix_rollup_progress_key', table_name=TABLE)
    op.drop_index('ix_rollup_progress_stage', table_name=TABLE)
    op.drop_table(TABLE)
