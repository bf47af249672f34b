"""results carry what the roll-up reads

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 09:30:44.062445

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


NEW_COLUMNS = [
    ('round_id', sa.Uuid()), ('category_id', sa.Uuid()), ('full_name', sa.String(length=200)),
    ('post', sa.String(length=255)), ('cadre_code', sa.String(length=40)),
    ('band', sa.String(length=16)), ('severity', sa.Integer()), ('low_share', sa.Integer()),
    ('high_tenth', sa.Integer()), ('confidence_tenth', sa.Integer()),
    ('low_tenth', sa.Integer()),
]


def _tenth(column: str) -> str:
    return (f"CASE WHEN collected <= 0 THEN 0 WHEN 10 * {column} / collected > 9 THEN 9"
            f" ELSE 10 * {column} / collected END")


BAND = ("CASE WHEN collected > 0 AND 3 * low >= 2 * collected THEN '{a}'"
        " WHEN 2 * low > collected THEN '{b}' ELSE '{c}' END")
# Results counted before this revision get the same values counting.services now records.
BACKFILL = f"""
UPDATE results SET
  round_id = (SELECT c.round_id FROM conferences c WHERE c.id = results.conference_id),
  category_id = (SELECT n.category_id FROM nominees n WHERE n.id = results.nominee_id),
  full_name = (SELECT n.full_name FROM nominees n WHERE n.id = results.nominee_id),
  post = (SELECT n.post FROM nominees n WHERE n.id = results.nominee_id),
  cadre_code = (SELECT n.cadre_code FROM nominees n WHERE n.id = results.nominee_id),
  band = {BAND.format(a='two_thirds_low', b='over_half_low', c='normal')},
  severity = {BAND.format(a='0', b='1', c='2').replace("'", "")},
  low_share = CASE WHEN collected > 0 THEN 10000 * low / collected ELSE 0 END,
  high_tenth = {_tenth('high')}, confidence_tenth = {_tenth('confidence')},
  low_tenth = {_tenth('low')}
"""


def upgrade():
    with op.batch_alter_table('results', schema=None) as batch_op:
        for name, kind in NEW_COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        # The owner is bound by the forced row-level security too: see every row to update it.
        op.execute("SELECT set_config('app.crossing', 'on', true)")
    op.execute(BACKFILL)
    with op.batch_alter_table('results', schema=None) as batch_op:
        for name, kind in NEW_COLUMNS:
            batch_op.alter_column(name, existing_type=kind, nullable=False)
        batch_op.create_index('ix_results_rollup_cadre', ['province_id', 'round_id', 'cadre_code', 'conference_id'], unique=False)
        batch_op.create_index('ix_results_rollup_tenths', ['province_id', 'round_id', 'high_tenth', 'confidence_tenth', 'low_tenth', 'conference_id'], unique=False)
        batch_op.create_index('ix_results_rollup_order', ['province_id', 'round_id', 'severity', 'low_share', 'full_name'], unique=False)
        batch_op.create_index('ix_results_rollup_unit', ['province_id', 'round_id', 'unit_id', 'category_id', 'band', 'conference_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_results_province_id_round_id_rounds'), 'rounds', ['province_id', 'round_id'], ['province_id', 'id'])


def downgrade():
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_results_province_id_round_id_rounds'), type_='foreignkey')
        batch_op.drop_index('ix_results_rollup_unit')
        batch_op.drop_index('ix_results_rollup_order')
        batch_op.drop_index('ix_results_rollup_cadre')
        batch_op.drop_index('ix_results_rollup_tenths')
        batch_op.drop_column('low_tenth')
        batch_op.drop_column('confidence_tenth')
        batch_op.drop_column('high_tenth')
        batch_op.drop_column('low_share')
        batch_op.drop_column('severity')
        batch_op.drop_column('band')
        batch_op.drop_column('cadre_code')
        batch_op.drop_column('post')
        batch_op.drop_column('full_name')
        batch_op.drop_column('category_id')
        batch_op.drop_column('round_id')

