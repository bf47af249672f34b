"""The province's standing cadre registry (issue #17): kept by hand or imported, one name per
cadre code, read within each scope, and the source a round's entries are filled from."""
import io
import uuid

import pytest
from openpyxl import Workbook, load_workbook

from tests.factories import refused_page, rows
from tests.snapshots import snapshot
from tinnhiem.cadre_registry.models import CadrePost
from tinnhiem.platform.audit.models import AuditEntry

HEADER = ["Mã cán bộ", "Họ và tên", "Chức vụ", "Mã đơn vị", "Từ ngày", "Đến ngày", "Ghi chú"]


@snapshot
def signed_in_world(make, token):
    """World A (A1 with a child, A2) and B; round_a with A1 and A2; an API token of each of
    'province', 'viewer', 'a1', 'a2', 'counter', 'b' and 'b1' (as world.headers)."""
    world = make.world()
    make.conference_for(world)
    world.headers = {"province": token(world.admin_a), "viewer": token(world.viewer_a),
                     "a1": token(world.unit_admin_a1), "a2": token(world.unit_admin_a2),
                     "counter": token(world.counter_a1), "b": token(world.admin_b),
                     "b1": token(world.unit_admin_b1)}
    world.codes = {unit: make._run(lambda s, u=unit: s.get(type(u), u.id).code)
                   for unit in (world.a1, world.a2, world.a1_child, world.b1)}
    return world


@pytest.fixture
def w(signed_in_world, make, client, login):
    """The signed-in world: w.api(who, ...) calls the API as 'province', 'viewer', 'a1', 'a2',
    'counter', 'b' or 'b1'; w.pages the pages signed in as 'province' or 'a1'."""
    world = signed_in_world

    def api(who, method, url, **kwargs):
        return client.open(f"/api/v1{url}", method=method, headers=world.headers[who],
                           **kwargs)

    world.api, world.make = api, make
    world.pages = {who: login(account, target=make.app.test_client()) for who, account in (
        ("province", world.admin_a), ("a1", world.unit_admin_a1))}
    return world


def _add(w, code, name, unit, post="Bí thư", since="2021-03-01", who="province", **extra):
    return w.api(who, "POST", "/cadre-registry", json={
        "cadre_code": code, "full_name": name, "post": post, "unit_id": str(unit.id),
        "held_since": since, **extra})


def _list(w, who="province", **query):
    response = w.api(who, "GET", "/cadre-registry", query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def _xlsx(table) -> bytes:
    book = Workbook()
    for row in table:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(table) -> bytes:
    return "\n".join(",".join(row) for row in table).encode()


def _import(w, content: bytes, name="danh-sach.xlsx", who="province"):
    return w.api(who, "POST", "/cadre-registry/import",
                 data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


# Hand edits ---------------------------------------------------------------------------------

def test_the_province_adds_and_finds_posts_by_name_code_post_or_unit_page_by_page(w):
    assert _add(w, "cb-01", "Nguyễn Văn An", w.a1).status_code == 201
    assert _add(w, "CB-02", "Trần Thị Bình", w.a2, post="Phó Bí thư").status_code == 201
    assert _add(w, "CB-03", "Lê Văn Cường", w.a1_child, post="Bí thư chi bộ").status_code == 201
    everyone = _list(w)
    assert everyone["total"] == 3
    # Vietnamese list order: by given name (An, Bình, Cường); the code normalised.
    assert [p["cadre_code"] for p in everyone["items"]] == ["CB-01", "CB-02", "CB-03"]
    assert everyone["items"][0]["unit_name"] == "Đảng ủy xã A1"
    assert [p["full_name"] for p in _list(w, q="nguyen van")["items"]] == ["Nguyễn Văn An"]
    assert [p["full_name"] for p in _list(w, q="cb-02")["items"]] == ["Trần Thị Bình"]
    assert [p["full_name"] for p in _list(w, q="phường a2")["items"]] == ["Trần Thị Bình"]
    assert _list(w, q="%")["total"] == 0  # a wildcard is a character, not "anything"
    # The post's title too, without its accents: every Bí thư, and only the chi bộ's.
    assert [p["full_name"] for p in _list(w, q="bi thu")["items"]] == [
        "Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
    assert [p["full_name"] for p in _list(w, q="bí thư chi bộ")["items"]] == ["Lê Văn Cường"]
    second = _list(w, per_page=2, page=2)
    assert (second["total"], second["pages"], len(second["items"])) == (3, 2, 1)
    assert second["items"][0]["full_name"] == "Lê Văn Cường"
    page = w.pages["province"].get("/cadre-registry/?q=binh")
    assert page.status_code == 200 and "Trần Thị Bình" in page.text
    assert "Nguyễn Văn An" not in page.text


def test_one_code_is_one_person_with_one_name(w):
    assert _add(w, "CB-10", "Nguyễn Văn An", w.a1).status_code == 201
    other = _add(w, "CB-10", "Trần Văn Khác", w.a2)
    assert other.status_code == 409 and other.json["code"] == "name_conflict"
    assert "Nguyễn Văn An" in other.json["message"] and "CB-10" in other.json["message"]
    # The same person holds a post in another unit too.
    assert _add(w, "CB-10", "Nguyễn Văn An", w.a2, post="Chủ tịch").status_code == 201
    again = _add(w, "cb-10", "Nguyễn Văn An", w.a1, post="bí  thư")
    assert again.status_code == 409 and again.json["code"] == "already_held"
    assert "Đảng ủy xã A1" in again.json["message"]
    assert _list(w, q="CB-10")["total"] == 2


def test_a_correction_renames_the_person_everywhere_and_an_ended_post_stays_as_history(w):
    first = _add(w, "CB-20", "Nguyen Van Sai", w.a1).json
    second = _add(w, "CB-20", "Nguyen Van Sai", w.a2, post="Chủ tịch").json
    fixed = w.api("province", "PATCH", f"/cadre-registry/{first['id']}",
                  json={"full_name": "Nguyễn Văn Đúng", "note": "Sửa dấu"})
    assert fixed.status_code == 200, fixed.json
    assert {p["full_name"] for p in _list(w, q="CB-20")["items"]} == {"Nguyễn Văn Đúng"}
    ended = w.api("province", "POST", f"/cadre-registry/{first['id']}/end",
                  json={"held_until": "2024-05-31"})
    assert ended.status_code == 200
    assert (ended.json["current"], ended.json["held_until"]) == (False, "2024-05-31")
    twice = w.api("province", "POST", f"/cadre-registry/{first['id']}/end", json={})
    assert twice.status_code == 409 and twice.json["code"] == "already_ended"
    early = w.api("province", "POST", f"/cadre-registry/{second['id']}/end",
                  json={"held_until": "2020-01-01"})
    assert early.status_code == 422 and early.json["code"] == "invalid_period"
    assert [p["post"] for p in _list(w, q="CB-20")["items"]] == ["Chủ tịch"]
    history = _list(w, q="CB-20", include_ended="true")["items"]
    assert sorted(p["post"] for p in history) == ["Bí thư", "Chủ tịch"]
    # The post ended, the person may hold it again (a new term).
    assert _add(w, "CB-20", "Nguyễn Văn Đúng", w.a1, since="2024-06-01").status_code == 201
    actions = [e.action for e in rows(w.make, AuditEntry)]
    for action in ("cadre_post.added", "cadre_post.updated", "cadre_post.ended"):
        assert action in actions


def test_the_province_edits_and_ends_a_post_on_its_pages(w):
    post = _add(w, "CB-30", "Phạm Thị Hoa", w.a2, post="Trưởng ban").json
    page = w.pages["province"]
    form = page.get(f"/cadre-registry/posts/{post['id']}/edit")
    assert form.status_code == 200 and 'value="Phạm Thị Hoa"' in form.text
    saved = page.post(f"/cadre-registry/posts/{post['id']}/edit", data={
        "post-full_name": "Phạm Thị Hoa", "post-post": "Trưởng ban Tổ chức",
        "post-held_since": "2021-03-01", "post-held_until": "", "post-note": ""},
        follow_redirects=True)
    assert "Đã lưu." in saved.text and "Trưởng ban Tổ chức" in saved.text
    # The search follows the post's new title.
    assert [p["full_name"] for p in _list(w, q="truong ban to chuc")["items"]] == [
        "Phạm Thị Hoa"]
    refused = refused_page(page, page.post(f"/cadre-registry/posts/{post['id']}/end",
                                           data={"end-held_until": "2020-01-01"}))
    assert "Ngày thôi giữ chức vụ phải sau ngày bắt đầu." in refused.text
    ended = page.post(f"/cadre-registry/posts/{post['id']}/end", data={"end-held_until": ""},
                      follow_redirects=True)
    assert "Đã ghi nhận thôi giữ chức vụ." in ended.text and "Đã thôi" in ended.text
    added = page.post("/cadre-registry/posts", data={
        "post-cadre_code": "CB-31", "post-full_name": "Vũ Văn Mới", "post-post": "Bí thư",
        "post-unit_id": str(w.a1.id), "post-held_since": "2022-01-05"}, follow_redirects=True)
    assert "Đã thêm chức vụ vào danh sách cán bộ." in added.text and "Vũ Văn Mới" in added.text


# Importing the province's list --------------------------------------------------------------

def test_an_xlsx_list_adds_then_updates_by_code_unit_and_post(w):
    a1, a2 = w.codes[w.a1], w.codes[w.a2]
    first = [HEADER, ["CB-40", "Nguyễn Văn An", "Bí thư", a1, "01/03/2021", "", ""],
             ["CB-41", "Trần Thị Bình", "Phó Bí thư", "Đảng ủy phường A2", "2022-07-15", "", ""],
             ["CB-40", "Nguyễn Văn An", "Chủ tịch", a2, "2021-03-01", "", "Kiêm nhiệm"]]
    done = _import(w, _xlsx(first))
    assert done.status_code == 200, done.json
    assert done.json == {"added": 3, "updated": 0, "unchanged": 0}
    second = [HEADER, first[2], ["CB-40", "Nguyễn Văn An", "BÍ THƯ", a1, "2021-03-01",
                                 "2024-12-31", "Nghỉ hưu"],
              ["CB-42", "Lê Văn Cường", "Bí thư", a2, "2023-01-02", "", ""]]
    again = _import(w, _xlsx(second))
    assert again.json == {"added": 1, "updated": 1, "unchanged": 1}
    assert _list(w)["total"] == 3  # CB-40's post at A1 ended
    ended = [p for p in _list(w, include_ended="true")["items"] if p["held_until"]]
    assert [(p["cadre_code"], p["note"]) for p in ended] == [("CB-40", "Nghỉ hưu")]
    assert "cadre_registry.imported" in [e.action for e in rows(w.make, AuditEntry)]


def test_a_csv_with_bad_rows_saves_nothing_and_names_every_row(w):
    _add(w, "CB-50", "Nguyễn Văn An", w.a1)
    a1 = w.codes[w.a1]
    table = [HEADER, ["CB-51", "Đúng Người", "Bí thư", a1, "2021-01-01", "", ""],
             ["CB 5$", "Sai Mã", "Bí thư", a1, "2021-01-01", "", ""],
             ["CB-52", "Không Đơn Vị", "Bí thư", "KHONG-CO", "2021-01-01", "", ""],
             ["CB-53", "Sai Ngày", "Bí thư", a1, "31/02/2021", "", ""],
             ["CB-50", "Trần Văn Khác", "Chủ tịch", a1, "2021-01-01", "", ""],
             ["CB-51", "Đúng Người Khác", "Phó", a1, "2021-01-01", "", ""],
             ["CB-51", "Đúng Người", "bí thư", a1, "2021-01-01", "", ""],
             ["CB-54", "Của Tỉnh Khác", "Bí thư", w.codes[w.b1], "2021-01-01", "", ""]]
    refused = _import(w, _csv(table), name="danh-sach.CSV")
    assert refused.status_code == 422 and refused.json["code"] == "import_errors"
    problems = {r["row"]: r["message"] for r in refused.json["rows"]}
    assert sorted(problems) == [3, 4, 5, 6, 7, 8, 9]
    assert "Mã chỉ gồm" in problems[3] and "KHONG-CO" in problems[4]
    assert "Ngày không hợp lệ" in problems[5]
    assert "Nguyễn Văn An" in problems[6] and "Đúng Người" in problems[7]
    assert "dòng 2" in problems[8] and "Không có đơn vị" in problems[9]
    assert _list(w)["total"] == 1  # nothing of the file was saved
    page = w.pages["province"]
    shown = refused_page(page, page.post("/cadre-registry/import", data={
        "import-file": (io.BytesIO(_csv(table)), "danh-sach.csv")},
        content_type="multipart/form-data"), "/cadre-registry/")
    assert "Tệp có dòng không hợp lệ; chưa lưu gì" in shown.text and "Dòng 4:" in shown.text


@pytest.mark.parametrize("name, content, status, code", [
    ("trong.csv", b"", 422, "empty_file"),
    ("trong.csv", ",".join(HEADER).encode(), 422, "empty_file"),
    ("danh-sach.pdf", b"%PDF-1.4", 422, "bad_file_type"),
    ("thieu-cot.csv", "Họ và tên,Chức vụ\nAn,Bí thư".encode(), 422, "missing_columns"),
    ("hong.xlsx", b"PK not really a zip", 422, "bad_file"),
    ("latin.csv", "Mã cán bộ".encode("utf-16"), 422, "not_utf8"),
])
def test_a_file_that_is_not_a_list_is_refused(w, name, content, status, code):
    response = _import(w, content, name=name)
    assert (response.status_code, response.json["code"]) == (status, code)
    assert response.json["message"]


def test_a_huge_file_is_413_before_it_is_read(w):
    response = _import(w, b"x" * (3 * 1024 * 1024), name="lon.csv")
    assert response.status_code == 413 and response.json["code"] == "payload_too_large"


def test_the_template_has_the_columns_the_import_reads(w):
    response = w.pages["province"].get("/cadre-registry/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [cell.value for cell in sheet[1]] == HEADER
    filled = [HEADER, ["CB-60", "Đỗ Văn Mẫu", "Bí thư", w.codes[w.a1], "2021-01-01", "", ""]]
    page = w.pages["province"]
    done = page.post("/cadre-registry/import", data={"import-file": (
        io.BytesIO(_xlsx(filled)), "mau.xlsx")}, content_type="multipart/form-data",
        follow_redirects=True)
    assert "Đã nhập danh sách: thêm 1, cập nhật 0, không đổi 0." in done.text


# Filling a round -----------------------------------------------------------------------------

def test_filling_a_round_enters_current_posts_and_refuses_a_third_place_per_person(w):
    three = w.api("province", "POST", "/rounds", json={
        "name": "Đợt ba đơn vị", "year": 2024,
        "unit_ids": [str(u.id) for u in (w.a1, w.a2, w.a1_child)],
        "categories": [{"name": "Lãnh đạo", "deadline": "2024-06-30"}]}).json
    for unit, post in ((w.a1, "Bí thư"), (w.a1, "Chủ tịch"), (w.a2, "Phó Bí thư")):
        _add(w, "CB-70", "Nguyễn Văn Hai Nơi", unit, post=post)
    for unit in (w.a1, w.a2, w.a1_child):
        _add(w, "CB-71", "Trần Văn Ba Nơi", unit)
    _add(w, "CB-72", "Lê Văn Đã Có", w.a2)
    ended = _add(w, "CB-73", "Phạm Văn Đã Thôi", w.a1).json
    w.api("province", "POST", f"/cadre-registry/{ended['id']}/end", json={})
    _add(w, "CB-74", "Vũ Văn Tỉnh Khác", w.b1, who="b")
    entered = w.api("province", "POST", f"/rounds/{three['id']}/registry", json={
        "unit_id": str(w.a2.id), "cadre_code": "CB-72", "full_name": "Lê Văn Đã Có",
        "post": "Bí thư"})
    assert entered.status_code == 201
    filled = w.api("province", "POST", f"/rounds/{three['id']}/registry/fill")
    assert filled.status_code == 200, filled.json
    assert (filled.json["added"], filled.json["kept"]) == (2, 1)
    [refused] = filled.json["refused"]
    assert refused["cadre_code"] == "CB-71" and "3 đơn vị" in refused["message"]
    assert "tối đa ở 2 nơi" in refused["message"]
    registry = w.api("province", "GET", f"/rounds/{three['id']}/registry").json
    places = sorted((e["cadre_code"], e["unit_id"]) for e in registry)
    assert places == sorted([("CB-70", str(w.a1.id)), ("CB-70", str(w.a2.id)),
                             ("CB-72", str(w.a2.id))])
    assert [e["post"] for e in registry if e["cadre_code"] == "CB-70"
            and e["unit_id"] == str(w.a1.id)] == ["Bí thư, Chủ tịch"]
    again = w.api("province", "POST", f"/rounds/{three['id']}/registry/fill").json
    assert (again["added"], again["kept"], len(again["refused"])) == (0, 3, 1)
    assert "registry.filled" in [e.action for e in rows(w.make, AuditEntry)]
    page = w.pages["province"].post(f"/rounds/{three['id']}/registry/fill",
                                    follow_redirects=True)
    assert "thêm 0, đã có 3, chưa đưa vào 1" in page.text and "Trần Văn Ba Nơi" in page.text
    assert w.api("a1", "POST", f"/rounds/{three['id']}/registry/fill").status_code == 404


def test_a_unit_picking_its_cadres_reads_the_registry_and_the_start_date(w):
    _add(w, "CB-A1", "Nguyễn Văn Được", w.a1, post="Bí thư Đảng ủy", since="2023-02-01")
    _add(w, "CB-80", "Hồ Thị Chọn", w.a1, post="Phó Bí thư", since="2021-04-05")
    w.api("province", "POST", f"/rounds/{w.round_a.id}/registry/fill")
    page = w.pages["a1"].get(f"/conferences/{w.conference_a1.id}")
    assert "Phó Bí thư, từ 05/04/2021" in page.text
    picked = w.pages["a1"].get(f"/conferences/{w.conference_a1.id}?cadre=CB-80")
    assert 'value="2021-04-05"' in picked.text and 'value="Hồ Thị Chọn"' in picked.text


# Who sees what -------------------------------------------------------------------------------

def test_each_scope_reads_only_its_posts_and_only_the_province_admin_writes(w):
    a1_post = _add(w, "CB-90", "Nguyễn Văn Một", w.a1).json
    _add(w, "CB-91", "Trần Văn Hai", w.a2)
    b_post = _add(w, "CB-92", "Lê Văn Ba", w.b1, who="b").json
    assert [p["cadre_code"] for p in _list(w, "a1")["items"]] == ["CB-90"]
    assert [p["cadre_code"] for p in _list(w, "a2")["items"]] == ["CB-91"]
    # In list order: Hai before Một.
    assert [p["cadre_code"] for p in _list(w, "viewer")["items"]] == ["CB-91", "CB-90"]
    assert [p["cadre_code"] for p in _list(w, "b")["items"]] == ["CB-92"]
    assert [p["cadre_code"] for p in _list(w, "b1")["items"]] == ["CB-92"]
    assert w.api("a1", "GET", f"/cadre-registry/{a1_post['id']}").status_code == 200
    for who in ("a2", "b", "b1"):
        assert w.api(who, "GET", f"/cadre-registry/{a1_post['id']}").status_code == 404
    for who in ("a1", "a2", "viewer", "b", "counter"):
        for method, url, body in (
                ("PATCH", f"/cadre-registry/{a1_post['id']}", {"note": "x"}),
                ("POST", f"/cadre-registry/{a1_post['id']}/end", {})):
            assert w.api(who, method, url, json=body).status_code == 404, (who, url)
    assert w.api("counter", "GET", "/cadre-registry").status_code == 404
    assert _add(w, "CB-93", "Người Lạ", w.a1, who="viewer").status_code == 404
    # Another province's unit does not exist for the province admin of A.
    foreign = _add(w, "CB-94", "Sang Tỉnh Khác", w.b1)
    assert foreign.status_code == 422 and foreign.json["code"] == "unknown_unit"
    assert w.api("province", "GET", f"/cadre-registry/{b_post['id']}").status_code == 404
    page = w.pages["a1"].get("/cadre-registry/")
    assert "Nguyễn Văn Một" in page.text and "Trần Văn Hai" not in page.text
    assert "Thêm chức vụ" not in page.text  # reading only
    assert w.pages["a1"].get(f"/cadre-registry/posts/{a1_post['id']}/edit").status_code == 404


@pytest.mark.postgresql_only
def test_row_level_security_keeps_posts_in_their_unit(w, app):
    from sqlalchemy import text

    from tinnhiem.platform.db import db
    from tinnhiem.tenants.scope import Scope, bind_scope

    _add(w, "CB-95", "Nguyễn Văn Một", w.a1)
    _add(w, "CB-96", "Trần Văn Hai", w.a2)
    with app.app_context():
        session = db.session.session_factory()
        bind_scope(session, Scope.for_unit(w.province_a.id, w.a2.id))
        seen = session.execute(text("SELECT cadre_code FROM cadre_posts")).scalars().all()
        assert seen == ["CB-96"]
        with pytest.raises(Exception, match="row-level security"):
            session.connection().execute(text(
                "INSERT INTO cadre_posts (id, cadre_code, full_name, name_key, search_key, post,"
                " post_key, held_since, note, unit_id, province_id) VALUES (:id, 'X', 'X', 'X',"
                " 'x', 'X', 'x', '2021-01-01', '', :unit, :province)"),
                {"id": uuid.uuid4(), "unit": w.a1.id, "province": w.province_a.id})
        session.rollback()
        changed = session.execute(text("UPDATE cadre_posts SET note = 'x'")).rowcount
        assert changed == 1  # A2's own row only
        session.rollback()
        session.close()
        session = db.session.session_factory()
        bind_scope(session, Scope.for_province(w.province_b.id))
        assert session.execute(text("SELECT count(*) FROM cadre_posts")).scalar() == 0
        session.close()
    assert len(rows(w.make, CadrePost)) == 2


# Bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    {"cadre_code": "CB-1", "full_name": "An\x00", "post": "Bí thư", "held_since": "2021-01-01"},
    {"cadre_code": "CB-1", "full_name": "An", "post": "Bí\ud800", "held_since": "2021-01-01"},
    {"cadre_code": "CB\x00", "full_name": "An", "post": "Bí thư", "held_since": "2021-01-01"},
    {"cadre_code": "CB-1", "full_name": "An", "post": "Bí thư", "held_since": "21/13/2021"},
    {"cadre_code": "CB-1", "full_name": "An", "post": "Bí thư", "held_since": "2021-01-01",
     "held_until": "2020-01-01"},
    {"cadre_code": "CB-1", "full_name": "An" * 200, "post": "Bí thư",
     "held_since": "2021-01-01"},
    {"cadre_code": "CB-1", "full_name": "An", "post": "Bí thư", "held_since": "2021-01-01",
     "note": "x\x00"},
])
def test_bad_input_is_a_clear_4xx(w, body):
    response = w.api("province", "POST", "/cadre-registry", json={**body,
                                                                  "unit_id": str(w.a1.id)})
    assert 400 <= response.status_code < 500 and response.json["code"]
    assert _list(w)["total"] == 0


def test_deep_json_odd_queries_and_a_nul_in_a_file_are_4xx(w):
    deep = "[" * 5000 + "]" * 5000
    response = w.api("province", "POST", "/cadre-registry", data=deep,
                     content_type="application/json")
    assert 400 <= response.status_code < 500
    for query in ({"page": "abc"}, {"unit_id": "not-an-id"}, {"q": "x" * 500}):
        assert w.api("province", "GET", "/cadre-registry",
                     query_string=query).status_code == 422
    for query in ("page=abc", "unit_id=not-an-id", "q=%00%ED%A0%80"):
        assert w.pages["province"].get(f"/cadre-registry/?{query}").status_code in (200, 400)
    nul = _import(w, _csv([HEADER, ["CB-1", "An\x00", "Bí thư", w.codes[w.a1], "2021-01-01",
                                    "", ""]]), name="nul.csv")
    assert nul.status_code == 422 and nul.json["rows"][0]["row"] == 2


@pytest.mark.postgresql_only
def test_two_admins_giving_one_code_two_names_at_once_get_one_refusal(w, app, token):
    """The province's writers take turns: one code never ends up with two names."""
    from tests.concurrency import concurrently

    headers = token(w.admin_a)

    def add(name, unit):
        return lambda client: client.post("/api/v1/cadre-registry", headers=headers, json={
            "cadre_code": "CB-RACE", "full_name": name, "post": "Bí thư",
            "unit_id": str(unit.id), "held_since": "2021-01-01"}).status_code

    statuses = concurrently(app, [add("Nguyễn Văn Một", w.a1), add("Trần Văn Hai", w.a2)], 2)
    assert sorted(statuses) == [201, 409]
    assert len({p.full_name for p in rows(w.make, CadrePost, cadre_code="CB-RACE")}) == 1
