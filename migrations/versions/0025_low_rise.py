"""a cadre's history: the round's low-rise threshold and the results by cadre code

Revision ID: 0025_low_rise
Revises: 0021_given_name_order
Create Date: 2026-12-03

Issue #17: each person voted on has a history page, read by cadre code across every round of
the province. `rounds.low_rise_points` (whole percentage points, 0..100, default 10) is how
far a person's share of low confidence may rise since their previous certified round before
the roll-up flags them. `ix_results_cadre` finds a code's results in every round (the
roll-up's indexes all lead with the round); unit_id is in it for the row-level security
check of a unit's scope.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025_low_rise'
down_revision = '0024_followups'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rounds') as batch_op:
        batch_op.add_column(sa.Column('low_rise_points', sa.Integer(), server_default='10',
                                      nullable=False))
        batch_op.create_check_constraint('low_rise_range', 'low_rise_points BETWEEN 0 AND 100')
    op.create_index('ix_results_cadre', 'results',
                    ['province_id', 'cadre_code', 'certified', 'unit_id'])


def downgrade():
    op.drop_index('ix_results_cadre', table_name='results')
    with op.batch_alter_table('rounds') as batch_op:
        batch_op.drop_constraint('low_rise_range', type_='check')
        batch_op.drop_column('low_rise_points')
