"""the province's cadre registry replaces the cross-unit place claim

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

A unit used to claim one of a cadre's two places itself, through a unique key spanning
units: adding a cadre told it whether another unit had them, and let it take a place another
unit needed. The province now says which unit may list whom (cadre_entries), units ask for
more (cadre_requests). Every cadre on a live ballot keeps its place as a registry entry.
"""
import uuid

import sqlalchemy as sa
from alembic import op

from tinnhiem.platform import rls

NEW_TABLES = ["cadre_entries", "cadre_requests"]

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

conferences = sa.table("conferences", sa.column("id", sa.Uuid), sa.column("round_id", sa.Uuid),
                       sa.column("status", sa.String), sa.column("unit_id", sa.Uuid))
nominees = sa.table("nominees", sa.column("id", sa.Uuid), sa.column("conference_id", sa.Uuid),
                    sa.column("cadre_code", sa.String), sa.column("full_name", sa.String),
                    sa.column("post", sa.String), sa.column("exemption", sa.String),
                    sa.column("unit_id", sa.Uuid), sa.column("province_id", sa.Uuid))


def _see_every_row():
    if op.get_bind().dialect.name == "postgresql":
        # The owner is bound by the forced row-level security too: see every row to copy it.
        op.execute("SELECT set_config('app.crossing', 'on', true)")


def _live_places():
    """Each cadre on the ballot of a conference not annulled, one row per (round, cadre,
    unit), numbered 1, 2 per (round, cadre) as the old claim allowed at most two."""
    rows = op.get_bind().execute(
        sa.select(conferences.c.round_id, nominees.c.cadre_code, nominees.c.unit_id,
                  nominees.c.province_id, nominees.c.full_name, nominees.c.post,
                  nominees.c.id, conferences.c.id.label("conference_id"))
        .join(conferences, conferences.c.id == nominees.c.conference_id)
        .where(conferences.c.status != "annulled", nominees.c.exemption.is_(None))
        .order_by(conferences.c.round_id, nominees.c.cadre_code, nominees.c.unit_id)).all()
    places, slots = {}, {}
    for row in rows:
        key = (row.round_id, row.cadre_code, row.unit_id)
        if key not in places:
            slot = slots[key[:2]] = slots.get(key[:2], 0) + 1
            places[key] = (row, slot)
    return places.values()


def _tenant_columns():
    return [sa.Column('unit_id', sa.Uuid(), nullable=False),
            sa.Column('province_id', sa.Uuid(), nullable=False)]


def _tenant_keys(table):
    return [sa.ForeignKeyConstraint(['province_id', 'round_id'], ['rounds.province_id', 'rounds.id'], name=op.f(f'fk_{table}_province_id_round_id_rounds')),
            sa.ForeignKeyConstraint(['province_id', 'unit_id'], ['units.province_id', 'units.id'], name=op.f(f'fk_{table}_province_id_unit_id_units')),
            sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
            sa.UniqueConstraint('unit_id', 'id', name=op.f(f'uq_{table}_unit_id_id'))]


def _indexes(table):
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in ('province_id', 'round_id', 'unit_id'):
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)


def upgrade():
    entries = op.create_table('cadre_entries',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('round_id', sa.Uuid(), nullable=False),
    sa.Column('cadre_code', sa.String(length=40), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('post', sa.String(length=255), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    *_tenant_columns(),
    sa.CheckConstraint('slot IN (1, 2)', name=op.f('ck_cadre_entries_slot')),
    *_tenant_keys('cadre_entries'),
    sa.UniqueConstraint('round_id', 'cadre_code', 'slot', name=op.f('uq_cadre_entries_round_id_cadre_code_slot')),
    sa.UniqueConstraint('round_id', 'cadre_code', 'unit_id', name=op.f('uq_cadre_entries_round_id_cadre_code_unit_id'))
    )
    _indexes('cadre_entries')
    op.create_table('cadre_requests',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('round_id', sa.Uuid(), nullable=False),
    sa.Column('cadre_code', sa.String(length=40), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('post', sa.String(length=255), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decision_note', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    *_tenant_columns(),
    sa.CheckConstraint("status IN ('pending', 'approved', 'declined')", name=op.f('ck_cadre_requests_status')),
    *_tenant_keys('cadre_requests'),
    )
    _indexes('cadre_requests')
    for table in NEW_TABLES:
        rls.enable_tenant_rls(table, "unit")
    rls.grant_app_role(NEW_TABLES)

    _see_every_row()
    op.bulk_insert(entries, [
        {"id": uuid.uuid4(), "round_id": row.round_id, "cadre_code": row.cadre_code,
         "full_name": row.full_name, "post": row.post, "slot": slot, "unit_id": row.unit_id,
         "province_id": row.province_id} for row, slot in _live_places()])
    rls.disable_tenant_rls('cadre_places')
    op.drop_table('cadre_places')


def downgrade():
    places = op.create_table('cadre_places',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('round_id', sa.Uuid(), nullable=False),
    sa.Column('cadre_code', sa.String(length=40), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('nominee_id', sa.Uuid(), nullable=False),
    *_tenant_columns(),
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
    rls.enable_tenant_rls('cadre_places', "unit")
    rls.grant_app_role(['cadre_places'])

    _see_every_row()
    # One live ballot per unit and at most two units per cadre: the old claim's two slots.
    op.bulk_insert(places, [
        {"id": uuid.uuid4(), "round_id": row.round_id, "cadre_code": row.cadre_code,
         "slot": slot, "nominee_id": row.id, "unit_id": row.unit_id,
         "province_id": row.province_id} for row, slot in _live_places()])
    for table in NEW_TABLES:
        rls.disable_tenant_rls(table)
        for column in ('unit_id', 'round_id', 'province_id'):
            op.drop_index(op.f(f'ix_{table}_{column}'), table_name=table)
        op.drop_table(table)
