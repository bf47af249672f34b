"""The consolidated report for the Standing Committee (báo cáo tổng hợp kết quả lấy phiếu tín
nhiệm) as PDF, and the full result table as XLSX, streamed so memory stays flat however many
rows a province has. The PDF is an official document, always in Vietnamese; the spreadsheet,
a working table, speaks the interface's language."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tinnhiem.counting.bands import OVER_HALF, TWO_THIRDS, band_label, consequence
from tinnhiem.platform.pdf import render_pdf
from tinnhiem.platform.xlsx_export import DATE, DECIMAL, INTEGER, Column, write_table
from tinnhiem.rollup import services
from tinnhiem.rollup import progress as round_progress
from tinnhiem.rollup.table_rows import table_rows
from tinnhiem.tenants.services import get_unit

COLUMNS = (
    Column(_l("Đơn vị"), 28), Column(_l("Loại đơn vị"), 18), Column(_l("Hội nghị"), 30),
    Column(_l("Ngày"), 11, DATE), Column(_l("Họ và tên"), 24), Column(_l("Chức vụ"), 28),
    Column(_l("Nhóm chức danh"), 22), Column(_l("Phiếu phát ra"), 9, INTEGER),
    Column(_l("Phiếu thu về"), 9, INTEGER), Column(_l("Hợp lệ"), 9, INTEGER),
    Column(_l("Không hợp lệ"), 9, INTEGER), Column(_l("Tín nhiệm cao"), 10, INTEGER),
    Column(_l("% cao"), 8, DECIMAL), Column(_l("Tín nhiệm"), 10, INTEGER),
    Column(_l("% tín nhiệm"), 9, DECIMAL), Column(_l("Tín nhiệm thấp"), 10, INTEGER),
    Column(_l("% thấp"), 8, DECIMAL), Column(_l("Mức"), 26), Column(_l("Đơn vị kế thừa"), 28))


def report_pdf(session, round_, filters) -> bytes:
    low = [row for b in (TWO_THIRDS, OVER_HALF) for row in services.result_rows(
        session, round_.id, services.Filters(**{**vars(filters), "band": b}), limit=None)]
    counts = services.counts_by_unit(session, round_.id, filters)  # one pass for both
    return render_pdf(
        "rollup/report_pdf.html", round=round_, province=get_unit(session, round_.province_id),
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
    rows = table_rows(session, round_.id, filters, labels)
    return write_table(_("Tổng hợp"), COLUMNS, rows, lines=[(round_.name, round_.plan_reference)])
