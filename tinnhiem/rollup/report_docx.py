"""The report upward as a Word document (python-docx), for the officials who edit it before
it is signed: the same Report as the PDF (rollup.report_upward.compose), laid out in the
format of party documents: A4, Times New Roman 14 pt, margins of Hướng dẫn 36-HD/VPTW."""
import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from tinnhiem.rollup.report_upward import NOT_IN_XML, Report, Table

FONT = "Times New Roman"  # what party documents are typed in (the PDF pins a free serif)
CENTER, JUSTIFY = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY
LEFT, RIGHT = WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT


def _xml(text: str) -> str:
    """Names read from the database (units, round) could hold a character XML cannot."""
    return NOT_IN_XML.sub("\ufffd", str(text))


def _line(container, text: str, *, size=14, bold=False, italic=False, underline=False,
          align=CENTER, after=0, indent=None):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(after)
    paragraph.paragraph_format.space_before = Pt(0)
    if indent is not None:
        paragraph.paragraph_format.first_line_indent = indent
    run = paragraph.add_run(_xml(text))
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
    return paragraph


def _cell_lines(cell, lines) -> None:
    """Write `lines` ((text, options)) into a table cell, replacing its empty paragraph."""
    cell._tc.remove(cell.paragraphs[0]._p)
    for text, options in lines:
        _line(cell, text, **options)


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    # WordprocessingML orders a table's properties: the borders come before tblLook (which
    # python-docx writes); Word calls a file with them after it unreadable.
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(borders)
    else:
        table._tbl.tblPr.append(borders)


def _two_columns(document, left, right, widths=(Cm(7.5), Cm(9))):
    """Two blocks side by side without borders: the letterhead, the signature."""
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    for cell, lines, width in zip(table.rows[0].cells, (left, right), widths):
        cell.width = width
        _cell_lines(cell, lines)
    return table


def _header(document, report: Report) -> None:
    _two_columns(document, [
        (report.issuer, {"bold": True}), ("*", {}), (report.number, {})], [
        (report.motto, {"bold": True, "underline": True, "size": 15}),
        (report.place_and_date, {"italic": True})])
    _line(document, "", after=6)
    _line(document, report.title, bold=True, size=15)
    _line(document, report.abstract, bold=True, after=2)
    _line(document, "-----", after=12)


def _table(document, table: Table) -> None:
    _line(document, table.caption, bold=True, size=13, align=JUSTIFY, after=4)
    head_rows = 2 if table.groups else 1
    grid = document.add_table(rows=head_rows + len(table.rows), cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    if table.groups:
        _groups(grid, table)
    for column, text in enumerate(table.columns):
        if not grid.cell(head_rows - 1, column).text:
            _set(grid.cell(head_rows - 1, column), text, bold=True)
    for number, row in enumerate(table.rows):
        last = table.total and number == len(table.rows) - 1
        for column, text in enumerate(row):
            _set(grid.cell(head_rows + number, column), text, bold=last,
                 align=JUSTIFY if column == 0 else RIGHT)
    _line(document, "", after=6)


def _groups(grid, table: Table) -> None:
    """The groups' row: a group over one column is merged with the row below it."""
    column = 0
    for label, span in table.groups:
        first = grid.cell(0, column)
        if span == 1:
            merged = first.merge(grid.cell(1, column))
        else:
            merged = first.merge(grid.cell(0, column + span - 1))
        _set(merged, label, bold=True)
        column += span


def _set(cell, text: str, *, bold=False, align=CENTER) -> None:
    for paragraph in cell.paragraphs[1:]:  # a merged cell keeps each part's paragraph
        paragraph._p.getparent().remove(paragraph._p)
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    run = paragraph.add_run(_xml(text))
    run.bold = bold
    run.font.size = Pt(12)


def _body(document, report: Report) -> None:
    for kind, content in report.blocks:
        if kind == "table":
            _table(document, content)
        elif kind == "heading":
            _line(document, content, bold=True, align=JUSTIFY, after=6, indent=Cm(1))
        else:
            _line(document, content, italic=kind == "note", align=JUSTIFY, after=6,
                  indent=Cm(1))


def _signature(document, report: Report) -> None:
    _line(document, "", after=6)
    _two_columns(document, [
        (report.recipients_heading, {"bold": True, "italic": True, "underline": True,
                                     "align": LEFT}),
        *((line, {"size": 12, "align": LEFT}) for line in report.recipients)
    ], [
        (report.authority, {"bold": True}), (report.signer_title, {"bold": True}),
        ("", {}), ("", {}), ("", {}), (report.signer_name, {"bold": True})],
        widths=(Cm(8), Cm(8.5)))


def _page(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)


def render_docx(report: Report) -> bytes:
    document = Document()
    _page(document)
    _header(document, report)
    _body(document, report)
    _signature(document, report)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
