"""/api/v1/cadres/<code>: a cadre's history, as the page shows it."""
from flask_smorest import Blueprint

from tinnhiem.cadres.access import READERS, history_or_404
from tinnhiem.cadres.schemas import CadreHistorySchema
from tinnhiem.counting.bands import reported
from tinnhiem.platform.api import document_errors
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.db import db

blp = Blueprint("cadres_api", __name__, url_prefix="/cadres",
                description="A cadre's certified results across rounds, units and provinces")


def history_json(history) -> dict:
    return {"cadre_code": history.cadre_code, "full_name": history.full_name,
            "post": history.post,
            "rows": [{**{name: getattr(row, name) for name in (
                "round_id", "round_name", "round_year", "unit_id", "unit_name", "unit_valid_to",
                "conference_id", "conference_title", "held_on", "full_name", "post")},
                "historical_source": row.source, "low_change": row.low_change_points,
                **reported(row)} for row in history.rows]}


@blp.get("/<cadre_code>")
@require_roles(*READERS)
@blp.response(200, CadreHistorySchema)
@document_errors(blp, 400, 401, 404, 422)
def history(cadre_code):
    """Every certified result of the cadre code the caller may read (the province: every
    unit's; a unit: its own), by round, with the change of the low share since the round
    before. 404 `cadre_not_found` when there is none, whoever else has the code."""
    return history_json(history_or_404(db.session, cadre_code))
