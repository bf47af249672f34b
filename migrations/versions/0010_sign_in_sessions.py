"""sign-in sessions the server can end

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27

A page session and an API token were signed values the server could not take back: a copied
cookie outlived sign-out and a token its revocation. Each is now a row (only a hash of its
secret is stored) that every request checks. Like accounts, the table is read before any
tenant scope exists, so it has no tenant columns and no row-level security policy.
"""
import sqlalchemy as sa
from alembic import op

from tinnhiem.platform import rls

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_sessions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('device', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('page', 'api')", name=op.f('ck_sign_in_sessions_kind')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_sign_in_sessions_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_sessions'))
    )
    with op.batch_alter_table('sign_in_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_sessions_account_id'), ['account_id'], unique=False)

    # DELETE: a sign-in removes its account's sessions that ended long ago.
    rls.grant_app_role(['sign_in_sessions'])


def downgrade():
    with op.batch_alter_table('sign_in_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_sessions_account_id'))

    op.drop_table('sign_in_sessions')
