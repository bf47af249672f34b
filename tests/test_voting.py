"""The electronic secret ballot: one-time codes, casting, closing and the seal."""
import re

import pytest

from tests.concurrency import concurrently
from tests.factories import refused_page, rows
from tests.snapshots import snapshot
from tests.voter_pages import cast, person_ids, tracker_of
from tinnhiem.conferences import services as conferences
from tinnhiem.platform.audit.models import AuditEntry
from tinnhiem.platform.errors import ServiceError
from tinnhiem.voting import codes
from tinnhiem.tally.models import Ballot, BallotMark
from tinnhiem.voting.models import VoteCode


@snapshot
def world(make):
    w = make.world()
    make.open_conference(w, people=3, summoned=10)
    return w


def test_codes_are_short_unambiguous_and_stored_only_as_keyed_hashes(app, make, world):
    issued, _slug = make.issue_codes(world, 10)
    assert len(set(issued)) == 10
    for code in issued:
        assert re.fullmatch(r"[2-9A-HJ-NP-Z]{10}", code)  # no 0/O, no 1/I
    stored = rows(make, VoteCode, conference_id=world.voting.id)
    assert len(stored) == 10 and {r.state for r in stored} == {"unused"}
    with app.app_context():
        expected = {codes.code_digest(world.voting.id, c) for c in issued}
    assert {r.digest for r in stored} == expected
    dump = " ".join(f"{r.id} {r.digest}" for r in stored)
    assert not any(code in dump for code in issued)


def test_no_more_codes_than_people_summoned_and_each_issue_audited(make, world):
    make.issue_codes(world, 6)
    with pytest.raises(ServiceError) as caught:
        make.issue_codes(world, 5)
    assert caught.value.code == "too_many_codes" and "10" in str(caught.value.message)
    make.issue_codes(world, 4)
    entries = rows(make, AuditEntry, action="voting.codes_issued")
    assert sorted(e.details["issued_total"] for e in entries) == [6, 10]


def test_a_voter_casts_once_and_the_code_is_spent(app, make, world, client):
    issued, slug = make.issue_codes(world, 3)
    receipt = cast(client, slug, issued[0].lower(), {0: "high", 1: "low"})
    assert receipt.status_code == 200 and "đã được ghi nhận" in receipt.text
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", tracker_of(receipt))
    again = cast(client, slug, issued[0], {0: "high"})
    assert again.status_code == 409 and "đã được dùng" in again.text
    ballots = rows(make, Ballot, conference_id=world.voting.id)
    assert len(ballots) == 1
    marks = sorted(m.mark for m in rows(make, BallotMark, ballot_id=ballots[0].id))
    assert marks == ["blank", "high", "low"]  # the row left empty is recorded as blank
    states = sorted(r.state for r in rows(make, VoteCode, conference_id=world.voting.id))
    assert states == ["spent", "unused", "unused"]


def test_review_warns_about_blank_rows_and_still_lets_the_voter_send(make, world, client):
    issued, slug = make.issue_codes(world, 1)
    page = client.post(f"/v/{slug}/ballot", data={"code": issued[0]})
    ids = person_ids(page)
    assert len(ids) == 3 and "Người Thứ 1" in page.text and "Báo cáo tự đánh giá" in page.text
    review = client.post(f"/v/{slug}/review", data={"code": issued[0], f"p-{ids[0]}": "high"})
    assert review.status_code == 200
    assert "Bạn để trống 2 dòng" in review.text and "Người Thứ 2" in review.text
    assert rows(make, Ballot, conference_id=world.voting.id) == []  # reviewing casts nothing
    sent = client.post(f"/v/{slug}/cast", data={"code": issued[0], f"p-{ids[0]}": "high"})
    assert sent.status_code == 200


@pytest.mark.parametrize("code, status, message", [
    ("ABCDE-FGHJK", 422, "Mã bỏ phiếu không đúng"),  # well formed, never issued
    # Not even of our alphabet, or nothing at all: what a code looks like, and what it never has.
    ("0000000000", 422, "Mã không bao giờ có các ký tự 0, 1, I, O"),
    ("ABC", 422, "Mã bỏ phiếu gồm 10 ký tự"),
    ("", 422, "Hãy nhập mã bỏ phiếu"),  # nothing typed: asked for, not called wrong
])
def test_unknown_codes_are_refused_with_a_clear_message(make, world, client, code, status,
                                                        message):
    _issued, slug = make.issue_codes(world, 1)
    response = cast(client, slug, code, {0: "high"})
    assert response.status_code == status and message in response.text
    assert rows(make, Ballot, conference_id=world.voting.id) == []


def test_a_code_of_conference_a_is_refused_in_conference_b(make, world, client):
    a_codes, a_slug = make.issue_codes(world, 2)
    first = world.voting
    make.open_conference(world, unit=world.a2, admin=world.unit_admin_a2, title="Hội nghị B")
    b_codes, b_slug = make.issue_codes(world, 2, admin=world.unit_admin_a2)
    refused = cast(client, b_slug, a_codes[0], {0: "high"})
    assert refused.status_code == 422 and "Mã bỏ phiếu không đúng" in refused.text
    assert rows(make, Ballot, conference_id=world.voting.id) == []
    assert cast(client, a_slug, a_codes[0], {0: "high"}).status_code == 200  # still unspent
    assert len(rows(make, Ballot, conference_id=first.id)) == 1


def test_an_unknown_poll_is_404(world, client):
    assert client.get("/v/ZZZZZZZZ").status_code == 404
    assert client.post("/v/ZZZZZZZZ/cast", data={"code": "x"}).status_code == 404


def test_a_closed_vote_accepts_no_ballot(make, world, client):
    issued, slug = make.issue_codes(world, 3)
    assert cast(client, slug, issued[0], {0: "high"}).status_code == 200
    make.close_vote(world)
    for code in issued:
        response = cast(client, slug, code, {0: "high"})
        assert response.status_code == 409 and "đã kết thúc" in response.text
    assert client.get(f"/v/{slug}").status_code == 409
    assert len(rows(make, Ballot, conference_id=world.voting.id)) == 1


def test_tampered_choices_are_refused(make, world, client):
    issued, slug = make.issue_codes(world, 1)
    page = client.post(f"/v/{slug}/ballot", data={"code": issued[0]})
    ids = person_ids(page)
    refused = client.post(f"/v/{slug}/cast", data={"code": issued[0], f"p-{ids[0]}": "several"})
    assert refused.status_code == 422 and "không hợp lệ" in refused.text
    assert rows(make, Ballot, conference_id=world.voting.id) == []
    assert cast(client, slug, issued[0], {0: "high"}).status_code == 200  # code not spent


def test_200_concurrent_submissions_of_one_code_make_one_ballot(app, make, world):
    issued, slug = make.issue_codes(world, 1)
    body = {"code": issued[0], "choices": [{"nominee_id": str(world.people[0].id),
                                            "level": "high"}]}
    calls = [lambda c: c.post(f"/api/v1/polls/{slug}/ballots", json=body)] * 200
    statuses = [r.status_code for r in concurrently(app, calls, workers=50)]
    assert statuses.count(201) == 1 and statuses.count(409) == 199
    assert len(rows(make, Ballot, conference_id=world.voting.id)) == 1
    assert [r.state for r in rows(make, VoteCode, conference_id=world.voting.id)] == ["spent"]


@pytest.mark.postgresql_only
def test_500_codes_used_concurrently_make_500_ballots(app, make):
    world = make.world()
    make.open_conference(world, people=2, summoned=500)
    issued, slug = make.issue_codes(world, 500)
    people = [str(p.id) for p in world.people]

    def voter(code, i):
        body = {"code": code, "choices": [{"nominee_id": people[0], "level": "low"},
                                          {"nominee_id": people[1],
                                           "level": ("high", "confidence", "low")[i % 3]}]}
        return lambda c: c.post(f"/api/v1/polls/{slug}/ballots", json=body)

    results = concurrently(app, [voter(c, i) for i, c in enumerate(issued)], workers=40)
    assert [r.status_code for r in results].count(201) == 500
    assert len({r.json["tracker"] for r in results}) == 500
    summary = make.close_vote(world)
    assert summary["issued"] == 500 and summary["collected"] == 500 and summary["unused"] == 0
    assert len(rows(make, Ballot, conference_id=world.voting.id)) == 500


def test_closing_voids_unused_codes_seals_and_shows_the_counts(app, make, world, login):
    issued, slug = make.issue_codes(world, 5)
    client = app.test_client()
    for code, level in zip(issued[:3], ("high", "confidence", "low")):
        assert cast(client, slug, code, {0: level, 1: "high"}).status_code == 200
    staff = login(world.unit_admin_a1)
    closed = staff.post(f"/conferences/{world.voting.id}/close", data={})
    assert closed.status_code == 302
    page = staff.get(f"/conferences/{world.voting.id}/vote").text
    assert re.search(r'id="count-issued">5<', page)
    assert re.search(r'id="count-collected">3<', page)
    assert re.search(r'id="count-unused">2<', page)
    states = sorted(r.state for r in rows(make, VoteCode, conference_id=world.voting.id))
    assert states == ["spent"] * 3 + ["void"] * 2
    conference = make._run(lambda s: conferences.get_conference(s, world.voting.id))
    assert conference.status == "closed" and conference.ballots_issued == 5
    sealed = rows(make, AuditEntry, action="conference.closed")[0]
    assert sealed.details == {"issued": 5, "collected": 3, "unused": 2,
                              "digest": conference.seal_digest}
    with app.app_context():
        from tinnhiem.tally.seal import seal_digest
        from tinnhiem.tenants.scope import unscoped

        with unscoped("test: recompute the seal") as session:
            again = conferences.get_conference(session, world.voting.id)
            assert seal_digest(session, again) == conference.seal_digest


def test_issuing_codes_hands_back_printable_slips_once(app, make, world, login):
    import unicodedata

    from tests.documents import pdf_text

    admin = login(world.unit_admin_a1)
    response = admin.post(f"/conferences/{world.voting.id}/codes", data={"issue-count": "4"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    slips = unicodedata.normalize("NFC", pdf_text(response.data))
    printed = re.findall(r"\b[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}\b", slips)
    assert len(set(printed)) == 4 and "Hội nghị Ban Chấp hành" in slips
    assert "Mã bỏ phiếu" in slips and "Mỗi mã bỏ được một phiếu" in slips
    with app.app_context():
        digests = {codes.code_digest(world.voting.id, c.replace("-", "")) for c in printed}
    assert {r.digest for r in rows(make, VoteCode, conference_id=world.voting.id)} == digests
    page = admin.get(f"/conferences/{world.voting.id}/vote").text
    assert re.search(r'id="count-issued">4<', page) and not any(c in page for c in printed)
    too_many = refused_page(admin, admin.post(f"/conferences/{world.voting.id}/codes",
                                              data={"issue-count": "7"}),
                            f"/conferences/{world.voting.id}/vote")
    assert "vượt số người được triệu tập (10)" in too_many.text
