"""The counting minutes (biên bản kiểm phiếu) as PDF, and the result table as XLSX."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tinnhiem.conferences.services import voter_counts
from tinnhiem.counting.bands import band_label
from tinnhiem.counting.services import certifiers, results_of
from tinnhiem.platform.pdf import render_pdf
from tinnhiem.platform.xlsx_export import DECIMAL, INTEGER, Column, write_table
from tinnhiem.tenants.services import get_unit


def _context(session, conference) -> dict:
    summoned, present, _listed = voter_counts(session, conference)
    return {"conference": conference, "unit": get_unit(session, conference.unit_id),
            "summoned": summoned, "present": present, "rows": results_of(session, conference),
            "board": certifiers(session, conference), "band_label": band_label}


def minutes_pdf(session, conference) -> bytes:
    return render_pdf("counting/minutes_pdf.html", **_context(session, conference))


# The minutes are an official document, always in Vietnamese; the result table, a working
# copy of its figures, speaks the interface's language.
COLUMNS = (
    Column(_l("STT"), 5, INTEGER), Column(_l("Họ và tên"), 28), Column(_l("Chức vụ"), 36),
    Column(_l("Phiếu phát ra"), 10, INTEGER), Column(_l("Phiếu thu về"), 10, INTEGER),
    Column(_l("Phiếu hợp lệ"), 10, INTEGER), Column(_l("Phiếu không hợp lệ"), 10, INTEGER),
    Column(_l("Tín nhiệm cao"), 10, INTEGER), Column(_l("% cao"), 8, DECIMAL),
    Column(_l("Tín nhiệm"), 10, INTEGER), Column(_l("% tín nhiệm"), 9, DECIMAL),
    Column(_l("Tín nhiệm thấp"), 10, INTEGER), Column(_l("% thấp"), 8, DECIMAL),
    Column(_l("Mức"), 26))


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
