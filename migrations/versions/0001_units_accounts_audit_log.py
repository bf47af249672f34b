"""units, accounts, audit log

Revision ID: 0001
Revises:
Create Date: 2026-11-25

"""
import sqlalchemy as sa
from alembic import op

from tinnhiem.platform import rls

UNIT_OWNED = ["units", "unit_successions"]


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=True),
    sa.Column('unit_id', sa.Uuid(), nullable=True),
    sa.Column('target', sa.String(length=80), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    sa.UniqueConstraint('entry_hash', name=op.f('uq_audit_log_entry_hash'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_province_id'), ['province_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_unit_id'), ['unit_id'], unique=False)

    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.Column('entries', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    op.create_table('unit_types',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_types')),
    sa.UniqueConstraint('code', name=op.f('uq_unit_types_code'))
    )
    op.create_table('units',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('type_id', sa.Uuid(), nullable=False),
    sa.Column('parent_id', sa.Uuid(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('unit_id = id', name=op.f('ck_units_owns_itself')),
    sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name=op.f('ck_units_valid_period')),
    sa.ForeignKeyConstraint(['province_id', 'parent_id'], ['units.province_id', 'units.id'], name=op.f('fk_units_province_id_parent_id_units')),
    sa.ForeignKeyConstraint(['province_id'], ['units.id'], name=op.f('fk_units_province_id_units')),
    sa.ForeignKeyConstraint(['type_id'], ['unit_types.id'], name=op.f('fk_units_type_id_unit_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('province_id', 'code', name=op.f('uq_units_province_id_code')),
    sa.UniqueConstraint('province_id', 'id', name=op.f('uq_units_province_id_id'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_units_province_id'), ['province_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_units_type_id'), ['type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_units_unit_id'), ['unit_id'], unique=False)

    op.create_table('accounts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=True),
    sa.Column('unit_id', sa.Uuid(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('totp_last_step', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("(role = 'operator' AND unit_id IS NULL AND province_id IS NULL) OR (role <> 'operator' AND unit_id IS NOT NULL AND province_id IS NOT NULL)", name=op.f('ck_accounts_bound_by_role')),
    sa.ForeignKeyConstraint(['province_id'], ['units.id'], name=op.f('fk_accounts_province_id_units')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_accounts_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('username', name=op.f('uq_accounts_username'))
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_province_id'), ['province_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_accounts_unit_id'), ['unit_id'], unique=False)

    op.create_table('unit_successions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('predecessor_id', sa.Uuid(), nullable=False),
    sa.Column('province_id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['predecessor_id'], ['units.id'], name=op.f('fk_unit_successions_predecessor_id_units')),
    sa.ForeignKeyConstraint(['province_id', 'unit_id'], ['units.province_id', 'units.id'], name=op.f('fk_unit_successions_province_id_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_successions')),
    sa.UniqueConstraint('unit_id', 'predecessor_id', name=op.f('uq_unit_successions_unit_id_predecessor_id'))
    )
    with op.batch_alter_table('unit_successions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_successions_predecessor_id'), ['predecessor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_successions_province_id'), ['province_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_successions_unit_id'), ['unit_id'], unique=False)

    rls.create_scope_functions()
    for table in UNIT_OWNED:
        rls.enable_tenant_rls(table, "directory")
    rls.grant_app_role(["unit_types", "accounts", "audit_head", *UNIT_OWNED],
                       append_only=["audit_log"],
                       sequences=["audit_log_id_seq"])
    # SQLite: the audit log is append-only there too.
    if op.get_bind().dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log"
                " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    for table in UNIT_OWNED:
        rls.disable_tenant_rls(table)
    with op.batch_alter_table('unit_successions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_successions_unit_id'))
        batch_op.drop_index(batch_op.f('ix_unit_successions_province_id'))
        batch_op.drop_index(batch_op.f('ix_unit_successions_predecessor_id'))

    op.drop_table('unit_successions')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_unit_id'))
        batch_op.drop_index(batch_op.f('ix_accounts_province_id'))

    op.drop_table('accounts')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_unit_id'))
        batch_op.drop_index(batch_op.f('ix_units_type_id'))
        batch_op.drop_index(batch_op.f('ix_units_province_id'))
        batch_op.drop_index(batch_op.f('ix_units_parent_id'))

    op.drop_table('units')
    op.drop_table('unit_types')
    op.drop_table('audit_head')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_unit_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_province_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')
    rls.drop_scope_functions()
