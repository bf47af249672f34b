"""The counting board's scans over /api/v1: the same flow as the pages (upload, decide,
blind check, accept, count), the same refusals with their stable codes, and nobody but the
conference's own board reaching any of it."""
import io
import os
import re

import pytest

from tinnhiem.platform.auth.roles import Role
from tinnhiem.scanning.models import ScanBatch, ScanCheck, ScanDecision, ScanPage
from tinnhiem.tally.models import TallySheet
from tests.factories import rows
from tests.scan_pages import LEVEL, board_world, scanned
from tests.snapshots import snapshot

PDF = b"%PDF-1.7\n" + b"0" * 2000  # opened by the reader later, not by the upload
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 2000
BALLOTS = ["123", "111", "000", "1?3", "222", "333"]


@snapshot
def world(make):
    return board_world(make)


def url(world, rest=""):
    return f"/api/v1/conferences/{world.voting.id}/scans{rest}"


def send_files(client, world, headers, *files):
    return client.post(url(world), headers=headers, content_type="multipart/form-data",
                       data={"files": [(io.BytesIO(data), name) for name, data in files]})


def decide(client, world, headers, page_id, row, mark):
    return client.put(url(world, f"/pages/{page_id}/rows/{row}"), headers=headers,
                      json={"mark": mark})


def key_as_read(client, world, headers, check, keys_by_page, unread="1"):
    """Key a drawn ballot as its paper says (`unread` for a row the reader doubted)."""
    keys = keys_by_page[check["pages"][0]]
    marks = {str(i): LEVEL[unread if keys[i] == "?" else keys[i]] for i in check["rows"]}
    return client.put(url(world, f"/checks/{check['id']}"), headers=headers,
                      json={"marks": marks})


def test_an_upload_is_queued_and_shown_on_the_overview(make, world, token, client):
    counter = token(world.counter_a1)
    answer = send_files(client, world, counter, ("hop-phieu-1.pdf", PDF), ("anh.jpg", JPEG))
    assert answer.status_code == 202
    assert (answer.json["name"], answer.json["status"], answer.json["pages"]) == (
        "hop-phieu-1.pdf (+1)", "queued", 0)
    [batch] = rows(make, ScanBatch, conference_id=world.voting.id)
    assert (str(batch.id), batch.uploaded_by) == (answer.json["id"], world.counter_a1.id)
    overview = client.get(url(world), headers=counter).json
    assert [b["id"] for b in overview["batches"]] == [answer.json["id"]]
    assert overview["ballots"] == 0 and overview["summary"]["pages"] == 0
    assert "Còn tệp đang đọc." in overview["problems"]
    detail = client.get(url(world, f"/{batch.id}"), headers=counter).json
    assert detail["batch"]["status"] == "queued" and detail["pages"] == []
    # Still within its time: not stalled, so it is not read again.
    again = client.post(url(world, f"/{batch.id}/again"), headers=counter)
    assert (again.status_code, again.json["code"]) == (409, "not_stalled")
    make._run(lambda s: setattr(s.get(ScanBatch, batch.id), "status", "failed"))
    again = client.post(url(world, f"/{batch.id}/again"), headers=counter)
    assert (again.status_code, again.json["status"]) == (202, "queued")


@pytest.mark.parametrize("files, status, code, message", [
    ((), 422, "no_file", "Hãy chọn tệp PDF hoặc ảnh phiếu."),
    ((("phieu.docx", b"PK\x03\x04 not a scan"),), 415, "not_a_scan",
     "Tệp phieu.docx không phải PDF hay ảnh"),
])
def test_what_is_not_a_scan_is_refused_with_its_code(make, world, token, client, files,
                                                     status, code, message):
    answer = send_files(client, world, token(world.counter_a1), *files)
    assert (answer.status_code, answer.json["code"], answer.json["field"]) == (
        status, code, "files")
    assert message in answer.json["message"]
    assert not rows(make, ScanBatch)


@pytest.fixture
def app_config():
    return {"SCAN_MAX_UPLOAD_MB": 2}


def test_an_upload_is_held_to_the_scans_own_limit(make, world, token, client):
    """Larger than the 1 MB of every other request, up to SCAN_MAX_UPLOAD_MB."""
    counter = token(world.counter_a1)
    within = send_files(client, world, counter, ("lon.pdf", PDF + b"0" * 1_500_000))
    assert within.status_code == 202
    over = send_files(client, world, counter, ("qua-lon.pdf", PDF + b"0" * 2_200_000))
    assert (over.status_code, over.json["code"]) == (413, "payload_too_large")
    assert "tối đa 2 MB" in over.json["message"]
    assert [b.name for b in rows(make, ScanBatch)] == ["lon.pdf"]


def test_the_whole_flow_from_scans_to_a_sealed_count(make, world, token, client):
    pages = scanned(make, world, BALLOTS)
    keys_by_page = {str(p): keys for p, keys in zip(pages, BALLOTS)}
    first, second = token(world.counter_a1), token(world.counter_a1_b)
    overview = client.get(url(world), headers=first).json
    assert overview["ballots"] == 6 and overview["summary"]["doubtful"] == 1
    assert "1 dòng chưa được hai thành viên quyết định." in overview["problems"]
    early = client.post(url(world, "/accept"), headers=first, json={"collected": 6})
    assert (early.status_code, early.json["code"]) == (409, "scans_not_ready")
    assert early.json["message"] in overview["problems"]
    # The doubtful page as read, its image apart and never inline.
    detail = client.get(url(world, f"/{overview['batches'][0]['id']}"), headers=first).json
    doubtful = next(p for p in detail["pages"] if p["status"] == "doubtful")
    assert doubtful["id"] == str(pages[3]) and "image" not in doubtful
    assert doubtful["rows"][1] == {"index": 1, "status": "doubtful", "mark": None,
                                   "reason": "faint"}
    image = client.get(url(world, f"/pages/{pages[3]}.jpg"), headers=first)
    assert (image.status_code, image.mimetype, image.data) == (200, "image/jpeg", b"\xff\xd8 page")
    assert "no-store" in image.headers["Cache-Control"]
    # Two members settle the doubtful row.
    proposed = decide(client, world, first, pages[3], 1, "high")
    assert proposed.status_code == 200 and proposed.json["confirmed"] is False
    assert proposed.json["decided_by"] == str(world.counter_a1.id)
    assert decide(client, world, first, pages[3], 1, "high").json["confirmed"] is False
    assert decide(client, world, second, pages[3], 1, "high").json == {
        "page_id": str(pages[3]), "row": 1, "mark": "high",
        "decided_by": str(world.counter_a1.id), "confirmed": True}
    # The blind check: the default draw, each ballot keyed from the paper.
    drawn = client.post(url(world, "/checks"), headers=first, json={})
    assert drawn.status_code == 201 and len(drawn.json) == 5  # 5 % of 6, at least 5
    for check in drawn.json:
        keyed = key_as_read(client, world, second, check, keys_by_page, unread="1")
        assert keyed.status_code == 200
        assert (keyed.json["keyed"], keyed.json["agrees"], keyed.json["differences"]) == (
            True, True, [])
    assert client.get(url(world), headers=first).json["problems"] == []
    wrong = client.post(url(world, "/accept"), headers=first, json={"collected": 7})
    assert (wrong.status_code, wrong.json["code"]) == (409, "scans_count_differs")
    assert wrong.json["message"] == "Số phiếu đọc được (6) khác số phiếu thu về (7)."
    accepted = client.post(url(world, "/accept"), headers=first, json={"collected": 6})
    assert accepted.status_code == 201
    [sheet] = rows(make, TallySheet)
    assert accepted.json == {"sheet_id": str(sheet.id)} and sheet.submitted
    # Then counted by the paper rules, through the existing endpoint.
    counted = client.post(f"/api/v1/conferences/{world.voting.id}/count", headers=first,
                          json={"sheet_id": accepted.json["sheet_id"]})
    assert counted.status_code == 200 and counted.json["collected"] == 6
    assert re.fullmatch(r"[0-9a-f]{64}", counted.json["seal_digest"])


def test_the_blind_check_never_reveals_the_reading(make, world, token, client):
    """An unkeyed check carries its pages and row numbers only; a difference shows where."""
    pages = scanned(make, world, ["123"] * 12)
    keys_by_page = {str(p): "123" for p in pages}
    counter = token(world.counter_a1)
    drawn = client.post(url(world, "/checks"), headers=counter, json={"count": 2})
    assert drawn.status_code == 201 and len(drawn.json) == 2
    listed = client.get(url(world, "/checks"), headers=counter)
    for answer in (drawn, listed):
        text = answer.get_data(as_text=True)
        assert not re.search(r"high|confidence|low|blank|several|crossed|mark", text)
    [one, other] = listed.json["checks"]
    assert set(one) == {"id", "keyed", "agrees", "differences", "pages", "rows"}
    assert (one["keyed"], one["agrees"], one["differences"], one["rows"]) == (
        False, None, [], [0, 1, 2])
    assert one["pages"][0] in keys_by_page
    assert key_as_read(client, world, counter, one, keys_by_page).json["agrees"] is True
    differing = client.put(url(world, f"/checks/{other['id']}"), headers=counter,
                           json={"marks": {"0": "high", "1": "confidence", "2": "high"}})
    assert differing.status_code == 200
    assert (differing.json["agrees"], differing.json["differences"]) == (False, [2])
    assert len(client.get(url(world, "/checks"), headers=counter).json["checks"]) == 4
    again = key_as_read(client, world, counter, one, keys_by_page)
    assert (again.status_code, again.json["code"]) == (409, "check_keyed")


def test_refusals_carry_their_stable_codes(make, world, token, client):
    [page] = scanned(make, world, ["1?3"])
    counter = token(world.counter_a1)
    bad_mark = decide(client, world, counter, page, 1, "very high")
    assert (bad_mark.status_code, bad_mark.json["code"]) == (422, "invalid_input")
    assert "mark" in bad_mark.json["errors"]["json"]
    unknown = decide(client, world, counter, page, 7, "low")
    assert (unknown.status_code, unknown.json["code"]) == (404, "unknown_row")
    assert not rows(make, ScanDecision)
    bad_count = client.post(url(world, "/checks"), headers=counter, json={"count": 0})
    assert bad_count.status_code == 422 and not rows(make, ScanCheck)
    [check] = client.post(url(world, "/checks"), headers=counter, json={"count": 1}).json
    missing = client.put(url(world, f"/checks/{check['id']}"), headers=counter,
                         json={"marks": {"0": "high", "2": "low"}})
    assert (missing.status_code, missing.json["code"], missing.json["message"]) == (
        422, "row_missing", "Chưa nhập dòng 2.")
    not_a_row = client.put(url(world, f"/checks/{check['id']}"), headers=counter,
                           json={"marks": {"first": "high"}})
    assert not_a_row.status_code == 422 and rows(make, ScanCheck)[0].keyed is None
    assert client.post(url(world, "/accept"), headers=counter,
                       json={"collected": -1}).status_code == 422
    assert not rows(make, TallySheet)


def test_the_board_says_which_pages_are_a_sheet_scanned_twice(make, world, token, client):
    _first, second = scanned(make, world, ["123", "123"])
    counter = token(world.counter_a1)
    marked = client.post(url(world, f"/pages/{second}/duplicate"), headers=counter,
                         json={"duplicate": True})
    assert marked.status_code == 200 and marked.json["status"] == "duplicate"
    overview = client.get(url(world), headers=counter).json
    assert (overview["ballots"], overview["summary"]["duplicates"]) == (1, 1)
    single = client.post(url(world, f"/pages/{second}/duplicate"), headers=counter,
                         json={"duplicate": False})
    assert single.json["status"] == "read"
    assert client.get(url(world), headers=counter).json["ballots"] == 2
    # A drawn ballot found afterwards to be a sheet scanned twice is no longer keyed.
    [check] = client.post(url(world, "/checks"), headers=counter, json={"count": 1}).json
    client.post(url(world, f"/pages/{check['pages'][0]}/duplicate"), headers=counter,
                json={"duplicate": True})
    gone = client.put(url(world, f"/checks/{check['id']}"), headers=counter,
                      json={"marks": {"0": "high", "1": "confidence", "2": "low"}})
    assert (gone.status_code, gone.json["code"]) == (409, "check_not_counted")


@pytest.mark.parametrize("who", ["other_counter", "admin_a", "operator"])
def test_nobody_but_the_conferences_board_reaches_the_scans(make, world, token, client, who):
    """Another unit's counter, the province and the operator: 404, nothing written."""
    if who == "other_counter":
        world.other_counter = make.account(Role.COUNTER, world.a2)
    [page] = scanned(make, world, ["1?3"])
    batch = rows(make, ScanPage, id=page)[0].batch_id
    headers = token(getattr(world, who))
    calls = [client.get(url(world), headers=headers),
             client.get(url(world, f"/{batch}"), headers=headers),
             client.get(url(world, f"/pages/{page}.jpg"), headers=headers),
             client.get(url(world, "/checks"), headers=headers),
             send_files(client, world, headers, ("phieu.pdf", PDF)),
             decide(client, world, headers, page, 1, "low"),
             client.post(url(world, f"/pages/{page}/duplicate"), headers=headers,
                         json={"duplicate": True}),
             client.post(url(world, "/checks"), headers=headers, json={}),
             client.post(url(world, "/accept"), headers=headers, json={"collected": 1})]
    assert [c.status_code for c in calls] == [404] * len(calls)
    assert {c.json["code"] for c in calls} == {"not_found"}
    assert len(rows(make, ScanBatch)) == 1 and not rows(make, ScanDecision)
    assert not rows(make, ScanCheck) and rows(make, ScanPage, id=page)[0].status == "doubtful"


def test_an_electronic_conference_has_no_scans(make, token, client):
    world = make.conference_for(make.world(), None)
    make.open_conference(world)
    answer = client.get(f"/api/v1/conferences/{world.voting.id}/scans",
                        headers=token(world.unit_admin_a1))
    assert answer.status_code == 404


def test_the_scans_operations_have_no_server_error_for_the_board(app, make, world, token):
    """The OpenAPI fuzz (tests/api_fuzz.py) on a paper conference with real scans, as its
    board: the generic fuzz's conference is electronic, where these are all 404."""
    from tests.api_fuzz import api_operations, fuzz_reach
    from tests.scan_pages import drawn

    [page] = scanned(make, world, ["1?3"])
    real_ids = {"conference_id": world.voting.id, "page_id": page,
                "batch_id": rows(make, ScanPage, id=page)[0].batch_id,
                "check_id": drawn(make, world, page)}
    real_ids = {name: str(value) for name, value in real_ids.items()}
    operations = [o for o in api_operations(app)
                  if "/scans" in o.path]
    assert len(operations) == 11
    examples = int(os.environ.get("FUZZ_EXAMPLES", "12"))
    failures = [fuzz_reach(o, token(world.unit_admin_a1), real_ids, examples, 3)
                for o in operations]
    assert [f for f in failures if f] == []
