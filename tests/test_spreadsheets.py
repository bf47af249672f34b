"""The spreadsheets the product writes, read back as a person opening them sees them: the sheet
named in Vietnamese (in English under /lang/en), a bold, filled header row that stays in view,
real dates shown dd/mm/yyyy, counts and shares as numbers with the page's and the API's
figures. And the writer's rows written whole are the XML XlsxWriter itself writes."""
import datetime as dt
import io
import re
import zipfile

import pytest

from tests.rollup_world import rollup_world
from tests.snapshots import snapshot
from tinnhiem.platform import xlsx_export
from tinnhiem.platform.xlsx_export import DATE, DECIMAL, INTEGER, Column


@snapshot
def world(make):
    return rollup_world(make)


def workbook(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def width(sheet, column: int) -> float:
    """The width of a column (from 1), which shares a <col> element with its neighbours of the
    same width."""
    return next(d.width for d in sheet.column_dimensions.values() if d.min <= column <= d.max)


def assert_header(sheet, row: int) -> None:
    cells = sheet[row]
    assert all(cell.font.b for cell in cells)
    assert all(cell.fill.fgColor.rgb == "FFD9E2F3" for cell in cells)
    assert sheet.freeze_panes == f"A{row + 1}"  # the header stays in view


def test_the_roll_up_sheet_has_the_api_figures_as_numbers_and_dates(world, login, token,  # noqa: F811
                                                                       client):
    query = {"sort": "name"}
    data = login(world.viewer_a).get(f"/rounds/{world.round.id}/rollup.xlsx",
                                     query_string=query).data
    api = client.get(f"/api/v1/rounds/{world.round.id}/rollup", headers=token(world.viewer_a),
                     query_string=query).json["rows"]
    book = workbook(data)
    assert book.sheetnames == ["Tổng hợp"]
    sheet = book.active
    assert_header(sheet, 2)
    assert [c.value for c in sheet[2]][:4] == ["Đơn vị", "Loại đơn vị", "Hội nghị", "Ngày"]
    assert width(sheet, 1) > 20 and width(sheet, 12) < 12  # a unit's name, a count
    body = list(sheet.iter_rows(min_row=3))
    assert len(body) == len(api) == 5
    for cells, row in zip(body, api):
        values = [cell.value for cell in cells]
        assert values[4:7] == [row["full_name"], row["post"], row["category"]]
        assert values[:3] == [row["unit_name"], row["unit_type"], row["conference_title"]]
        # a real date, shown as Vietnamese write it
        assert values[3] == dt.datetime.fromisoformat(row["held_on"])
        assert cells[3].number_format == "dd/mm/yyyy"
        assert values[7:17] == [row["issued"], row["collected"], row["valid"], row["invalid"],
                                row["high"], float(row["high_percent"]), row["confidence"],
                                float(row["confidence_percent"]), row["low"],
                                float(row["low_percent"])]
        assert all(cells[i].number_format == "0.00" for i in (12, 14, 16))
        assert values[18:20] == [None, None]  # the round is everyone's first: no change
        assert values[20] == (", ".join(row["successors"]) or None)
    district = next(values for values in ([c.value for c in r] for r in body)
                    if values[4] == "Võ Quá Nửa")
    assert district[12:] == [25.0, 4, 20.0, 11, 55.0, "Trên 50% tín nhiệm thấp", None, None,
                             "Đảng ủy xã Kế Thừa"]


def test_in_english_the_sheets_speak_english(world, login):  # noqa: F811
    client = login(world.viewer_a)
    client.get("/lang/en", headers={"Referer": "http://localhost/"})
    book = workbook(client.get(f"/rounds/{world.round.id}/rollup.xlsx").data)
    assert book.sheetnames == ["Roll-up"]
    values = [[c.value for c in row] for row in book.active.iter_rows()]
    assert values[1][:4] == ["Unit", "Unit type", "Conference", "Date"]
    assert {row[17] for row in values[2:]} == {"Two thirds or more low confidence",
                                                "Over half low confidence", "Normal"}


def test_the_conference_table_has_its_date_and_styled_header(world, login):  # noqa: F811
    client = login(world.unit_admin_a1)
    response = client.get(f"/conferences/{world.conference_a1.id}/results.xlsx")
    assert response.status_code == 200
    book = workbook(response.data)
    assert book.sheetnames == ["Kết quả"]
    sheet = book.active
    assert [c.value for c in sheet[1]][:2] == ["Hội nghị A1", dt.datetime(2023, 6, 20)]
    assert sheet["B1"].number_format == "dd/mm/yyyy"
    assert_header(sheet, 3)
    assert [c.value for c in sheet[4]] == [1, "Trần Thấp Nhiều", "Bí thư", 40, 40, 40, 0, 5,
                                           12.5, 1, 2.5, 34, 85.0,
                                           "Từ 2/3 trở lên tín nhiệm thấp"]
    assert sheet["I4"].number_format == "0.00"


# What people may type that a spreadsheet or its XML could take for something else.
TRICKY = ['=HYPERLINK("http://evil.example","x")', "+1", "-1", "@SUM(A1)", "\tTab",
          " edges ", "a & b < c > d \"e\"", "ctrl\x01char", "_x0041_ literal", "line\nbreak",
          "http://example.com", "12345", "", None]
COLUMNS = [Column("Văn bản", 20), Column("Số", 8, INTEGER), Column("Tỷ lệ", 8, DECIMAL),
           Column("Ngày", 12, DATE)]
ROWS = [(text, n, n / 3, dt.date(2023, 1, 1) + dt.timedelta(days=n))
        for n, text in enumerate(TRICKY)] + [(None, None, None, None)]


def sheet_xml(whole_rows: bool, rows=ROWS) -> str:
    out = xlsx_export.write_table("Bảng", COLUMNS, iter(rows),
                                  lines=[("Tiêu đề", dt.date(2023, 1, 2))], whole_rows=whole_rows)
    with zipfile.ZipFile(out) as book:
        return book.read("xl/worksheets/sheet1.xml").decode()


def test_rows_written_whole_are_what_xlsxwriter_writes_cell_by_cell():
    assert sheet_xml(True) == sheet_xml(False)
    assert "<f>" not in sheet_xml(True)


@pytest.mark.parametrize("whole_rows", [True, False])
def test_text_that_looks_like_markup_stays_text(whole_rows):
    """XlsxWriter copies a string that starts with <r> and ends with </r> unescaped into the
    sheet, taking it for a rich string of its own: a name like this one would otherwise put a
    formula into the file."""
    hostile = '<r><t>a</t></r></is><f>HYPERLINK("http://evil.example")</f><is><r><t>b</t></r>'
    xml = sheet_xml(whole_rows, [(hostile, 1, 1.0, None)])
    assert not re.search(r"<f[\s>]", xml)
    out = xlsx_export.write_table("Bảng", COLUMNS, iter([(hostile, 1, 1.0, None)]),
                                  whole_rows=whole_rows)
    cell = workbook(out.read()).active["A2"]
    assert cell.value == hostile and cell.data_type == "s"


def test_sheet_names_excel_accepts():
    assert xlsx_export.sheet_name("Tổng hợp: đợt [2023/2024] *?\\") == "Tổng hợp- đợt -2023-2024- ---"
    # 31 characters at most, no blank left at the end
    assert xlsx_export.sheet_name("Tổng hợp kết quả lấy phiếu tín nhiệm") == \
        "Tổng hợp kết quả lấy phiếu tín"


def test_an_export_failing_half_way_leaves_no_file_behind(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def rows():
        yield ("Nguyễn Văn A", 1, 1.0, None)
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        xlsx_export.write_table("Bảng", COLUMNS, rows())
    assert list(tmp_path.iterdir()) == []
