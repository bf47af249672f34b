"""The counting minutes (biên bản kiểm phiếu) as PDF, and the result table as XLSX.
Official documents: always in Vietnamese, whatever language the page is shown in."""
import io

from flask_babel import force_locale

from tinnhiem.conferences.services import voter_counts
from tinnhiem.counting.bands import band_label
from tinnhiem.counting.services import certifiers, results_of
from tinnhiem.platform.pdf import render_pdf
from tinnhiem.platform.sheet_export import append_row
from tinnhiem.tenants.services import get_unit


def _context(session, conference) -> dict:
    summoned, present, _listed = voter_counts(session, conference)
    return {"conference": conference, "unit": get_unit(session, conference.unit_id),
            "summoned": summoned, "present": present, "rows": results_of(session, conference),
            "board": certifiers(session, conference), "band_label": band_label}


def minutes_pdf(session, conference) -> bytes:
    return render_pdf("counting/minutes_pdf.html", **_context(session, conference))


# An official document: the headings are Vietnamese in every language of the interface.
HEADERS = ("STT", "Họ và tên", "Chức vụ", "Phiếu phát ra", "Phiếu thu về", "Phiếu hợp lệ",
           "Phiếu không hợp lệ", "Tín nhiệm cao", "% cao", "Tín nhiệm", "% tín nhiệm",
           "Tín nhiệm thấp", "% thấp", "Mức")


def results_xlsx(session, conference) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Ket qua"
    with force_locale("vi"):
        append_row(sheet, [conference.title, conference.held_on.strftime("%d/%m/%Y")])
        sheet.append([])
        append_row(sheet, HEADERS)
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for number, row in enumerate(results_of(session, conference), start=1):
            r, shares = row.result, row.shares
            append_row(sheet, [
                number, row.nominee.full_name, row.nominee.post, r.issued, r.collected, r.valid,
                r.invalid, r.high, float(shares["high"]), r.confidence,
                float(shares["confidence"]), r.low, float(shares["low"]), band_label(row.band)])
            for column in (9, 11, 13):
                sheet.cell(row=sheet.max_row, column=column).number_format = "0.00"
    for column, width in zip("ABCDEFGHIJKLMN", (5, 28, 36, 10, 10, 10, 10, 10, 8, 10, 8, 10, 8,
                                                  26)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
