"""a restored open vote is suspended

Revision ID: 0013_suspended_votes
Revises: 0012
Create Date: 2026-12-02

A backup taken while an electronic vote is open, once restored, has lost the ballots cast
after it and reads their codes as unused: the restore now puts such a vote in the new state
"suspended", where no code votes until the unit voids the unused codes and closes it, or
annuls it. A downgrade is refused while a vote is suspended: the older schema could only
call it open again, which re-opens spent codes.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_suspended_votes'
down_revision = '0012'
branch_labels = None
depends_on = None

BEFORE = ('draft', 'ready', 'open', 'closed', 'counted', 'certified', 'annulled')
AFTER = (*BEFORE, 'suspended')


def _allow(states) -> None:
    # On SQLite the batch recreates the table: env.py turns foreign keys off for the
    # migration, or dropping the old table would cascade into every conference's rows.
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_conferences_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_conferences_status'),
                                         sa.text(f"status IN {states}"))


def upgrade():
    _allow(AFTER)


def downgrade():
    suspended = op.get_bind().execute(sa.text(
        "SELECT count(*) FROM conferences WHERE status = 'suspended'")).scalar()
    if suspended:
        raise RuntimeError(f"{suspended} suspended vote(s): void and close or annul them"
                           " before downgrading")
    _allow(BEFORE)
