"""scanned paper ballots: uploads, their files until read, and the pages as read

Revision ID: 0020_scans
Revises: 0019_policies_trust_once
Create Date: 2026-12-03

Issue #16: the counting board uploads a scanner's PDF or photos of paper ballots; a job reads
them page by page. `scan_batches` is an upload and its progress, `scan_files` what arrived
(kept until read), `scan_pages` each page as read with its image and the image's SHA-256.
The images are ballots: unit rows with the same tenant columns and row-level security as the
ballots, and no row under a voter's scope. A board's decision on a row (`scan_decisions`) and
the blind check (`scan_checks`) are the unit's too. A sheet read from scans keeps the digest
of its pages' images (`tally_sheets.evidence_digest`), sealed with its ballots.
"""
import sqlalchemy as sa
from alembic import op

from tinnhiem.platform import rls

# revision identifiers, used by Alembic.
revision = '0020_scans'
down_revision = '0019_policies_trust_once'
branch_labels = None
depends_on = None

TABLES = ('scan_batches', 'scan_files', 'scan_pages', 'scan_decisions',
          'scan_checks')  # parents first
MARKS = ('high', 'confidence', 'low', 'blank', 'several', 'crossed')


def _owned(table, *columns, foreign=(), checks=(), uniques=()):
    """A unit-owned table: its columns, the tenant columns, UNIQUE(unit_id, id) and
    `foreign` as (columns, target table, target columns), each on the unit."""
    op.create_table(
        table,
        sa.Column('id', sa.Uuid(), nullable=False),
        *columns,
        sa.Column('unit_id', sa.Uuid(), nullable=False),
        sa.Column('province_id', sa.Uuid(), nullable=False),
        *(sa.CheckConstraint(check, name=op.f(f'ck_{table}_{name}')) for name, check in checks),
        *(sa.ForeignKeyConstraint(local, [f'{target}.{c}' for c in remote],
                                  name=op.f(f"fk_{table}_{'_'.join(local)}_{target}"),
                                  ondelete=ondelete)
          for local, target, remote, ondelete in foreign),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('unit_id', 'id', name=op.f(f'uq_{table}_unit_id_id')),
        *(sa.UniqueConstraint(*names, name=op.f(f"uq_{table}_{'_'.join(names)}"))
          for names in uniques),
    )
    indexed = [c.name for c in columns if c.name in ('conference_id', 'batch_id', 'page_id')]
    for name in indexed + ['province_id', 'unit_id']:
        op.create_index(op.f(f'ix_{table}_{name}'), table, [name])
    rls.enable_tenant_rls(table, "unit")
    rls.narrow_to_conference(table, "false")  # never a voter's
    rls.grant_app_role([table])


def upgrade():
    on_conference = (['unit_id', 'conference_id'], 'conferences', ['unit_id', 'id'], 'CASCADE')
    on_batch = (['unit_id', 'batch_id'], 'scan_batches', ['unit_id', 'id'], 'CASCADE')
    _owned('scan_batches',
           sa.Column('conference_id', sa.Uuid(), nullable=False),
           sa.Column('uploaded_by', sa.Uuid(), nullable=False),
           sa.Column('name', sa.String(200), nullable=False),
           sa.Column('status', sa.String(10), nullable=False),
           sa.Column('pages', sa.Integer(), nullable=False),
           sa.Column('pages_read', sa.Integer(), nullable=False),
           sa.Column('doubts', sa.Integer(), nullable=False),
           sa.Column('error_code', sa.String(40), nullable=True),
           sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
           foreign=(on_conference, (['uploaded_by'], 'accounts', ['id'], None)),
           checks=(('status', "status IN ('queued', 'reading', 'read', 'failed')"),
                   ('pages', 'pages >= 0 AND pages_read >= 0 AND pages_read <= pages')))
    _owned('scan_files',
           sa.Column('batch_id', sa.Uuid(), nullable=False),
           sa.Column('position', sa.Integer(), nullable=False),
           sa.Column('name', sa.String(200), nullable=False),
           sa.Column('data', sa.LargeBinary(), nullable=True),
           foreign=(on_batch,))
    _owned('scan_pages',
           sa.Column('batch_id', sa.Uuid(), nullable=False),
           sa.Column('conference_id', sa.Uuid(), nullable=False),
           sa.Column('position', sa.Integer(), nullable=False),
           sa.Column('status', sa.String(10), nullable=False),
           sa.Column('error_code', sa.String(40), nullable=True),
           sa.Column('page_number', sa.Integer(), nullable=True),
           sa.Column('page_count', sa.Integer(), nullable=True),
           sa.Column('rows', sa.JSON(), nullable=True),
           sa.Column('digest', sa.String(64), nullable=True),
           sa.Column('fingerprint', sa.LargeBinary(), nullable=True),
           sa.Column('duplicate_of', sa.Uuid(), nullable=True),
           sa.Column('image', sa.LargeBinary(), nullable=True),
           foreign=(on_batch, on_conference),
           checks=(('status', "status IN ('read', 'doubtful', 'duplicate', 'refused')"),),
           uniques=(('unit_id', 'batch_id', 'position'),))
    on_page = (['unit_id', 'page_id'], 'scan_pages', ['unit_id', 'id'], 'CASCADE')
    _owned('scan_decisions',
           sa.Column('page_id', sa.Uuid(), nullable=False),
           sa.Column('row_index', sa.Integer(), nullable=False),
           sa.Column('mark', sa.String(10), nullable=False),
           sa.Column('decided_by', sa.Uuid(), nullable=False),
           sa.Column('confirmed_by', sa.Uuid(), nullable=True),
           foreign=(on_page, (['decided_by'], 'accounts', ['id'], None),
                    (['confirmed_by'], 'accounts', ['id'], None)),
           checks=(('mark', f"mark IN {MARKS}"),
                   ('two_members', 'confirmed_by IS NULL OR confirmed_by <> decided_by')),
           uniques=(('unit_id', 'page_id', 'row_index'),))
    _owned('scan_checks',
           sa.Column('conference_id', sa.Uuid(), nullable=False),
           sa.Column('page_id', sa.Uuid(), nullable=False),
           sa.Column('keyed', sa.JSON(), nullable=True),
           sa.Column('keyed_by', sa.Uuid(), nullable=True),
           foreign=(on_page, on_conference, (['keyed_by'], 'accounts', ['id'], None)),
           uniques=(('unit_id', 'page_id'),))


    with op.batch_alter_table('conferences') as batch_op:
        batch_op.add_column(sa.Column('certified_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('rounds') as batch_op:
        batch_op.add_column(sa.Column('scan_retention_days', sa.Integer(), server_default='30',
                                      nullable=False))
        batch_op.create_check_constraint('scan_retention_range',
                                         'scan_retention_days BETWEEN 0 AND 3650')
    with op.batch_alter_table('tally_sheets') as batch_op:
        batch_op.add_column(sa.Column('evidence_digest', sa.String(64), nullable=True))
        batch_op.add_column(sa.Column('scan_figures', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('tally_sheets') as batch_op:
        batch_op.drop_column('scan_figures')
        batch_op.drop_column('evidence_digest')
    with op.batch_alter_table('rounds') as batch_op:
        batch_op.drop_constraint('scan_retention_range', type_='check')
        batch_op.drop_column('scan_retention_days')
    with op.batch_alter_table('conferences') as batch_op:
        batch_op.drop_column('certified_at')
    for table in reversed(TABLES):
        rls.unnarrow_from_conference(table)
        rls.disable_tenant_rls(table)
        op.drop_table(table)
