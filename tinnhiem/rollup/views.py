"""The province's dashboard for a round: progress, results under filters, charts, the people
voted on in two places, and the consolidated report."""
from flask import Blueprint, Response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tinnhiem.conferences.services import status_label
from tinnhiem.counting.bands import BAND_LABELS, band_label, consequence
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.auth.roles import PROVINCE_ROLES
from tinnhiem.platform.db import db
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.web import found_or_404
from tinnhiem.rollup import charts, services
from tinnhiem.rollup.documents import report_pdf, report_xlsx
from tinnhiem.rounds import services as rounds
from tinnhiem.tenants.services import as_uuid

bp = Blueprint("rollup", __name__, url_prefix="/rounds")
SORT_LABELS = {"band": _l("Mức (nghiêm trọng trước)"), "name": _l("Họ và tên"),
               "unit": _l("Đơn vị"), "low_share": _l("Tỷ lệ tín nhiệm thấp")}
STATE_LABELS = {services.DONE: _l("Đã hoàn thành"), services.IN_PROGRESS: _l("Đang thực hiện"),
                services.NOT_STARTED: _l("Chưa thực hiện")}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_UNITS = 30
PROGRESS_ROWS = 100
PAIR_ROWS = 50


def filters_from(args) -> services.Filters:
    """Filters from a query string; an id that is not one is refused, not ignored."""
    def optional_id(name):
        value = args.get(name) or None
        return as_uuid(value, name) if value else None

    return services.Filters(unit_id=optional_id("unit_id"), type_id=optional_id("type_id"),
                            category_id=optional_id("category_id"),
                            band=args.get("band") or None,
                            sort=args.get("sort") or "band").check()


def round_or_404(round_id):
    return found_or_404(rounds.round_for(db.session, current_user, round_id))


@bp.get("/<uuid:round_id>/rollup")
@require_roles(*PROVINCE_ROLES)
def dashboard(round_id):
    round_ = round_or_404(round_id)
    status = 200
    try:
        filters = filters_from(request.args)
    except ServiceError as error:
        filters, status = services.Filters(), 422
        error_message = error.message
    else:
        error_message = None
    progress = services.progress(db.session, round_)
    counts = services.counts_by_unit(db.session, round_.id, filters)
    per_unit = services.bands_per_unit(db.session, round_.id, filters, counts, CHART_UNITS)
    distribution = services.share_distribution(db.session, round_.id, filters)
    units = sorted((row["unit"] for row in progress["units"]), key=lambda u: u.name)
    types = services.unit_types_of(db.session, round_.id)
    return render_template(
        "rollup/dashboard.html", round=round_, filters=filters, error=error_message,
        summary=services.summary(db.session, round_.id, filters, counts),
        rows=services.result_rows(db.session, round_.id, filters),
        pairs=services.two_places(db.session, round_.id, PAIR_ROWS), progress=progress,
        units=units, types=types, categories=round_.categories, bands=services.BANDS,
        band_labels=BAND_LABELS, sort_labels=SORT_LABELS, state_labels=STATE_LABELS,
        band_label=band_label, consequence=consequence, status_label=status_label,
        page_size=services.PAGE,
        # the units most affected: a province has thousands, a chart stays readable
        unit_chart=charts.bands_per_unit(per_unit, str(_l("Số người theo mức, từng đơn vị"))),
        chart_units=CHART_UNITS, unit_count=len({key[0] for key in counts}),
        progress_rows=PROGRESS_ROWS, pair_rows=PAIR_ROWS,
        pair_count=services.two_place_count(db.session, round_.id),
        share_charts={level: charts.histogram(counts, str(label), colour) for (level, counts), label,
                      colour in zip(distribution.items(),
                                    (_l("Tỷ lệ tín nhiệm cao"), _l("Tỷ lệ tín nhiệm"),
                                     _l("Tỷ lệ tín nhiệm thấp")),
                                    ("#2e7d32", "#1565c0", "#c62828"))},
        progress_chart=charts.progress_line(
            services.certified_over_time(db.session, round_.id), len(progress["units"]),
            str(_l("Hội nghị đã chứng nhận theo thời gian"))),
        export_args={k: v for k, v in request.args.items() if v} if status == 200 else {},
    ), status


def _document(round_id, render, mimetype, extension):
    round_ = round_or_404(round_id)
    filters = filters_from(request.args)
    name = f"tong-hop-{round_.year}.{extension}"
    return Response(render(db.session, round_, filters), mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.get("/<uuid:round_id>/rollup.pdf")
@require_roles(*PROVINCE_ROLES)
def report(round_id):
    return _document(round_id, report_pdf, "application/pdf", "pdf")


@bp.get("/<uuid:round_id>/rollup.xlsx")
@require_roles(*PROVINCE_ROLES)
def table(round_id):
    return _document(round_id, report_xlsx, XLSX, "xlsx")

