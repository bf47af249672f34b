"""The consolidated report for the Standing Committee (báo cáo tổng hợp kết quả lấy phiếu tín
nhiệm) as PDF, and the full result table as XLSX, streamed so memory stays flat however many
rows a province has."""
import io

from flask_babel import force_locale

from tinnhiem.counting.bands import OVER_HALF, TWO_THIRDS, band_label, consequence
from tinnhiem.platform.pdf import render_pdf
from tinnhiem.platform.xlsx_stream import write_xlsx
from tinnhiem.rollup import services
from tinnhiem.rollup import progress as round_progress
from tinnhiem.tenants.services import get_unit

HEADERS = ("Đơn vị", "Loại đơn vị", "Hội nghị", "Ngày", "Họ và tên", "Chức vụ", "Nhóm chức danh",
           "Phiếu phát ra", "Phiếu thu về", "Hợp lệ", "Không hợp lệ", "Tín nhiệm cao", "% cao",
           "Tín nhiệm", "% tín nhiệm", "Tín nhiệm thấp", "% thấp", "Mức", "Đơn vị kế thừa")


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


def _row_values(row, labels: dict) -> list:
    shares = row.shares
    return [row.unit_name, row.unit_type, row.conference_title, row.held_on.strftime("%d/%m/%Y"),
            row.full_name, row.post, row.category, row.issued, row.collected, row.valid,
            row.invalid, row.high, float(shares["high"]), row.confidence,
            float(shares["confidence"]), row.low, float(shares["low"]), labels[row.band],
            ", ".join(row.successors)]


def report_xlsx(session, round_, filters) -> bytes:
    """Every row under the filters, streamed: memory holds one batch of rows at a time (plus
    the compressed file being built)."""
    def rows():
        yield [round_.name, round_.plan_reference]
        yield list(HEADERS)
        with force_locale("vi"):
            labels = {b: band_label(b) for b in services.BANDS}  # looked up once, not per row
            for row in services.iter_result_rows(session, round_.id, filters):
                yield _row_values(row, labels)

    out = io.BytesIO()
    write_xlsx(out, "Tong hop", rows())
    return out.getvalue()
