"""/api/v1/history: what the signed-in unit or province succeeded (tenants.history), and the
roll-up of a predecessor's round, read-only, as the pages under /history show them."""
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from tinnhiem.platform.api import document_errors
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.db import db
from tinnhiem.platform.read_replica import Source
from tinnhiem.rollup.api import rollup_of
from tinnhiem.rollup.history import READERS, round_or_404, source_or_404, sources_and_rounds
from tinnhiem.rollup.schemas import RollupQuerySchema, RollupSchema
from tinnhiem.tenants.history import history_session

blp = Blueprint("history_api", __name__, url_prefix="/history",
                description="Certified results of the units and provinces the caller succeeded")


class HistoryRoundSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    year = fields.Integer()


class HistorySourceSchema(Schema):
    id = fields.UUID(attribute="key", metadata={
        "description": "The predecessor: a unit, or a province's root unit for all of it"})
    name = fields.String(metadata={"description": "Its name as it was"})
    whole_province = fields.Boolean()
    rounds = fields.List(fields.Nested(HistoryRoundSchema))


@blp.get("")
@require_roles(*READERS)
@blp.response(200, HistorySourceSchema(many=True))
@document_errors(blp, 401)
def sources():
    """Each predecessor the caller reads, with its rounds that have certified results."""
    return [{"key": source.key, "name": source.name, "whole_province": source.unit_id is None,
             "rounds": rounds} for source, rounds in sources_and_rounds(db.session)]


@blp.get("/<uuid:source_key>/rounds/<uuid:round_id>/rollup")
@require_roles(*READERS)
@blp.arguments(RollupQuerySchema, location="query")
@blp.response(200, RollupSchema)
@document_errors(blp, 401, 404, 422)
def rollup(query, source_key, round_id):
    """A predecessor's round as the roll-up shows it: certified results only."""
    source = source_or_404(db.session, source_key)
    with history_session(source) as past:
        return rollup_of(Source(past), round_or_404(past, round_id), query)
