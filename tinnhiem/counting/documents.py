"""The counting minutes (biên bản kiểm phiếu) as PDF, and the result table as XLSX."""
from flask_babel import gettext as _
from flask_babel import lazy_pgettext as _p

from tinnhiem.conferences.services import voter_counts
from tinnhiem.counting.bands import band_label
from tinnhiem.counting.services import certifiers, results_of
from tinnhiem.platform.formats import locality
from tinnhiem.platform.pdf import render_pdf
from tinnhiem.platform.xlsx_export import DECIMAL, INTEGER, Column, write_table
from tinnhiem.tally.totals import accepted_sheet
from tinnhiem.tenants.services import get_unit, province_name


def _context(session, conference) -> dict:
    summoned, present, _listed = voter_counts(session, conference)
    unit = get_unit(session, conference.unit_id)
    return {"conference": conference, "unit": unit, "locality": locality(province_name(unit)),
            "summoned": summoned, "present": present, "rows": results_of(session, conference),
            "board": certifiers(session, conference), "band_label": band_label,
            "scanned": _scan_figures(session, conference)}


def _scan_figures(session, conference) -> dict | None:
    """How the accepted paper count was read, when it was read from scans."""
    sheet = accepted_sheet(session, conference) if conference.mode == "paper" else None
    return sheet.scan_figures if sheet is not None else None


def minutes_pdf(session, conference) -> bytes:
    return render_pdf("counting/minutes_pdf.html", **_context(session, conference))


# The minutes are an official document, always in Vietnamese; the result table, a working
# copy of its figures, speaks the interface's language.
# A person's figures as both spreadsheets show them (this table, and the province's roll-up).
FIGURE_COLUMNS = (  # heading (in the context "column": its English differs), width, kind
    Column(_p("column", "Phiếu phát ra"), 10, INTEGER),
    Column(_p("column", "Phiếu thu về"), 10, INTEGER),
    Column(_p("column", "Phiếu hợp lệ"), 10, INTEGER),
    Column(_p("column", "Phiếu không hợp lệ"), 10, INTEGER),
    Column(_p("column", "Tín nhiệm cao"), 10, INTEGER),
    Column(_p("column", "Cao (%)"), 8, DECIMAL),
    Column(_p("column", "Tín nhiệm"), 10, INTEGER),
    Column(_p("column", "Tín nhiệm (%)"), 9, DECIMAL),
    Column(_p("column", "Tín nhiệm thấp"), 10, INTEGER),
    Column(_p("column", "Thấp (%)"), 8, DECIMAL),
    Column(_p("column", "Mức"), 26))
COLUMNS = (Column(_p("column", "STT"), 5, INTEGER), Column(_p("column", "Họ và tên"), 28),
           Column(_p("column", "Chức vụ"), 36), *FIGURE_COLUMNS)


def _row_values(number: int, row) -> list:
    r, shares = row.result, row.shares
    return [number, row.nominee.full_name, row.nominee.post, r.issued, r.collected, r.valid,
            r.invalid, r.high, float(shares["high"]), r.confidence, float(shares["confidence"]),
            r.low, float(shares["low"]), band_label(row.band)]


def results_xlsx(session, conference):
    """The table of results, as an open temporary file (platform.xlsx_export)."""
    rows = (_row_values(number, row)
            for number, row in enumerate(results_of(session, conference), start=1))
    # a blank row between the conference and the table
    return write_table(_("Kết quả"), COLUMNS, rows,
                       lines=[(conference.title, conference.held_on), ()])
