"""/api/v1/rounds/<id>/rollup: the same roll-up as the province's dashboard."""
from flask_smorest import Blueprint

from tinnhiem.counting.bands import reported
from tinnhiem.platform.api import document_errors, document_responses
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.read_replica import read_source
from tinnhiem.platform.web import PDF, XLSX
from tinnhiem.rollup import services
from tinnhiem.rollup import progress as round_progress
from tinnhiem.rollup.access import READERS, round_or_404
from tinnhiem.rollup.documents import report_pdf, report_xlsx
from tinnhiem.rollup.downloads import serve_document
from tinnhiem.rollup.schemas import RollupQuerySchema, RollupSchema

blp = Blueprint("rollup_api", __name__, url_prefix="/rounds",
                description="The province's consolidated view of a round (certified results)")


def _row(row) -> dict:
    return {**{k: v for k, v in vars(row).items() if k != "result_id"}, **reported(row)}


def _progress(progress) -> dict:
    return {**progress["totals"], "participating": progress["participating"],
            "overdue_units": progress["overdue_units"],
            "units": [{"unit_id": p["unit"].id, "unit_name": p["unit"].name, "state": p["state"],
                       "conferences": [{"id": str(c.id), "title": c.title, "status": c.status}
                                       for c in p["conferences"]],
                       "overdue_categories": [c.name for c in p["overdue"]]}
                      for p in progress["units"]]}


@blp.get("/<uuid:round_id>/rollup")
@require_roles(*READERS)
@blp.arguments(RollupQuerySchema, location="query")
@blp.response(200, RollupSchema)
@document_errors(blp, 401, 404, 422)
def rollup(query, round_id):
    """Progress, the certified results under the filters (a page of rows), and the people
    voted on in two places."""
    round_ = round_or_404(round_id)
    with read_source() as source:
        return rollup_of(source, round_, query)


def rollup_of(source, round_, query) -> dict:
    session = source.session
    filters = services.make_filters(session, round_.id, **{k: query.get(k) for k in (
        "unit_id", "type_id", "category_id", "band", "sort", "unit_name", "rising")})
    progress = round_progress.progress(session, round_, limit=query["units_limit"],
                                 offset=query["units_offset"])
    codes = services.two_place_codes(session, round_.id)
    shown = codes[query["pairs_offset"]:query["pairs_offset"] + query["pairs_limit"]]
    rows, pairs, listed = services.flagged_page(session, round_, filters, query["limit"],
                                                query["offset"], shown)
    summary = services.summary(session, round_.id, filters)
    return {"summary": summary,
            "progress": _progress(progress),
            "rows": [_row(r) for r in rows],
            "row_count": summary["total"] if listed is None else listed,
            "two_place_count": len(codes),
            "two_places": [[_row(r) for r in pair] for pair in pairs],
            "data_source": source.as_json()}


DOCUMENT = document_responses(PDF, XLSX)


@blp.get("/<uuid:round_id>/rollup.pdf")
@require_roles(*READERS)
@blp.arguments(RollupQuerySchema, location="query")
@blp.doc(responses=DOCUMENT)
@document_errors(blp, 401, 404, 422)
def report(_query, round_id):
    """The consolidated report for the Standing Committee."""
    return serve_document(round_id, report_pdf, PDF, "pdf")


@blp.get("/<uuid:round_id>/rollup.xlsx")
@require_roles(*READERS)
@blp.arguments(RollupQuerySchema, location="query")
@blp.doc(responses=DOCUMENT)
@document_errors(blp, 401, 404, 422)
def table(_query, round_id):
    """Every certified result of the round under the filters, as a spreadsheet."""
    return serve_document(round_id, report_xlsx, XLSX, "xlsx")
