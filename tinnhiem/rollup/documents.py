"""The consolidated report for the Standing Committee (báo cáo tổng hợp kết quả lấy phiếu tín
nhiệm) as PDF, and the full result table as XLSX, streamed so memory stays flat however many
rows a province has. The PDF is an official document, always in Vietnamese; the spreadsheet,
a working table, speaks the interface's language."""
from flask_babel import gettext as _
from flask_babel import lazy_pgettext as _p

from tinnhiem.counting.bands import OVER_HALF, TWO_THIRDS, band_label, consequence
from tinnhiem.counting.documents import FIGURE_COLUMNS
from tinnhiem.platform.formats import locality
from tinnhiem.platform.pdf import render_pdf
from tinnhiem.platform.xlsx_export import DATE, DECIMAL, Column, write_table
from tinnhiem.rollup import services
from tinnhiem.rollup import progress as round_progress
from tinnhiem.rollup.table_rows import table_rows
from tinnhiem.tenants.services import get_unit, today

COLUMNS = (  # heading (in the context "column": its English differs), width, kind
    Column(_p("column", "Đơn vị"), 28),
    Column(_p("column", "Loại đơn vị"), 18),
    Column(_p("column", "Hội nghị"), 30),
    Column(_p("column", "Ngày"), 11, DATE),
    Column(_p("column", "Họ và tên"), 24),
    Column(_p("column", "Chức vụ"), 28),
    Column(_p("column", "Nhóm chức danh"), 22),
    *FIGURE_COLUMNS,
    Column(_p("column", "Tỷ lệ thấp thay đổi so với đợt trước (điểm %)"), 16, DECIMAL),
    Column(_p("column", "Tăng quá ngưỡng"), 12),
    Column(_p("column", "Đơn vị kế thừa"), 28))


def report_pdf(session, round_, filters) -> bytes:
    low = [row for b in (TWO_THIRDS, OVER_HALF) for row in services.result_rows(
        session, round_.id, services.Filters(**{**vars(filters), "band": b}), limit=None)]
    counts = services.counts_by_unit(session, round_.id, filters)  # one pass for both
    province = get_unit(session, round_.province_id)
    return render_pdf(
        "rollup/report_pdf.html", round=round_, province=province,
        locality=locality(province.name), issued_on=today(),
        summary=services.summary(session, round_.id, filters, counts),
        per_unit=services.bands_per_unit(session, round_.id, filters, counts), low=low,
        pairs=services.two_places(session, round_.id,
                                  services.two_place_codes(session, round_.id)),
        progress=round_progress.progress(session, round_, limit=0), band_label=band_label,
        consequence=consequence)


def report_xlsx(session, round_, filters):
    """Every row under the filters, streamed: memory holds one batch of rows at a time. The
    workbook is an open temporary file (platform.xlsx_export)."""
    labels = {b: band_label(b) for b in services.BANDS}  # looked up once, not per row
    rows = table_rows(session, round_, filters, labels, _("Tăng quá %(n)d điểm %%",
                                                          n=round_.low_rise_points))
    return write_table(_("Tổng hợp"), COLUMNS, rows, lines=[(round_.name, round_.plan_reference)])
