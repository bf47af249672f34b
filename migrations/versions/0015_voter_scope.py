"""a voter's scope: one conference of one unit

Revision ID: 0015_voter_scope
Revises: 0014
Create Date: 2026-12-02

An anonymous voter's request (a voting link) and a person's own result link were bound to
their unit's whole scope, so a fault in a voter's page could read every conference of the
unit. The scope now names the one conference (tenants.voter_scope), signed with the rest
(app.conference_id), and a restrictive policy on every unit-owned table keeps, under such a
scope, only that conference's rows: by its id, by conference_id, or through the parents a
row has (a ballot's marks, a sheet's totals); a unit row of no conference is not seen. The
ORM applies the same rule (tenants.conference_rows). Nothing changes for any other scope.
"""
from tinnhiem.platform import rls

# revision identifiers, used by Alembic.
revision = '0015_voter_scope'
down_revision = '0014'
branch_labels = None
depends_on = None

BY_CONFERENCE = "conference_id = {conference}"
CONFERENCE_ROWS = {
    "conferences": "id = {conference}",
    "nominees": BY_CONFERENCE,
    "summoned_voters": BY_CONFERENCE,
    "polls": BY_CONFERENCE,
    "vote_codes": BY_CONFERENCE,
    "tally_sheets": BY_CONFERENCE,
    "ballots": BY_CONFERENCE,
    "results": BY_CONFERENCE,
    "certifications": BY_CONFERENCE,
    "ballot_marks": "ballot_id IN (SELECT id FROM ballots WHERE conference_id = {conference})"
                    " AND nominee_id IN (SELECT id FROM nominees"
                    " WHERE conference_id = {conference})",
    "sheet_totals": "sheet_id IN (SELECT id FROM tally_sheets"
                    " WHERE conference_id = {conference})"
                    " AND nominee_id IN (SELECT id FROM nominees"
                    " WHERE conference_id = {conference})",
    # A unit's rows of no conference: a voter sees none of them.
    "units": "false",
    "unit_successions": "false",
    "round_units": "false",
    "cadre_entries": "false",
    "cadre_requests": "false",
}


def upgrade():
    rls.create_conference_setting()
    for table, rows in CONFERENCE_ROWS.items():
        rls.narrow_to_conference(table, rows)


def downgrade():
    for table in CONFERENCE_ROWS:
        rls.unnarrow_from_conference(table)
    rls.drop_conference_setting()
