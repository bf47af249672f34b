"""The counting board's work on scanned ballots: two members settle every doubtful or
flagged row, a blind check of ballots drawn at random, and the reading accepted as a sheet
only when all of it holds and the ballots read are the ballots collected."""
import re

from tinnhiem.conferences import services as conferences
from tinnhiem.platform.audit.models import AuditEntry
from tinnhiem.platform.auth.roles import Role
from tinnhiem.scanning import board
from tinnhiem.scanning.models import ScanCheck, ScanDecision, ScanPage
from tinnhiem.tally.models import Ballot, BallotMark, TallySheet
from tinnhiem.tally.seal import seal_digest
from tests.documents import pdf_text
from tests.factories import refused_page, rows
from tests.scan_pages import LEVEL, board_world, drawn, scanned
from tests.snapshots import snapshot


@snapshot
def world(make):
    return board_world(make)


def path(world, rest=""):
    return f"/conferences/{world.voting.id}/scans{rest}"


def decide(client, world, page_id, row, mark):
    return client.post(path(world, f"/pages/{page_id}/rows/{row}"), data={"decide-mark": mark})


def test_two_members_settle_a_doubtful_row(app, make, world, login):
    [page] = scanned(make, world, ["1?3"])
    first = login(world.counter_a1, target=app.test_client())
    second = login(world.counter_a1_b, target=app.test_client())
    review = first.get(path(world, "/review")).text
    assert "Nghi ngờ: Ban kiểm phiếu quyết định" in review and "Người Thứ 2" in review
    assert decide(first, world, page, 1, "low").status_code == 302
    assert decide(first, world, page, 1, "low").status_code == 302  # one member is not two
    assert "Đề xuất: Tín nhiệm thấp, chờ thành viên khác xác nhận" in first.get(
        path(world, "/review")).text
    assert "1 dòng chưa được hai thành viên quyết định." in first.get(path(world)).text
    assert decide(second, world, page, 1, "confidence").status_code == 302  # disagrees
    [proposal] = rows(make, ScanDecision)
    assert (proposal.mark, proposal.decided_by, proposal.confirmed_by) == (
        "confidence", world.counter_a1_b.id, None)
    assert decide(first, world, page, 1, "confidence").status_code == 302
    [settled] = rows(make, ScanDecision)
    assert settled.confirmed_by == world.counter_a1.id
    assert "Đã quyết định: Tín nhiệm" in second.get(path(world, "/review")).text
    entries = rows(make, AuditEntry, action="scan.row_decided")
    assert [e.details["confirmed"] for e in entries] == [False, False, False, True]
    assert all("mark" not in e.details and e.details["row"] == 2 for e in entries)


def test_a_crossed_out_name_is_put_to_the_board_even_when_read_clearly(app, make, world, login):
    scanned(make, world, ["125"])
    client = login(world.counter_a1)
    assert "Gạch tên" in client.get(path(world, "/review")).text
    assert "1 dòng chưa được hai thành viên quyết định." in client.get(path(world)).text


def test_a_row_that_is_not_on_any_scanned_ballot_is_refused(app, make, world, login):
    [page] = scanned(make, world, ["123"])
    client = login(world.counter_a1)
    answer = refused_page(client, decide(client, world, page, 7, "low"), path(world, "/review"))
    assert "Không tìm thấy dòng này" in answer.text
    assert not rows(make, ScanDecision)


def test_the_blind_check_never_shows_the_reading_and_a_difference_widens_it(
        app, make, world, login):
    scanned(make, world, ["123"] * 12)
    first = login(world.counter_a1, target=app.test_client())
    assert first.post(path(world, "/check/draw"), data={}).status_code == 302
    drawn = rows(make, ScanCheck)
    assert len(drawn) == 5  # 5 % of 12, at least 5
    key_page = first.get(path(world, f"/check/{drawn[0].id}")).text
    assert "Máy đọc" not in key_page and "Tín nhiệm cao" not in key_page
    assert 'name="row-0"' in key_page and "Người Thứ 1" in key_page
    assert first.post(path(world, f"/check/{drawn[0].id}"),
                      data={"row-0": "1", "row-1": "2", "row-2": "3"}).status_code == 302
    assert first.post(path(world, f"/check/{drawn[1].id}"),
                      data={"row-0": "1", "row-1": "2", "row-2": "1"}).status_code == 302
    assert len(rows(make, ScanCheck)) == 10  # as many again after a difference
    page = first.get(path(world, "/check")).text
    assert page.count("Khác kết quả đọc") == 1 and page.count(">Khớp<") == 1
    assert "Có phiếu kiểm tra khác với kết quả đọc" in first.get(path(world)).text
    # The board looks at the paper and settles the row (here: the reader was right).
    second = login(world.counter_a1_b, target=app.test_client())
    assert decide(first, world, drawn[1].page_id, 2, "low").status_code == 302
    assert decide(second, world, drawn[1].page_id, 2, "low").status_code == 302
    assert "Khác kết quả đọc" not in first.get(path(world, "/check")).text
    again = refused_page(first, first.post(path(world, f"/check/{drawn[0].id}"),
                                           data={"row-0": "1", "row-1": "1", "row-2": "1"}))
    assert "đã được nhập kiểm tra" in again.text


def test_a_keying_with_a_row_missing_is_refused(app, make, world, login):
    scanned(make, world, ["123"] * 5)
    client = login(world.counter_a1)
    client.post(path(world, "/check/draw"), data={"draw-count": "1"})
    [check] = rows(make, ScanCheck)
    page = refused_page(client, client.post(path(world, f"/check/{check.id}"),
                                            data={"row-0": "1", "row-1": "9"}))
    assert "Chưa nhập dòng 2." in page.text
    assert rows(make, ScanCheck)[0].keyed is None


def _pass_the_check(client, make, world, decided="1"):
    """Draw the default check and key every drawn ballot as the paper says (`decided` for a
    row the reader could not read)."""
    key_of = {mark: key for key, mark in LEVEL.items()}
    client.post(path(world, "/check/draw"), data={})
    for check in rows(make, ScanCheck):
        [page] = rows(make, ScanPage, id=check.page_id)
        data = {f"row-{r['index']}": key_of.get(r["mark"], decided) for r in page.rows}
        assert client.post(path(world, f"/check/{check.id}"), data=data).status_code == 302


def test_the_reading_becomes_a_sheet_only_when_settled_and_the_count_matches(
        app, make, world, login):
    scanned(make, world, ["123", "111", "000", "1?3", "222", "333"])
    first = login(world.counter_a1, target=app.test_client())
    second = login(world.counter_a1_b, target=app.test_client())
    refused = refused_page(first, first.post(path(world, "/accept"),
                                             data={"accept-collected": "6"}), path(world))
    assert "1 dòng chưa được hai thành viên quyết định." in refused.text
    assert not rows(make, TallySheet)
    page_id = rows(make, ScanPage, status="doubtful")[0].id
    decide(first, world, page_id, 1, "high")
    decide(second, world, page_id, 1, "high")
    _pass_the_check(first, make, world)
    assert "Nhận kết quả đọc" in first.get(path(world)).text
    wrong = refused_page(first, first.post(path(world, "/accept"),
                                           data={"accept-collected": "7"}), path(world))
    assert "Số phiếu đọc được (6) khác số phiếu thu về (7)." in wrong.text
    assert first.post(path(world, "/accept"), data={"accept-collected": "6"}).status_code == 302
    [sheet] = rows(make, TallySheet)
    assert (sheet.counter_id, sheet.method, sheet.submitted) == (
        world.counter_a1.id, "ballots", True)
    ballots = rows(make, Ballot, sheet_id=sheet.id)
    assert len(ballots) == 6 and sum(b.blank for b in ballots) == 1
    people = {p.id: i for i, p in enumerate(world.people)}
    by_ballot = {}
    for mark in rows(make, BallotMark):
        by_ballot.setdefault(mark.ballot_id, [None] * 3)[people[mark.nominee_id]] = mark.mark
    assert sorted("".join(m[0] for m in marks) for marks in by_ballot.values()) == sorted(
        ["hcl", "hhh", "bbb", "hhl", "ccc", "lll"])
    [entry] = rows(make, AuditEntry, action="scan.accepted")
    assert entry.details["ballots"] == 6 and entry.details["decided_rows"] == 1
    # Then counted by the paper rules: the board accepts the sheet and it is sealed.
    assert first.post(f"/conferences/{world.voting.id}/count",
                      data={"accept-sheet_id": str(sheet.id)}).status_code == 302
    conference = make._run(lambda s: conferences.get_conference(s, world.voting.id))
    assert conference.seal_digest and re.fullmatch(r"[0-9a-f]{64}", conference.seal_digest)
    # The seal covers the images' digests: the same ballots without them seal differently.
    assert sheet.evidence_digest and make._run(lambda s: _seal_without_evidence(
        s, sheet.id)) != conference.seal_digest
    make.publish_results(world)
    minutes = pdf_text(first.get(f"/conferences/{world.voting.id}/minutes.pdf").data)
    assert ("Phiếu được đọc bằng máy quét: 6 phiếu; Ban kiểm phiếu quyết định 1 dòng có dấu"
            " nghi ngờ; kiểm tra ngẫu nhiên 5 phiếu") in " ".join(minutes.split())


def _seal_without_evidence(session, sheet_id):
    sheet = session.get(TallySheet, sheet_id)
    sheet.evidence_digest = None
    digest = seal_digest(session, conferences.get_conference(session, sheet.conference_id),
                         sheet)
    session.rollback()
    return digest


def test_a_ballot_over_two_pages_is_one_ballot_and_a_missing_page_holds_it_back(
        app, make, world, login):
    scanned(make, world, ["123", "321"], per_page=2)
    ballots = make._run(lambda s: board.scanned_ballots(
        s, conferences.get_conference(s, world.voting.id)))
    assert [(len(b.pages), b.complete, b.marks) for b in ballots] == [
        (2, True, {0: "high", 1: "confidence", 2: "low"}),
        (2, True, {0: "low", 1: "confidence", 2: "high"})]
    first_page, second_page = scanned(make, world, ["111"], per_page=2)
    make._run(lambda s: s.delete(s.get(ScanPage, second_page)))
    client = login(world.counter_a1)
    assert "1 phiếu thiếu trang" in client.get(path(world)).text


def test_another_units_board_can_neither_decide_nor_key(app, make, world, login):
    [page] = scanned(make, world, ["1?3"])
    outsider = make.account(Role.COUNTER, world.a2)
    client = login(outsider)
    assert decide(client, world, page, 1, "low").status_code == 404
    assert client.post(path(world, "/check/draw"), data={}).status_code == 404
    assert not rows(make, ScanDecision) and not rows(make, ScanCheck)


def test_the_board_settles_which_pages_are_a_sheet_scanned_twice(app, make, world, login):
    first_page, second_page = scanned(make, world, ["123", "123"])
    client = login(world.counter_a1)
    batch = rows(make, ScanPage, id=first_page)[0].batch_id

    def ballots():
        return len(make._run(lambda s: board.scanned_ballots(
            s, conferences.get_conference(s, world.voting.id))))

    assert ballots() == 2
    answer = client.post(path(world, f"/pages/{second_page}/duplicate"), data={})
    assert answer.status_code == 302 and answer.location == path(world, f"/{batch}")
    assert ballots() == 1 and "Quét trùng, không đếm" in client.get(answer.location).text
    assert client.post(path(world, f"/pages/{second_page}/single"), data={}).status_code == 302
    assert ballots() == 2
    entries = rows(make, AuditEntry, action="scan.duplicate_set")
    assert [e.details["duplicate"] for e in entries] == [True, False]


def test_a_drawn_ballot_later_found_scanned_twice_has_no_keying_page(app, make, world, login):
    first_page, second_page = scanned(make, world, ["123", "123"])
    client = login(world.counter_a1)
    check = drawn(make, world, second_page)
    assert client.get(path(world, f"/check/{check}")).status_code == 200
    assert client.post(path(world, f"/pages/{second_page}/duplicate"), data={}).status_code == 302
    page = client.get(path(world, f"/check/{check}"))
    assert page.status_code == 200 and 'name="row-0"' not in page.text
    assert "không còn được đếm (quét trùng)" in page.text
    refused = refused_page(client, client.post(path(world, f"/check/{check}"), data={
        "row-0": "1", "row-1": "2", "row-2": "3"}))
    assert "không còn được đếm" in refused.text
