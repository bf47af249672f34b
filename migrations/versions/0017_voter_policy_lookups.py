"""a voter's policy on marks and sheet totals looks up the one parent

Revision ID: 0017_voter_policy_lookups
Revises: 0016_rollup_counts
Create Date: 2026-12-02

Revision 0015 kept, under a voter's scope, the ballot marks and sheet totals whose parent is
of the voter's conference as `ballot_id IN (SELECT id FROM ballots WHERE conference_id = …)`:
PostgreSQL checks each row written against a hash of every ballot of the conference, built
per statement, so a ballot cast late in a large vote paid for every ballot before it
(bench/casting_bench.py). The same rule as an EXISTS on the parent's primary key costs one
index lookup a row, whatever the size of the vote. Nothing else changes.
"""
from tinnhiem.platform import rls

# revision identifiers, used by Alembic.
revision = '0017_voter_policy_lookups'
down_revision = '0016_rollup_counts'
branch_labels = None
depends_on = None


def _of_conference(table, column, parent):
    return (f"EXISTS (SELECT 1 FROM {parent} WHERE {parent}.id = {table}.{column}"
            f" AND {parent}.conference_id = {{conference}})")


LOOKUPS = {
    "ballot_marks": _of_conference("ballot_marks", "ballot_id", "ballots") + " AND "
                    + _of_conference("ballot_marks", "nominee_id", "nominees"),
    "sheet_totals": _of_conference("sheet_totals", "sheet_id", "tally_sheets") + " AND "
                    + _of_conference("sheet_totals", "nominee_id", "nominees"),
}
# Revision 0015's, restored on downgrade.
SUBQUERIES = {
    "ballot_marks": "ballot_id IN (SELECT id FROM ballots WHERE conference_id = {conference})"
                    " AND nominee_id IN (SELECT id FROM nominees"
                    " WHERE conference_id = {conference})",
    "sheet_totals": "sheet_id IN (SELECT id FROM tally_sheets"
                    " WHERE conference_id = {conference})"
                    " AND nominee_id IN (SELECT id FROM nominees"
                    " WHERE conference_id = {conference})",
}


def _narrow(rules):
    for table, rows in rules.items():
        rls.unnarrow_from_conference(table)
        rls.narrow_to_conference(table, rows)


def upgrade():
    _narrow(LOOKUPS)


def downgrade():
    _narrow(SUBQUERIES)
