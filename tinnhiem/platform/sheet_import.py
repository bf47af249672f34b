"""Reading an uploaded sheet (XLSX or CSV) with the work bounded before and while parsing.

An XLSX file is a zip: 200 KB of it can unpack to hundreds of megabytes of XML, which openpyxl
parses at about 1 MB a second while holding much of it in memory. So the zip's directory is
checked before openpyxl sees the file. Its declared sizes can be trusted as a bound: zipfile
never inflates a member past its declared size (a member that lies fails its CRC check)."""
import csv
import io
import pyexpat
import unicodedata
import zipfile
from contextlib import closing

from flask_babel import lazy_gettext as _l

from tinnhiem.platform.errors import ServiceError

# The largest list an import takes, 5,000 rows of six columns, is about 2 MB of sheet XML and
# 150,000 XML elements as Excel or openpyxl write it. Twice that leaves room for styles and
# columns we do not read, while a hostile file within it costs openpyxl a second or two.
MAX_UNPACKED_BYTES = 4 * 1024 * 1024
MAX_ELEMENTS = 300_000
# openpyxl builds every cell of a row before `max_col` drops them (a row of 300,000 cells is
# 200 MB); a person's row, even with every column filled in, has a few dozen.
MAX_CELLS_PER_ROW = 256
# Sheet XML deflates 5 to 15 times; a run of identical cells, a bomb's payload, nearer 1,000.
MAX_RATIO = 100
# A row of six names and titles with notes is a few hundred characters; a 100,000-character
# line is a field-count bomb for csv.reader, which builds every field before we slice.
MAX_LINE_CHARS = 4096
# Names may be spread out with blank rows between them, but a sheet whose extent is many times
# the rows it may hold only makes openpyxl fill in empty rows (one cell at row 1,048,576 would
# give a million of them).
BLANK_ROWS_FACTOR = 4


class ImportErrors(ServiceError):
    """Row-level problems of an imported list; nothing is saved. `rows` holds (row number
    as the sheet shows it, the problem) for each bad row."""

    def __init__(self, rows: list[tuple[int, str]]):
        super().__init__("import_errors", _l("Tệp có dòng không hợp lệ; chưa lưu gì."),
                         field="file")
        self.rows = rows


def _too_large(code: str, message):
    return ServiceError(code, message, field="file", status=413)


def _bad_xlsx():
    return ServiceError("bad_file", _l("Không đọc được tệp Excel."), field="file")


def _too_many_rows(limit: int):
    return ServiceError("too_many_rows", _l("Tệp có quá %(n)d dòng.", n=limit), field="file")


class _XmlBudget:
    """Counts what openpyxl would build from the archive's XML, with expat's own streaming
    parser (the one ElementTree uses, so both read the same elements), and refuses a DTD:
    SpreadsheetML never has one, and its entities would expand past every bound here."""

    def __init__(self, max_rows: int):
        self.max_rows = max_rows
        self.elements = self.rows = self.cells = 0
        self.row_label = ""

    def start(self, name, attributes):
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise _too_large("too_many_elements", _l(
                "Tệp Excel có quá nhiều ô. Hãy chỉ giữ trang danh sách và các cột cần thiết."))
        local = name.rpartition("}")[2]
        if local == "row":
            self.rows, self.cells = self.rows + 1, 0
            self.row_label = attributes.get("r", "")[:8] or str(self.rows)  # as Excel numbers it
            if self.rows > self.max_rows:
                raise _too_many_rows(self.max_rows)
        elif local == "c":
            self.cells += 1
            if self.cells > MAX_CELLS_PER_ROW:
                raise ServiceError("too_many_cells", _l(
                    "Dòng %(row)s có quá %(n)d ô.", row=self.row_label, n=MAX_CELLS_PER_ROW),
                    field="file")

    def scan(self, member) -> None:
        parser = pyexpat.ParserCreate(namespace_separator="}")
        parser.StartElementHandler = self.start
        parser.StartDoctypeDeclHandler = self.refuse_dtd
        parser.EntityDeclHandler = self.refuse_dtd
        self.rows = self.cells = 0
        try:
            while chunk := member.read(64 * 1024):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except pyexpat.ExpatError:
            pass  # not XML (an image) or damaged: openpyxl refuses it if it needs it

    @staticmethod
    def refuse_dtd(*_args):
        raise _bad_xlsx()


def check_xlsx_archive(content: bytes, max_rows: int) -> None:
    """Refuse, before openpyxl parses anything, what is not a zip, unpacks to more than
    MAX_UNPACKED_BYTES, is compressed absurdly well, or whose XML has more elements, rows or
    cells in a row than a list needs, or a DTD."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise _bad_xlsx() from None
    with archive:
        members = archive.infolist()
        if sum(info.file_size for info in members) > MAX_UNPACKED_BYTES:
            raise _too_large("unpacked_too_large", _l(
                "Tệp Excel khi giải nén lớn quá %(n)d MB. Hãy chỉ giữ trang danh sách và các cột"
                " cần thiết.", n=MAX_UNPACKED_BYTES // (1024 * 1024)))
        if any(info.file_size > MAX_RATIO * max(info.compress_size, 1) for info in members):
            raise _too_large("compression_ratio", _l(
                "Tệp Excel được nén bất thường. Hãy mở bằng Excel, lưu lại rồi thử lại."))
        budget = _XmlBudget(max_rows)
        try:
            for info in members:
                with archive.open(info) as member:
                    budget.scan(member)
        # zipfile reads no further than a member's declared size and then checks its CRC,
        # so a member that lies about its size ends here.
        except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, RuntimeError):
            raise _bad_xlsx() from None


def _xlsx_rows(content: bytes, max_rows: int, max_columns: int):
    from openpyxl import load_workbook

    check_xlsx_archive(content, max_rows)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True,
                             keep_links=False)
        try:
            # Reading is lazy: a damaged cell shows here, and only the first columns are kept
            # (a single far-right cell must not make every row thousands of cells long).
            yield from book.worksheets[0].iter_rows(max_col=max_columns, values_only=True)
        finally:
            book.close()
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise _bad_xlsx() from None


def _csv_rows(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceError("not_utf8", _l("Tệp CSV phải ở mã UTF-8."), field="file") from None

    def lines():
        for number, line in enumerate(io.StringIO(text), start=1):
            if len(line) > MAX_LINE_CHARS:
                raise ServiceError("line_too_long", _l(
                    "Dòng %(row)d dài quá %(n)d ký tự.", row=number, n=MAX_LINE_CHARS),
                    field="file")
            yield line

    try:
        yield from csv.reader(lines())
    except csv.Error:
        raise ServiceError("bad_file", _l("Không đọc được tệp CSV."), field="file") from None


def read_rows(kind: str, content: bytes, *, max_rows: int,
              max_columns: int) -> list[tuple[int, list[str]]]:
    """(row number as the spreadsheet shows it, its first `max_columns` cells as NFC text,
    stripped) for each non-blank row of an "xlsx" or "csv" file. Stops and refuses as soon as
    there are more than `max_rows` of them."""
    extent = max_rows * BLANK_ROWS_FACTOR
    rows = _xlsx_rows(content, extent, max_columns) if kind == "xlsx" else _csv_rows(content)
    kept = []
    with closing(rows):  # a refusal closes the workbook now, not when collected
        for number, row in enumerate(rows, start=1):
            if number > extent:
                raise _too_many_rows(extent)
            cells = ["" if cell is None else unicodedata.normalize("NFC", str(cell)).strip()
                     for cell in row[:max_columns]]
            if any(cells):
                if len(kept) == max_rows:
                    raise _too_many_rows(max_rows)
                kept.append((number, cells))
    return kept


MAX_SHEET_BYTES = 2 * 1024 * 1024  # a list of people: a few thousand rows


def sheet_kind(filename: str, content: bytes) -> str:
    """"xlsx" or "csv" from an uploaded list's name, once its size is within the limit."""
    if len(content) > MAX_SHEET_BYTES:
        raise ServiceError("file_too_large", _l("Tệp quá lớn (tối đa 2 MB)."), field="file",
                           status=413)
    name = (filename or "").lower()
    kind = next((kind for kind in ("xlsx", "csv") if name.endswith("." + kind)), None)
    if not kind:
        raise ServiceError("bad_file_type", _l("Chỉ nhận tệp .xlsx hoặc .csv."), field="file")
    return kind
