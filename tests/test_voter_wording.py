"""What a voter reads at each turn (issue #15, finding 9): a page that takes no ballot says
so in its heading, an empty code is asked for, the receipt says to keep the code slip, and a
tracker just checked is answered at the top of the results page."""
import pytest

from tests.voter_pages import cast, tracker_of


@pytest.fixture
def world(make):
    w = make.world()
    make.open_conference(w, people=2, summoned=5)
    return w


def _heading(page) -> str:
    return page.text.split("<h1", 1)[1].split(">", 1)[1].split("</h1>", 1)[0].strip()


def test_the_heading_says_what_the_page_is_for(make, world, client):
    _issued, slug = make.issue_codes(world, 2)
    assert _heading(client.get(f"/v/{slug}")) == "Nhập mã bỏ phiếu"
    make.close_vote(world)
    closed = client.get(f"/v/{slug}")
    assert closed.status_code == 409 and _heading(closed) == "Không nhận phiếu lúc này"
    assert 'name="code"' not in closed.text and "đã kết thúc" in closed.text


@pytest.mark.parametrize("typed", ["", "   ", " - "])
def test_an_empty_code_is_asked_for_not_called_wrong(make, world, client, typed):
    _issued, slug = make.issue_codes(world, 1)
    page = client.post(f"/v/{slug}/ballot", data={"code": typed})
    assert page.status_code == 422 and "Hãy nhập mã bỏ phiếu" in page.text
    assert "không đúng" not in page.text
    api = client.post(f"/api/v1/polls/{slug}/ballots", json={"code": typed, "choices": []})
    assert api.status_code == 422 and api.json["code"] == "code_missing"


def test_the_receipt_says_to_keep_the_code_slip(make, world, client):
    issued, slug = make.issue_codes(world, 1)
    receipt = cast(client, slug, issued[0], {0: "high"})
    assert receipt.status_code == 200
    assert "Hãy giữ lại phiếu in mã bỏ phiếu" in receipt.text


def test_a_checked_tracker_is_answered_before_the_results_table(make, world, client):
    issued, slug = make.issue_codes(world, 2)
    tracker = tracker_of(cast(client, slug, issued[0], {0: "high", 1: "low"}))
    make.close_vote(world)
    make.publish_results(world)
    first = client.post(f"/v/{slug}/results", data={"code": issued[0]})
    assert first.status_code == 200 and 'id="tracker-check"' not in first.text
    checked = client.post(f"/v/{slug}/results", data={"code": issued[0], "tracker": tracker})
    answer = checked.text.index('id="tracker-check"')
    assert answer < checked.text.index("<table")
    assert "có trong danh sách phiếu đã kiểm" in checked.text[answer:answer + 300]
    empty = client.post(f"/v/{slug}/results", data={"code": ""})
    assert empty.status_code == 422 and "Hãy nhập mã bỏ phiếu" in empty.text


def test_the_voters_pages_run_no_script(make, world, client):
    issued, slug = make.issue_codes(world, 1)
    ballot = client.post(f"/v/{slug}/ballot", data={"code": issued[0]})
    pages = [client.get(f"/v/{slug}"), ballot, cast(client, slug, issued[0], {0: "high"})]
    for page in pages:
        assert page.status_code == 200 and "<script" not in page.text
