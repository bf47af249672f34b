"""The province's dashboard of a round as a page: progress, results under filters, charts,
the people voted on in two places. Rendered for a round of the province (rollup.views) and
for a predecessor's round read in its history scope (rollup.history_views)."""
from urllib.parse import urlencode

from flask import render_template, request
from flask_babel import lazy_gettext as _l

from tinnhiem.cadres.charts import signed
from tinnhiem.counting.bands import BAND_LABELS, band_label, consequence
from tinnhiem.followup import services as followup
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.forms import whole_number
from tinnhiem.rollup import charts, services
from tinnhiem.rollup import progress as round_progress
from tinnhiem.rollup.filters import filters_from
from tinnhiem.tenants.services import get_unit

SORT_LABELS = {"band": _l("Mức (nghiêm trọng trước)"), "name": _l("Họ và tên"),
               "unit": _l("Đơn vị"), "low_share": _l("Tỷ lệ tín nhiệm thấp")}
STATE_LABELS = {round_progress.DONE: _l("Đã hoàn thành"),
                round_progress.IN_PROGRESS: _l("Đang thực hiện"),
                round_progress.NOT_STARTED: _l("Chưa thực hiện")}
# Each level's histogram: its title, the axis of shares, its colour.
SHARE_CHARTS = {
    "high": (_l("Số người theo tỷ lệ tín nhiệm cao"), _l("Tỷ lệ phiếu tín nhiệm cao (%)"),
             "#2e7d32"),
    "confidence": (_l("Số người theo tỷ lệ tín nhiệm"), _l("Tỷ lệ phiếu tín nhiệm (%)"),
                   "#1565c0"),
    "low": (_l("Số người theo tỷ lệ tín nhiệm thấp"), _l("Tỷ lệ phiếu tín nhiệm thấp (%)"),
            "#c62828")}
CHART_UNITS = 30
PROGRESS_ROWS = 100
PAIR_ROWS = 50
ROWS_PER_PAGE = 50  # a phone scrolls through fifty people, not hundreds
PAGES = ("page", "units_page")
FILTER_KEYS = ("unit_id", "unit_name", "type_id", "category_id", "band", "sort", "rising")


def page_number(args, name) -> int:
    number = whole_number(args.get(name) or "1", 7)
    if number is None or not 1 <= number <= 1_000_000:
        raise ServiceError("invalid_page", _l("Số trang không hợp lệ."), field=name)
    return number


def query_with(name, value) -> str:
    """This page's query string with `name` set to `value` (or dropped, for None); a change
    of filter starts the results again from their first page."""
    args = {k: v for k, v in request.args.items()
            if v and k != name and k in FILTER_KEYS + PAGES}
    if name not in PAGES:
        args.pop("page", None)
    if value is not None:
        args[name] = value
    return urlencode(args)


def render_dashboard(session, round_, **shown):
    """The dashboard of `round_` read through `session` under the request's filters; `shown`
    adds what the page says around it (its data source; a predecessor's, for history)."""
    try:
        filters = filters_from(session, round_, request.args)
        page, units_page = (page_number(request.args, name) for name in ("page", "units_page"))
    except ServiceError as error:
        return render_template(
            "rollup/dashboard.html", error=error.message, export_args={}, report_args={},
            **shown,
            **_dashboard(session, round_, services.Filters(), 1, 1, shown.get("history"))), 422
    # the filters only: any other key would reach url_for (round_id=, _method=...)
    export_args = {k: v for k, v in request.args.items() if v and k in FILTER_KEYS}
    # The consolidated report is the round's official one: every low result under the other
    # filters, never only those who rose.
    report_args = {k: v for k, v in export_args.items() if k != "rising"}
    return render_template("rollup/dashboard.html", error=None, export_args=export_args,
                           report_args=report_args, **shown,
                           **_dashboard(session, round_, filters, page, units_page,
                                        shown.get("history")))


def _dashboard(session, round_, filters, page: int, units_page: int, history=None) -> dict:
    """What the dashboard shows: each figure from one service call."""
    progress = round_progress.progress(session, round_, limit=PROGRESS_ROWS,
                                 offset=(units_page - 1) * PROGRESS_ROWS)
    # Each figure summed in SQL from the counts kept per conference: what reaches Python does
    # not grow with the units (a province has thousands), the chart's thirty aside.
    per_unit = services.bands_per_unit(session, round_.id, filters, limit=CHART_UNITS)
    distribution = services.share_distribution(session, round_.id, filters)
    pair_codes = services.two_place_codes(session, round_.id)
    rows, pairs, listed = services.flagged_page(
        session, round_, filters, ROWS_PER_PAGE, (page - 1) * ROWS_PER_PAGE,
        pair_codes[:PAIR_ROWS])
    summary = services.summary(session, round_.id, filters)
    return dict(
        round=round_, filters=filters, chosen_unit=_chosen_unit(session, filters),
        # one aggregate query; a predecessor's follow-ups are its own (history reads none)
        followups=None if history else followup.status_counts(session, round_.id),
        summary=summary, rows=rows, listed=summary["total"] if listed is None else listed,
        page=page, page_size=ROWS_PER_PAGE, units_page=units_page, query_with=query_with,
        progress=progress, progress_rows=PROGRESS_ROWS,
        pairs=pairs,
        pair_count=len(pair_codes), types=round_progress.unit_types_of(session, round_.id),
        categories=round_.categories, bands=services.BANDS, band_labels=BAND_LABELS,
        sort_labels=SORT_LABELS, state_labels=STATE_LABELS, band_label=band_label,
        consequence=consequence, signed=signed,
        # the units most affected: a province has thousands, a chart stays readable
        unit_chart=charts.bands_per_unit(per_unit, str(_l("Số người theo mức, từng đơn vị"))),
        chart_units=CHART_UNITS, unit_count=services.unit_count(session, round_.id, filters),
        share_charts=[charts.histogram(distribution[level], str(title), str(axis), colour)
                      for level, (title, axis, colour) in SHARE_CHARTS.items()],
        progress_chart=charts.progress_line(
            round_progress.certified_over_time(session, round_.id), progress["participating"],
            str(_l("Hội nghị đã chứng nhận theo thời gian"))),
    )


def _chosen_unit(session, filters):
    """The unit a drill-down chose, to name it above the results."""
    return get_unit(session, filters.unit_id) if filters.unit_id else None
