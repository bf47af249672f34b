"""follow-up of the low bands: what was decided about each person, with its history

Revision ID: 0024_followups
Revises: 0021_given_name_order
Create Date: 2026-12-03

Issue #17: for every person in "over half low" or "two thirds low" of a round's certified
results the province records what the competent authority did (a decision with its number
and date, or the reason nothing was done) and sets a deadline. `followups` holds one
person's current state (unit rows, one per result); `followup_steps` is its history, which
the app's role may only read and append to. Certified results are never written.
"""
import sqlalchemy as sa
from alembic import op

from tinnhiem.platform import rls
from tinnhiem.platform.collation import KEY_LENGTH

# revision identifiers, used by Alembic.
revision = '0024_followups'
down_revision = '0023_cadre_registry'
branch_labels = None
depends_on = None

STATES = "('pending', 'in_progress', 'decided', 'no_action')"
ACTIONS = "('relieved', 'dismissed', 'transferred', 'confidence_vote', 'other')"


def _tenant(table, *columns, constraints=(), indexed=()):
    op.create_table(
        table,
        sa.Column('id', sa.Uuid(), nullable=False),
        *columns,
        sa.Column('unit_id', sa.Uuid(), nullable=False),
        sa.Column('province_id', sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('unit_id', 'id', name=op.f(f'uq_{table}_unit_id_id')),
        *constraints,
    )
    for name in (*indexed, 'province_id', 'unit_id'):
        op.create_index(op.f(f'ix_{table}_{name}'), table, [name])
    rls.enable_tenant_rls(table, "unit")
    rls.narrow_to_conference(table, "false")  # never a voter's


def upgrade():
    key_type = sa.String(KEY_LENGTH).with_variant(sa.String(KEY_LENGTH, collation="C"),
                                                  "postgresql")
    _tenant(
        'followups',
        sa.Column('result_id', sa.Uuid(), nullable=False),
        sa.Column('round_id', sa.Uuid(), nullable=False),
        sa.Column('conference_id', sa.Uuid(), nullable=False),
        sa.Column('cadre_code', sa.String(40), nullable=False),
        sa.Column('full_name', sa.String(200), nullable=False),
        sa.Column('name_key', key_type, nullable=False),
        sa.Column('post', sa.String(255), nullable=False),
        sa.Column('severity', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(12), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
        constraints=(
            sa.UniqueConstraint('unit_id', 'result_id',
                                name=op.f('uq_followups_unit_id_result_id')),
            sa.ForeignKeyConstraint(['result_id'], ['results.id'], ondelete='CASCADE',
                                    name=op.f('fk_followups_result_id_results')),
            sa.ForeignKeyConstraint(['province_id', 'round_id'],
                                    ['rounds.province_id', 'rounds.id'],
                                    name=op.f('fk_followups_province_id_round_id_rounds')),
            sa.CheckConstraint(f"state IN {STATES}", name=op.f('ck_followups_state')),
            sa.CheckConstraint("severity IN (0, 1)", name=op.f('ck_followups_low_band')),
        ))
    op.create_index('ix_followups_round', 'followups',
                    ['province_id', 'round_id', 'state', 'deadline'])
    _tenant(
        'followup_steps',
        sa.Column('followup_id', sa.Uuid(), nullable=False),
        sa.Column('state', sa.String(12), nullable=False),
        sa.Column('action', sa.String(20), nullable=True),
        sa.Column('decision_number', sa.String(60), nullable=True),
        sa.Column('decision_date', sa.Date(), nullable=True),
        sa.Column('note', sa.String(2000), nullable=True),
        sa.Column('deadline', sa.Date(), nullable=True),
        sa.Column('actor_id', sa.Uuid(), nullable=False),
        sa.Column('actor_name', sa.String(200), nullable=False),
        sa.Column('at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
        constraints=(
            sa.ForeignKeyConstraint(['unit_id', 'followup_id'],
                                    ['followups.unit_id', 'followups.id'], ondelete='CASCADE',
                                    name=op.f('fk_followup_steps_unit_id_followup_id_followups')),
            sa.ForeignKeyConstraint(['actor_id'], ['accounts.id'],
                                    name=op.f('fk_followup_steps_actor_id_accounts')),
            sa.CheckConstraint(f"state IN {STATES}", name=op.f('ck_followup_steps_state')),
            sa.CheckConstraint(f"action IS NULL OR action IN {ACTIONS}",
                               name=op.f('ck_followup_steps_action')),
        ),
        indexed=('followup_id',))
    # The history is appended to, never rewritten, by the app's role.
    rls.grant_app_role(['followups'], append_only=['followup_steps'])


def downgrade():
    for table in ('followup_steps', 'followups'):
        rls.unnarrow_from_conference(table)
        rls.disable_tenant_rls(table)
        op.drop_table(table)
