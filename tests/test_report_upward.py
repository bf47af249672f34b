"""The report upward: the province's report of a round to the centre, as PDF and DOCX, in the
format of party documents, read back (header, place and date, number, figures in Vietnamese
format, follow-up, signature, recipients); who may produce it; what it refuses."""
import datetime as dt
import io
import unicodedata

import re

import pytest
from sqlalchemy import select, update

from tests.documents import pdf_text
from tests.rollup_world import rollup_world
from tests.snapshots import snapshot
from tinnhiem.platform.audit.models import AuditEntry
from tinnhiem.rollup import report_upward, report_upward_files
from tinnhiem.tenants.models import Unit
from tinnhiem.tenants.scope import unscoped

LETTERHEAD = {"number": "12-BC/TU", "place": "Phú Thọ", "issued_on": "2028-06-20",
              "authority": "T/M Ban Thường vụ", "signer_title": "Phó Bí thư Thường trực",
              "signer_name": "Nguyễn Văn Ký",
              "recipients": "- Ban Tổ chức Trung ương (để báo cáo),\n\nThường trực Tỉnh ủy,\n"
                            "Lưu Văn phòng Tỉnh ủy."}
FOLLOW_UP = {"pending": 1, "in_progress": 1, "decided": 1, "no_action": 0, "overdue": 1}
# The world's certified results (tests/rollup_world): per category, then per unit type.
CATEGORY_ROWS = [
    ["Lãnh đạo cấp ủy", "3", "1", "33,33 %", "0", "0,00 %", "2", "66,67 %"],
    ["Lãnh đạo khác", "2", "1", "50,00 %", "1", "50,00 %", "0", "0,00 %"],
    ["Tổng cộng", "5", "2", "40,00 %", "1", "20,00 %", "2", "40,00 %"]]
TYPE_ROWS = [
    ["Đảng ủy xã", "3", "1", "33,33 %", "0", "0,00 %", "2", "66,67 %"],
    ["Huyện ủy", "2", "1", "50,00 %", "1", "50,00 %", "0", "0,00 %"],
    ["Tổng cộng", "5", "2", "40,00 %", "1", "20,00 %", "2", "40,00 %"]]


@snapshot
def world(make):
    w = rollup_world(make)
    district_type = make.unit_type("Huyện ủy")

    def retype(session):  # the district a type of its own: two rows in the unit-type table
        session.execute(update(Unit).where(Unit.id == w.district.id)
                        .values(type_id=district_type.id))

    make._run(retype)
    return w


def url(world, api=False):
    return f"{'/api/v1' if api else ''}/rounds/{world.round.id}/report-upward"


def plain(text: str) -> str:
    """NFC, with the no-break space before "%" read as a space."""
    return unicodedata.normalize("NFC", text).replace("\u00a0", " ")


def docx_of(data: bytes):
    from docx import Document

    return Document(io.BytesIO(data))


def cells(table) -> list[list[str]]:
    return [[plain(cell.text) for cell in row.cells] for row in table.rows]


def entries(app):
    with app.app_context(), unscoped("test") as session:
        return session.scalars(select(AuditEntry).where(
            AuditEntry.action == "rollup.report_upward").order_by(AuditEntry.id)).all()


def test_the_docx_reads_back_in_the_party_format(world, login, app, monkeypatch):
    monkeypatch.setattr(report_upward_files.followups, "status_counts",
                        lambda s, r: FOLLOW_UP)
    client = login(world.admin_a)
    response = client.post(url(world), data={**LETTERHEAD, "format": "docx"})
    assert response.status_code == 200, response.text
    assert response.mimetype == report_upward_files.DOCX
    assert "bao-cao-tin-nhiem-2023.docx" in response.headers["Content-Disposition"]
    document = docx_of(response.data)
    head, by_category, by_type, follow_up, sign = document.tables
    assert cells(head) == [["TỈNH ỦY ALPHA\n*\nSố 12-BC/TU",
                            "ĐẢNG CỘNG SẢN VIỆT NAM\nPhú Thọ, ngày 20 tháng 6 năm 2028"]]
    properties = [child.tag.split("}")[1] for child in head._tbl.tblPr]
    assert properties.index("tblBorders") < properties.index("tblLook")  # the schema's order
    motto = head.cell(0, 1).paragraphs[0].runs[0]
    assert motto.bold and motto.underline
    assert head.cell(0, 1).paragraphs[1].runs[0].italic
    lines = [plain(p.text) for p in document.paragraphs if p.text]
    assert lines[:2] == ["BÁO CÁO", "kết quả lấy phiếu tín nhiệm đối với cán bộ lãnh đạo, quản"
                                    " lý năm 2023"]
    assert "Số đơn vị tham gia: 4; đã hoàn thành: 2; đang thực hiện: 1; chưa thực hiện: 1." \
        in lines
    assert ("Tổng số người được lấy phiếu đã có kết quả được chứng nhận: 5 người; trong đó: Từ"
            " 2/3 trở lên tín nhiệm thấp: 2 người (40,00 %); Trên 50% tín nhiệm thấp: 1 người"
            " (20,00 %); Bình thường: 2 người (40,00 %).") in lines
    assert cells(by_category)[0] == ["Nhóm chức danh", "Tổng số người",
                                     "Từ 2/3 trở lên tín nhiệm thấp",
                                     "Từ 2/3 trở lên tín nhiệm thấp",
                                     "Trên 50% tín nhiệm thấp", "Trên 50% tín nhiệm thấp",
                                     "Bình thường", "Bình thường"]  # merged over two columns
    assert cells(by_category)[1][2:4] == ["Số người", "Tỷ lệ"]
    assert cells(by_category)[2:] == CATEGORY_ROWS
    assert cells(by_type)[2:] == TYPE_ROWS
    assert "Số người có trên 50% phiếu tín nhiệm thấp thuộc diện xem xét: 3 người." in lines
    assert cells(follow_up) == [["Tình trạng", "Số người"], ["Chưa xem xét", "1"],
                                ["Đang xem xét", "1"], ["Đã có quyết định xử lý", "1"],
                                ["Xem xét, không xử lý", "0"],
                                ["Trong đó: quá hạn xem xét", "1"], ["Tổng cộng", "3"]]
    recipients, signature = (plain(c.text) for c in sign.rows[0].cells)
    assert recipients == ("Nơi nhận:\n- Ban Tổ chức Trung ương (để báo cáo),\n"
                          "- Thường trực Tỉnh ủy,\n- Lưu Văn phòng Tỉnh ủy.")
    assert signature.split("\n")[:2] == ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ THƯỜNG TRỰC"]
    assert signature.split("\n")[-1] == "Nguyễn Văn Ký"
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.left_margin.mm), round(section.right_margin.mm)) == (30, 15)
    [entry] = entries(app)
    assert entry.details == {"format": "docx", "number": "12-BC/TU", "issued_on": "2028-06-20",
                             "recipients": 3}
    assert entry.target == str(world.round.id)


def test_the_pdf_reads_back_with_the_same_figures(world, login, app, monkeypatch):
    monkeypatch.setattr(report_upward_files.followups, "status_counts",
                        lambda s, r: FOLLOW_UP)
    client = login(world.admin_a)
    response = client.post(url(world), data={**LETTERHEAD, "number": "Số: 12-BC/TU",
                                             "format": "pdf"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = plain(pdf_text(response.data))
    assert text.startswith("TỈNH ỦY ALPHA * Số 12-BC/TU ĐẢNG CỘNG SẢN VIỆT NAM Phú Thọ, ngày 20"
                           " tháng 6 năm 2028 BÁO CÁO kết quả lấy phiếu tín nhiệm đối với cán"
                           " bộ lãnh đạo, quản lý năm 2023")
    for row in CATEGORY_ROWS[:2] + TYPE_ROWS:
        assert " ".join(row) in text
    assert "Chưa xem xét 1 Đang xem xét 1 Đã có quyết định xử lý 1 Xem xét, không xử lý 0" \
           " Trong đó: quá hạn xem xét 1 Tổng cộng 3" in text
    assert "Nơi nhận: - Ban Tổ chức Trung ương (để báo cáo), - Thường trực Tỉnh ủy," in text
    assert text.endswith("- Lưu Văn phòng Tỉnh ủy. T/M BAN THƯỜNG VỤ PHÓ BÍ THƯ THƯỜNG TRỰC"
                         " Nguyễn Văn Ký")
    assert "Ẩn Chưa Chứng Nhận" not in text
    assert [e.details["format"] for e in entries(app)] == ["pdf"]


def test_the_form_offers_the_province_place_and_today(world, login):
    from tinnhiem.tenants.services import today

    page = login(world.admin_a).get(url(world))
    assert page.status_code == 200
    assert 'value="Alpha"' in page.text and f'value="{today().isoformat()}"' in page.text
    assert "Lưu Văn phòng Tỉnh ủy." in page.text and "T/M BAN THƯỜNG VỤ" in page.text


def test_blank_place_and_date_take_the_defaults_and_the_follow_up_is_counted(world, token,
                                                                            client):
    """The follow-up table counts the round's people in the low bands as the province's
    follow-up records them (followup.services.status_counts): none recorded yet, all
    pending."""
    from tinnhiem.platform.formats import document_date
    from tinnhiem.tenants.services import today

    response = client.post(url(world, api=True), headers=token(world.admin_a), json={
        "format": "docx", "number": "3-BC/TU", "recipients": ["Ban Tổ chức Trung ương"],
        "authority": "T/M Ban Thường vụ", "signer_title": "Bí thư", "signer_name": "Trần B"})
    assert response.status_code == 200, response.text
    document = docx_of(response.data)
    with client.application.test_request_context():
        from flask_babel import force_locale

        with force_locale("vi"):
            expected = f"Alpha, {document_date(today())}"
    assert plain(document.tables[0].cell(0, 1).text).split("\n")[1] == expected
    lines = [p.text for p in document.paragraphs]
    [low] = [int(re.search(r"(\d+) người", line).group(1)) for line in lines
             if "thuộc diện xem xét" in line]
    follow_up = cells(document.tables[3])
    assert low > 0 and follow_up[1] == ["Chưa xem xét", str(low)]
    assert follow_up[-1] == ["Tổng cộng", str(low)]


def test_a_day_below_ten_as_the_other_documents_write_it(world, token, client):
    """formats.document_date is the one rule for every document's date line."""
    response = client.get(url(world, api=True), headers=token(world.admin_a), query_string={
        **{k: v for k, v in LETTERHEAD.items() if k != "recipients"},
        "recipients": ["Ban Tổ chức Trung ương", "Lưu."], "issued_on": "2028-01-05",
        "format": "pdf"})
    assert response.status_code == 200, response.text
    assert "Phú Thọ, ngày 5 tháng 1 năm 2028" in plain(pdf_text(response.data))


def test_compose_lays_out_the_follow_up_it_is_given(world, app):
    from tinnhiem.platform.db import db
    from tinnhiem.rounds.models import Round

    with app.app_context(), app.test_request_context(), unscoped("test") as session:
        head = report_upward.letterhead(LETTERHEAD, place="X", today=dt.date(2028, 1, 1))
        round_ = session.get(Round, world.round.id)
        report = report_upward.compose(session, round_, "Tỉnh ủy Alpha", head,
                                       {"pending": 7, "decided": 2, "overdue": 4})
        db.session.rollback()
    [table] = [c for k, c in report.blocks if k == "table" and c.caption.startswith("Bảng 3")]
    assert table.rows == [["Chưa xem xét", "7"], ["Đang xem xét", "0"],
                          ["Đã có quyết định xử lý", "2"], ["Xem xét, không xử lý", "0"],
                          ["Trong đó: quá hạn xem xét", "4"], ["Tổng cộng", "9"]]


@pytest.mark.parametrize("who, status", [("viewer_a", 403), ("unit_admin_a1", 403),
                                         ("admin_b", 404), ("operator", 404),
                                         ("counter_a1", 404)])
def test_only_the_province_admin_produces_it(world, login, token, client, app, who, status):
    account = getattr(world, who)
    assert login(account).get(url(world)).status_code == status
    assert client.post(url(world), data={**LETTERHEAD, "format": "pdf"}).status_code == status
    headers = token(account)
    api = client.get(url(world, api=True), headers=headers, query_string={"number": "1"})
    assert api.status_code == status
    if status == 403:
        assert api.json["code"] == "report_not_allowed"
    assert client.post(url(world, api=True), headers=headers,
                       json={"number": 5}).status_code == status  # 403/404 before the body
    assert entries(app) == []


def test_the_dashboard_links_it_for_the_admin_only(world, login, app):
    link = f'href="/rounds/{world.round.id}/report-upward"'
    for account, shown in ((world.admin_a, True), (world.viewer_a, False)):
        page = login(account, target=app.test_client()).get(f"/rounds/{world.round.id}/rollup")
        assert page.status_code == 200 and (link in page.text) == shown


BAD_JSON = [
    ({"number": ""}, "required", "number"),
    ({"number": "Số"}, "required", "number"),
    ({"number": "x" * 41}, "too_long", "number"),
    ({"recipients": []}, "required", "recipients"),
    ({"recipients": ["  ", "-"]}, "required", "recipients"),
    ({"recipients": ["a" * 201]}, None, None),  # the schema's length: 422 too
    ({"recipients": ["x"] * 21}, None, None),
    ({"signer_name": "Trần\uffffB"}, "invalid_characters", "signer_name"),
    ({"authority": "T/M\x01"}, "invalid_characters", "authority"),
    ({"signer_title": ""}, "required", "signer_title"),
    ({"issued_on": "2028-02-30"}, None, None),
    ({"issued_on": "1999-12-31"}, "invalid_date", "issued_on"),
    ({"format": "odt"}, None, None),
    ({"number": ["12"]}, None, None),
    ({"recipients": "Ban Tổ chức"}, None, None),
]


@pytest.mark.parametrize("change, code, field", BAD_JSON)
def test_the_api_refuses_bad_letterheads(world, token, client, app, change, code, field):
    body = {**LETTERHEAD, "recipients": ["Ban Tổ chức Trung ương"], **change}
    response = client.post(url(world, api=True), headers=token(world.admin_a), json=body)
    assert response.status_code == 422, response.text
    if code:
        assert (response.json["code"], response.json["field"]) == (code, field)
    assert entries(app) == []


@pytest.mark.parametrize("raw", [
    b'{"number": "12\\u0000"}', b'{"number": "12\\ud800"}', b'[' * 200 + b']' * 200])
def test_nul_surrogates_and_deep_json_are_refused(world, token, client, raw):
    response = client.post(url(world, api=True), data=raw, content_type="application/json",
                           headers=token(world.admin_a))
    assert response.status_code == 400


def test_the_form_shows_what_it_refused_next_to_the_field(world, login, app):
    client = login(world.admin_a)
    refused = client.post(url(world), data={**LETTERHEAD, "number": "", "format": "pdf"})
    assert refused.status_code == 303
    page = client.get(refused.headers["Location"])
    assert "Trường này là bắt buộc." in page.text and "Phó Bí thư Thường trực" in page.text
    bad_date = client.post(url(world), data={**LETTERHEAD, "issued_on": "20/06/2028",
                                              "format": "docx"})
    assert bad_date.status_code == 303
    assert "Ngày không hợp lệ" in client.get(bad_date.headers["Location"]).text
    no_format = client.post(url(world), data=LETTERHEAD)
    assert no_format.status_code == 303
    assert "Định dạng phải là PDF hoặc DOCX." in client.get(no_format.headers["Location"]).text
    nul = client.post(url(world), data={**LETTERHEAD, "signer_name": "A\x00", "format": "pdf"})
    assert nul.status_code == 400
    assert entries(app) == []
