"""results know they are certified

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

The roll-up read certified results by checking each of 100,000 rows against the certified
conferences. Each result now carries `certified` (set when its conference is certified,
cleared if it is annulled; the figures themselves never change), and the roll-up's indexes
lead with it and follow the dashboard's orders, so a page of the most serious cases is read
in index order and stops after a page, and each pass over a round (per unit, per tenth of
each share, per cadre code) reads one index in the order it groups by, unit_id included for
the row-level security check.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

SCOPE = ('province_id', 'round_id', 'certified')
INDEXES = {
    'ix_results_rollup_order': [*SCOPE, 'severity', sa.text('low_share DESC'), 'full_name', 'id'],
    'ix_results_rollup_low': [*SCOPE, sa.text('low_share DESC'), 'full_name', 'id'],
    'ix_results_rollup_name': [*SCOPE, 'full_name', 'unit_id', 'id'],
    'ix_results_rollup_unit': [*SCOPE, 'unit_id', 'category_id', 'severity'],
    'ix_results_rollup_tenths': [*SCOPE, 'high_tenth', 'confidence_tenth', 'low_tenth',
                                 'unit_id', 'category_id', 'severity'],
    'ix_results_rollup_cadre': [*SCOPE, 'cadre_code', 'severity', 'unit_id'],
}
OLD_INDEXES = {
    'ix_results_rollup_cadre': ['province_id', 'round_id', 'cadre_code', 'conference_id'],
    'ix_results_rollup_tenths': ['province_id', 'round_id', 'high_tenth', 'confidence_tenth',
                                 'low_tenth', 'conference_id'],
    'ix_results_rollup_order': ['province_id', 'round_id', 'severity', 'low_share', 'full_name'],
    'ix_results_rollup_unit': ['province_id', 'round_id', 'unit_id', 'category_id', 'band',
                               'conference_id'],
}


def _see_every_row():
    if op.get_bind().dialect.name == "postgresql":
        # The owner is bound by the forced row-level security too: see every row to update it.
        op.execute("SELECT set_config('app.crossing', 'on', true)")


def upgrade():
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certified', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        for name in OLD_INDEXES:
            batch_op.drop_index(name)
    _see_every_row()
    op.execute("UPDATE results SET certified = true WHERE conference_id IN"
               " (SELECT id FROM conferences WHERE status = 'certified')")
    for name, columns in INDEXES.items():
        op.create_index(name, 'results', columns)
    # Progress reads each unit's conferences of the round: one index for all of it, where
    # SQLite without statistics could otherwise pick the province's index and scan thousands.
    op.create_index('ix_conferences_round_unit', 'conferences',
                    ['province_id', 'round_id', 'unit_id', 'status'])


def downgrade():
    op.drop_index('ix_conferences_round_unit', table_name='conferences')
    for name in INDEXES:
        op.drop_index(name, table_name='results')
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.drop_column('certified')
        for name, columns in OLD_INDEXES.items():
            batch_op.create_index(name, columns)
