"""An imported list of summoned voters costs bounded work: a decompression bomb, a sheet too
long, too wide or too deep, a file that is not a workbook are refused before openpyxl parses
them, with a clear message on the page and a stable code in the API, and nothing saved."""
import io
import random
import struct
import tracemalloc
import zipfile

import pytest

from tests.factories import refused_page

from tinnhiem.conferences import voters
from tinnhiem.platform import sheet_import
from tinnhiem.platform.errors import ServiceError

# The parts of a minimal one-sheet workbook, around the sheet's rows.
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Danh sách" sheetId="1" r:id="rId1"/></sheets></workbook>')
SHEET_START = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               '<sheetData>')
SHEET_END = "</sheetData></worksheet>"
CELLS = ('<c t="inlineStr"><is><t>Nguyễn Văn A</t></is></c>'
         '<c t="inlineStr"><is><t>Ủy viên</t></is></c>')


def workbook(sheet_chunks, level=9) -> bytes:
    """A one-sheet XLSX whose sheet XML is `sheet_chunks` (bytes) between the usual start and
    end, streamed into the zip so a huge sheet is never whole in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(SHEET_START.encode())
            for chunk in sheet_chunks:
                sheet.write(chunk)
            sheet.write(SHEET_END.encode())
    return out.getvalue()


def names_sheet(count: int) -> bytes:
    rows = [f"<row>{CELLS.replace('Nguyễn Văn A', f'Người {n}')}</row>" for n in range(count)]
    return workbook([("<row><c t=\"inlineStr\"><is><t>Họ và tên</t></is></c>"
                      "<c t=\"inlineStr\"><is><t>Chức vụ</t></is></c></row>"
                      + "".join(rows)).encode()])


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """200 MB of sheet XML (repeated rows of two cells) deflated to well under the 2 MB an
    upload may be."""
    row = f"<row>{CELLS}</row>".encode()
    chunk = row * (1024 * 1024 // len(row))
    data = workbook(chunk for _ in range(200))
    assert len(data) < sheet_import.MAX_SHEET_BYTES
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist()) > 200_000_000
    return data


def refusal(filename, content) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        voters.parse_voter_sheet(filename, content)
    return caught.value


def test_a_decompression_bomb_is_refused_with_bounded_memory(bomb):
    tracemalloc.start()
    try:
        error = refusal("ds.xlsx", bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (error.code, error.status) == ("unpacked_too_large", 413)
    assert "giải nén" in str(error.message)
    assert peak < 100 * 1024 * 1024


def test_a_sheet_compressed_absurdly_well_is_refused():
    row = f"<row>{CELLS}</row>".encode()
    data = workbook([row * (3_000_000 // len(row))])  # under the unpacked bound, ~1000:1
    error = refusal("ds.xlsx", data)
    assert (error.code, error.status) == ("compression_ratio", 413)


def test_a_member_that_understates_its_size_is_refused():
    """zipfile inflates no further than the declared size, so a lie fails the CRC."""
    data = bytearray(names_sheet(3))
    name = b"xl/worksheets/sheet1.xml"
    entry = data.index(b"PK\x01\x02")  # the central directory, which zipfile believes
    while data[entry + 46:entry + 46 + len(name)] != name:
        entry = data.index(b"PK\x01\x02", entry + 4)
    size = struct.unpack_from("<I", data, entry + 24)[0]
    struct.pack_into("<I", data, entry + 24, size // 2)
    assert refusal("ds.xlsx", bytes(data)).code == "bad_file"


@pytest.mark.parametrize("content, code, message", [
    (b"not a workbook", "bad_file", "Không đọc được tệp Excel"),
    (b"PK\x03\x04" + b"\x00" * 100, "bad_file", "Không đọc được tệp Excel"),
    (workbook([b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><row/>']), "bad_file",
     "Không đọc được tệp Excel"),
    (workbook([b'<row r="7">' + b"".join(b'<c s="%d"/>' % n for n in range(300)) + b"</row>"]),
     "too_many_cells", "Dòng 7 có quá 256 ô"),
    (workbook([b'<row r="1"><c t="inlineStr"><is><t>A</t></is></c></row>'
               b'<row r="1048576"><c t="inlineStr"><is><t>B</t></is></c></row>']),
     "too_many_rows", "Tệp có quá 20004 dòng"),
])
def test_what_is_not_a_plain_list_is_refused(content, code, message):
    error = refusal("ds.xlsx", content)
    assert error.code == code and error.status == 422 and message in str(error.message)


def test_a_sheet_of_too_many_elements_is_refused():
    """Elements that are neither rows nor cells still cost openpyxl; random names keep the
    ratio ordinary."""
    rng = random.Random(7)
    junk = "".join(f"<{rng.choice('abdefghijk')}{rng.randrange(100)}/>"
                   for _ in range(sheet_import.MAX_ELEMENTS + 1))
    error = refusal("ds.xlsx", workbook([f"<row>{junk}</row>".encode()]))
    assert (error.code, error.status) == ("too_many_elements", 413)


def test_more_rows_than_a_conference_has_voters_are_refused():
    error = refusal("ds.xlsx", names_sheet(voters.MAX_VOTERS + 1))
    assert error.code == "too_many_rows" and "5001" in str(error.message)
    csv_list = "Họ và tên\n" + "".join(f"Người {n}\n" for n in range(voters.MAX_VOTERS + 1))
    assert refusal("ds.csv", csv_list.encode()).code == "too_many_rows"
    assert refusal("ds.csv", b"\n" * 30_000 + "Người A\n".encode()).code == "too_many_rows"


def test_a_full_list_at_the_limit_is_imported():
    imported = voters.parse_voter_sheet("ds.xlsx", names_sheet(voters.MAX_VOTERS))
    assert len(imported) == voters.MAX_VOTERS
    assert imported[0] == ("Người 0", "Ủy viên") and imported[-1][0] == "Người 4999"


def test_a_csv_line_too_long_is_refused_with_its_row():
    content = "Họ và tên\nNguyễn Văn A\n".encode() + b"x," * 3000 + b"\n"
    error = refusal("ds.csv", content)
    assert error.code == "line_too_long" and "Dòng 3" in str(error.message)


@pytest.fixture
def world(make):
    w = make.world()
    make.conference_for(w, w.a1)
    return w


def saved_names(make, world) -> list[str]:
    from tinnhiem.conferences import services as conferences

    return make.as_account(world.unit_admin_a1, lambda s, a: [
        v.full_name for v in voters.list_voters(
            s, conferences.get_conference(s, world.conference_a1.id))])


def over_http(bomb):
    return [(bomb, "ds.xlsx", 413, "unpacked_too_large", "giải nén"),
            (b"not a workbook", "ds.xlsx", 422, "bad_file", "Không đọc được tệp Excel"),
            (("Họ và tên\n" + "A\n" * (voters.MAX_VOTERS + 1)).encode(), "ds.csv", 422,
             "too_many_rows", "Tệp có quá 5001 dòng")]


def test_the_page_refuses_with_a_message_and_keeps_the_list(app, world, login, make, bomb):
    client = login(world.unit_admin_a1)
    url = f"/conferences/{world.conference_a1.id}/voters/import"

    def upload(content, filename):
        return client.post(url, data={"import-file": (io.BytesIO(content), filename)},
                           content_type="multipart/form-data")

    assert upload("Họ và tên\nTrần Văn Giữ\nLê Thị Còn\n".encode(), "ds.csv").status_code == 302
    for content, filename, _status, _code, message in over_http(bomb):
        # Post/Redirect/Get: the conference page shows the refusal
        assert message in refused_page(client, upload(content, filename)).text
    assert saved_names(make, world) == ["Trần Văn Giữ", "Lê Thị Còn"]


def test_the_api_refuses_with_a_stable_code_and_keeps_the_list(app, world, token, client,
                                                                  make, bomb):
    headers = token(world.unit_admin_a1)
    url = f"/api/v1/conferences/{world.conference_a1.id}/voters/import"

    def upload(content, filename):
        return client.post(url, headers=headers, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(content), filename)})

    good = upload(names_sheet(2), "ds.xlsx")
    assert good.status_code == 200 and good.json["summoned"] == 2
    for content, filename, status, code, message in over_http(bomb):
        response = upload(content, filename)
        assert response.status_code == status
        assert response.json["code"] == code and response.json["status"] == status
        assert message in response.json["message"]
    assert saved_names(make, world) == ["Người 0", "Người 1"]
