"""Spreadsheets the product writes: one sheet, title lines, a styled and frozen header row, then
a table whose columns each have a kind (text, whole number, decimal, date).

XlsxWriter in constant-memory mode: a row goes to a temporary file as soon as the next one
starts, and the finished workbook is a temporary file too, sent in blocks; memory stays flat
however many rows a province has.

Text stays text, exactly as people typed it. XlsxWriter's write() would make a formula of a
string starting with "=" and a link of "http://…", so a person named
'=HYPERLINK("http://evil.example/x","click")' would be a live link in the results a unit
downloads (formula injection; OWASP's "CSV injection"). Cells are written by their column's
kind (an inline string for text, which no spreadsheet evaluates, whatever it starts with: =, +,
-, @, a tab), and the workbook's guessing options are off besides.

Speed: XlsxWriter spends ~10 µs a cell on its way from write_string() to the sheet's XML, 20 s
for the province's 100,000 rows of 19 cells. The table's rows are therefore written whole
(_TableSheet.write_row_xml): the XML XlsxWriter itself writes for such cells, one string a
row; the title lines and the header go through XlsxWriter's own methods, and so does the whole
table with whole_rows=False, against which the tests compare the XML."""
import datetime as dt
import re
import tempfile
from dataclasses import dataclass

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

TEXT, INTEGER, DECIMAL, DATE = "text", "integer", "decimal", "date"
# How Vietnamese write a date and a share (25.00, as on the pages and in the API).
NUMBER_FORMATS = {DECIMAL: "0.00", DATE: "dd/mm/yyyy"}
HEADER_STYLE = {"bold": True, "bg_color": "#D9E2F3", "border": 1, "text_wrap": True,
                "valign": "vcenter"}
TITLE_STYLE = {"bold": True}
OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
           "strings_to_numbers": False}
EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's dates (1900 system, after March 1900)
# Excel refuses these in a sheet's name, and more than 31 characters.
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    header: object  # a lazy translated string
    width: float
    kind: str = TEXT


def sheet_name(title) -> str:
    return _NOT_IN_SHEET_NAME.sub("-", str(title)).strip("'")[:31].strip() or "Sheet1"


class _TableSheet(Worksheet):
    """XlsxWriter's worksheet (constant-memory mode), plus rows written whole."""

    def write_row_xml(self, row: int, last_column: int, cells: str) -> None:
        """Row `row` (from 0), its cells' XML made by _row_maker: what XlsxWriter writes when
        the next row starts is written at once, the dimensions kept as its methods do."""
        if not cells:
            return  # as XlsxWriter leaves out a row without cells
        if row > self.previous_row:
            self._write_single_row(row)  # what the methods left of the rows before (the header)
        self._check_dimensions(row, last_column)
        self.fh.write(f'<row r="{row + 1}">{cells}</row>')


# What XlsxWriter escapes in text (xmlwriter._escape_data, _escape_control_characters), and
# when it keeps a text's leading or trailing blanks (utility._preserve_whitespace).
_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_EDGE_SPACE = re.compile(r"^\s|\s$")
_PLAIN = re.compile(f"{_NEEDS_ESCAPE.pattern}|{_EDGE_SPACE.pattern}")  # one test for most
MAX_TEXT = 32767  # UTF-16 units in a cell


def _text_xml(sheet, value: str) -> str:
    if not _PLAIN.search(value) and len(value) <= MAX_TEXT // 2:
        return f"<t>{value}</t>"  # nearly every name: nothing to escape, no blank at an end
    if len(value) > MAX_TEXT // 2:  # as XlsxWriter does; the database's columns are shorter
        value = value.encode("utf-16-le")[:2 * MAX_TEXT].decode("utf-16-le", "ignore")
    if _NEEDS_ESCAPE.search(value):
        value = sheet._escape_data(sheet._escape_control_characters(value))
    if _EDGE_SPACE.search(value):
        return f'<t xml:space="preserve">{value}</t>'
    return f"<t>{value}</t>"


def _row_maker(sheet, cells, columns):
    """A function of (row, values) giving the row's cells' XML, one maker a column."""
    def maker(column: int, kind: str):
        letter = xl_col_to_name(column)
        if kind == TEXT:
            return lambda r, v: "" if not v else \
                f'<c r="{letter}{r}" t="inlineStr"><is>{_text_xml(sheet, v)}</is></c>'
        style = f' s="{cells.formats[kind]._get_xf_index()}"' if kind in cells.formats else ""
        if kind == DATE:
            return lambda r, v: "" if v is None else \
                f'<c r="{letter}{r}"{style}><v>{_serial(v):.16G}</v></c>'
        return lambda r, v: "" if v is None else f'<c r="{letter}{r}"{style}><v>{v:.16G}</v></c>'

    makers = [maker(number, column.kind) for number, column in enumerate(columns)]
    return lambda row, values: "".join(
        [make(row, value) for make, value in zip(makers, values)])


def _serial(value) -> float:
    """Excel's number for a day or a moment (1900 system, after March 1900)."""
    if isinstance(value, dt.datetime):
        delta = value - dt.datetime(1899, 12, 30, tzinfo=value.tzinfo)
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    return (value - EXCEL_EPOCH).days


class _Cells:
    """The writers of one sheet's cells by kind, each taking (row, column, value)."""

    def __init__(self, book, sheet):
        self.sheet = sheet
        self.formats = {kind: book.add_format({"num_format": code})
                        for kind, code in NUMBER_FORMATS.items()}
        self.by_kind = {TEXT: self.string, INTEGER: self.number, DECIMAL: self.decimal,
                        DATE: self.date}

    def string(self, row, column, value, style=None):
        if not value:
            return  # an empty cell: nothing to write (constant memory skips it)
        if value.startswith("<r>") and value.endswith("</r>"):
            # In constant-memory mode XlsxWriter copies such a string into the XML unescaped,
            # taking it for a rich string it built; as a rich string of plain pieces, its
            # characters are escaped like any other text.
            pieces = (value[:1], value[1:-1], value[-1:])
            self.sheet.write_rich_string(row, column, *pieces, *([style] if style else []))
        else:
            self.sheet.write_string(row, column, value, style)

    def number(self, row, column, value, style=None):
        if value is not None:
            self.sheet.write_number(row, column, value, style)

    def decimal(self, row, column, value):
        if value is not None:
            self.sheet.write_number(row, column, value, self.formats[DECIMAL])

    def date(self, row, column, value):
        if value is not None:
            self.sheet.write_number(row, column, _serial(value), self.formats[DATE])

    def any(self, row, column, value, style=None):
        """A title line's value, by its Python type (never by what a string looks like)."""
        if isinstance(value, dt.date):
            self.date(row, column, value)
        elif isinstance(value, (int, float)):
            self.number(row, column, value, style)
        elif value is not None:
            self.string(row, column, str(value), style)


def write_table(title, columns, rows, lines=(), whole_rows=True):
    """A workbook of one sheet named `title`: each of `lines` (title lines: sequences of text,
    numbers or dates) on a row, the columns' headers, then `rows` (sequences of values in the
    columns' order; None or "" for an empty cell). Returns the open temporary file, at its
    start (it is deleted once closed)."""
    out = tempfile.TemporaryFile()
    # XlsxWriter's own temporary files (the rows, each part before it is zipped) in a folder
    # removed however the export ends: a query that fails half-way leaves nothing behind.
    with tempfile.TemporaryDirectory(prefix="xlsx-") as folder:
        try:
            _write(xlsxwriter.Workbook(out, {**OPTIONS, "tmpdir": folder}), title, columns,
                   rows, lines, whole_rows)
        except BaseException:
            out.close()
            raise
    out.seek(0)
    return out


def _write(book, title, columns, rows, lines, whole_rows) -> None:
    sheet = book.add_worksheet(sheet_name(title), worksheet_class=_TableSheet)
    cells = _Cells(book, sheet)
    title_style, header_style = book.add_format(TITLE_STYLE), book.add_format(HEADER_STYLE)
    for style in (title_style, header_style, *cells.formats.values()):
        style._get_xf_index()  # numbered now, whichever path writes the cells first
    for number, column in enumerate(columns):
        sheet.set_column(number, number, column.width)
    for number, line in enumerate(lines):
        for column, value in enumerate(line):
            cells.any(number, column, value, title_style)
    header = len(lines)
    sheet.set_row(header, 30)
    for number, column in enumerate(columns):
        cells.string(header, number, str(column.header), header_style)
    sheet.freeze_panes(header + 1, 0)
    if whole_rows:
        row_xml, last = _row_maker(sheet, cells, columns), len(columns) - 1
        for number, row in enumerate(rows, start=header + 1):
            sheet.write_row_xml(number, last, row_xml(number + 1, row))
    else:
        writers = list(enumerate(cells.by_kind[column.kind] for column in columns))
        for number, row in enumerate(rows, start=header + 1):
            for column, write in writers:
                write(number, column, row[column])
    book.close()
