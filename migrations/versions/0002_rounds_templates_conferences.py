"""rounds, templates, conferences

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

"""
import sqlalchemy as sa
from alembic import op

from tinnhiem.platform import rls

PROVINCE_SHARED = ["ballot_templates", "rounds", "round_categories"]
UNIT_OWNED = ["round_units", "conferences", "nominees", "cadre_places", "summoned_voters"]


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ballot_templates',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('header', sa.Text(), nullable=False),
    sa.Column('high_label', sa.String(length=60), nullable=False),
    sa.Column('confidence_label', sa.String(length=60), nullable=False),
    sa.Column('low_label', sa.String(length=60), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=False),
    sa.Column('crossed_out_rule', sa.String(length=10), nullable=False),
    sa.Column('frozen', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("crossed_out_rule IN ('row', 'ballot')", name=op.f('ck_ballot_templates_crossed_out_rule')),
    sa.ForeignKeyConstraint(['province_id'], ['units.id'], name=op.f('fk_ballot_templates_province_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot_templates')),
    sa.UniqueConstraint('province_id', 'id', name=op.f('uq_ballot_templates_province_id_id')),
    sa.UniqueConstraint('province_id', 'version', name=op.f('uq_ballot_templates_province_id_version'))
    )
    with op.batch_alter_table('ballot_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_templates_province_id'), ['province_id'], unique=False)

    op.create_table('rounds',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('plan_reference', sa.String(length=120), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Uuid(), nullable=False),
    sa.Column('exempt_retirement_notice', sa.Boolean(), nullable=False),
    sa.Column('exempt_appointed_this_year', sa.Boolean(), nullable=False),
    sa.Column('dossier_days', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('dossier_days BETWEEN 0 AND 90', name=op.f('ck_rounds_dossier_days_range')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2200', name=op.f('ck_rounds_year_range')),
    sa.ForeignKeyConstraint(['province_id', 'template_id'], ['ballot_templates.province_id', 'ballot_templates.id'], name=op.f('fk_rounds_province_id_template_id_ballot_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rounds')),
    sa.UniqueConstraint('province_id', 'id', name=op.f('uq_rounds_province_id_id'))
    )
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rounds_province_id'), ['province_id'], unique=False)

    op.create_table('conferences',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('round_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=255), nullable=False),
    sa.Column('voting_body', sa.String(length=255), nullable=False),
    sa.Column('mode', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('summoned_count', sa.Integer(), nullable=True),
    sa.Column('present_count', sa.Integer(), nullable=True),
    sa.Column('template_id', sa.Uuid(), nullable=True),
    sa.Column('annul_reason', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("mode IN ('electronic', 'paper')", name=op.f('ck_conferences_mode')),
    sa.CheckConstraint("status IN ('draft', 'ready', 'open', 'closed', 'counted', 'certified', 'annulled')", name=op.f('ck_conferences_status')),
    sa.CheckConstraint('present_count IS NULL OR present_count >= 0', name=op.f('ck_conferences_present')),
    sa.CheckConstraint('summoned_count IS NULL OR summoned_count >= 0', name=op.f('ck_conferences_summoned')),
    sa.ForeignKeyConstraint(['province_id', 'round_id'], ['rounds.province_id', 'rounds.id'], name=op.f('fk_conferences_province_id_round_id_rounds')),
    sa.ForeignKeyConstraint(['province_id', 'template_id'], ['ballot_templates.province_id', 'ballot_templates.id'], name=op.f('fk_conferences_province_id_template_id_ballot_templates')),
    sa.ForeignKeyConstraint(['province_id', 'unit_id'], ['units.province_id', 'units.id'], name=op.f('fk_conferences_province_id_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conferences')),
    sa.UniqueConstraint('unit_id', 'id', name=op.f('uq_conferences_unit_id_id'))
    )
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conferences_province_id'), ['province_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conferences_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conferences_unit_id'), ['unit_id'], unique=False)

    op.create_table('round_categories',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('round_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['province_id', 'round_id'], ['rounds.province_id', 'rounds.id'], name=op.f('fk_round_categories_province_id_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_categories')),
    sa.UniqueConstraint('province_id', 'id', name=op.f('uq_round_categories_province_id_id')),
    sa.UniqueConstraint('province_id', 'round_id', 'name', name=op.f('uq_round_categories_province_id_round_id_name'))
    )
    with op.batch_alter_table('round_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_categories_province_id'), ['province_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_categories_round_id'), ['round_id'], unique=False)

    op.create_table('round_units',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('round_id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['province_id', 'round_id'], ['rounds.province_id', 'rounds.id'], name=op.f('fk_round_units_province_id_round_id_rounds')),
    sa.ForeignKeyConstraint(['province_id', 'unit_id'], ['units.province_id', 'units.id'], name=op.f('fk_round_units_province_id_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_units')),
    sa.UniqueConstraint('unit_id', 'round_id', name=op.f('uq_round_units_unit_id_round_id'))
    )
    with op.batch_alter_table('round_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_units_province_id'), ['province_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_units_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_units_unit_id'), ['unit_id'], unique=False)

    op.create_table('nominees',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('conference_id', sa.Uuid(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('cadre_code', sa.String(length=40), nullable=False),
    sa.Column('post', sa.String(length=255), nullable=False),
    sa.Column('category_id', sa.Uuid(), nullable=False),
    sa.Column('ballot_order', sa.Integer(), nullable=False),
    sa.Column('appointed_on', sa.Date(), nullable=True),
    sa.Column('retirement_notice', sa.Boolean(), nullable=False),
    sa.Column('exemption', sa.String(length=40), nullable=True),
    sa.Column('report_name', sa.String(length=255), nullable=True),
    sa.Column('report_pdf', sa.LargeBinary(), nullable=True),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('ballot_order > 0', name=op.f('ck_nominees_ballot_order')),
    sa.ForeignKeyConstraint(['province_id', 'category_id'], ['round_categories.province_id', 'round_categories.id'], name=op.f('fk_nominees_province_id_category_id_round_categories')),
    sa.ForeignKeyConstraint(['unit_id', 'conference_id'], ['conferences.unit_id', 'conferences.id'], name=op.f('fk_nominees_unit_id_conference_id_conferences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nominees')),
    sa.UniqueConstraint('unit_id', 'conference_id', 'cadre_code', name=op.f('uq_nominees_unit_id_conference_id_cadre_code')),
    sa.UniqueConstraint('unit_id', 'id', name=op.f('uq_nominees_unit_id_id'))
    )
    with op.batch_alter_table('nominees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nominees_conference_id'), ['conference_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nominees_province_id'), ['province_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nominees_unit_id'), ['unit_id'], unique=False)

    op.create_table('summoned_voters',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('conference_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id', 'conference_id'], ['conferences.unit_id', 'conferences.id'], name=op.f('fk_summoned_voters_unit_id_conference_id_conferences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_summoned_voters'))
    )
    with op.batch_alter_table('summoned_voters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_summoned_voters_conference_id'), ['conference_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_summoned_voters_province_id'), ['province_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_summoned_voters_unit_id'), ['unit_id'], unique=False)

    op.create_table('cadre_places',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('round_id', sa.Uuid(), nullable=False),
    sa.Column('cadre_code', sa.String(length=40), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('nominee_id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('slot IN (1, 2)', name=op.f('ck_cadre_places_slot')),
    sa.ForeignKeyConstraint(['province_id', 'round_id'], ['rounds.province_id', 'rounds.id'], name=op.f('fk_cadre_places_province_id_round_id_rounds')),
    sa.ForeignKeyConstraint(['unit_id', 'nominee_id'], ['nominees.unit_id', 'nominees.id'], name=op.f('fk_cadre_places_unit_id_nominee_id_nominees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cadre_places')),
    sa.UniqueConstraint('unit_id', 'nominee_id', name=op.f('uq_cadre_places_unit_id_nominee_id')),
    sa.UniqueConstraint('round_id', 'cadre_code', 'slot', name=op.f('uq_cadre_places_round_id_cadre_code_slot'))
    )
    with op.batch_alter_table('cadre_places', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cadre_places_province_id'), ['province_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cadre_places_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cadre_places_unit_id'), ['unit_id'], unique=False)

    rls.create_province_function()
    for table in PROVINCE_SHARED:
        rls.enable_tenant_rls(table, "province")
    for table in UNIT_OWNED:
        rls.enable_tenant_rls(table, "unit")
    rls.grant_app_role(PROVINCE_SHARED + UNIT_OWNED)


def downgrade():
    for table in PROVINCE_SHARED + UNIT_OWNED:
        rls.disable_tenant_rls(table)
    with op.batch_alter_table('cadre_places', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cadre_places_unit_id'))
        batch_op.drop_index(batch_op.f('ix_cadre_places_round_id'))
        batch_op.drop_index(batch_op.f('ix_cadre_places_province_id'))

    op.drop_table('cadre_places')
    with op.batch_alter_table('summoned_voters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_summoned_voters_unit_id'))
        batch_op.drop_index(batch_op.f('ix_summoned_voters_province_id'))
        batch_op.drop_index(batch_op.f('ix_summoned_voters_conference_id'))

    op.drop_table('summoned_voters')
    with op.batch_alter_table('nominees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nominees_unit_id'))
        batch_op.drop_index(batch_op.f('ix_nominees_province_id'))
        batch_op.drop_index(batch_op.f('ix_nominees_conference_id'))

    op.drop_table('nominees')
    with op.batch_alter_table('round_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_units_unit_id'))
        batch_op.drop_index(batch_op.f('ix_round_units_round_id'))
        batch_op.drop_index(batch_op.f('ix_round_units_province_id'))

    op.drop_table('round_units')
    with op.batch_alter_table('round_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_categories_round_id'))
        batch_op.drop_index(batch_op.f('ix_round_categories_province_id'))

    op.drop_table('round_categories')
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conferences_unit_id'))
        batch_op.drop_index(batch_op.f('ix_conferences_round_id'))
        batch_op.drop_index(batch_op.f('ix_conferences_province_id'))

    op.drop_table('conferences')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rounds_province_id'))

    op.drop_table('rounds')
    with op.batch_alter_table('ballot_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_templates_province_id'))

    op.drop_table('ballot_templates')
    rls.drop_province_function()
