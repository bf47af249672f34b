"""Counting a sealed conference: DOMAIN.md's worked examples through the service and the API,
recounts that match the seal, certification by two counters, and what leaves the unit."""
import datetime as dt
import re
import uuid

import pytest
from sqlalchemy import select

from tinnhiem.conferences import nominees, voters
from tinnhiem.conferences import services as conferences
from tinnhiem.counting import services as counting
from tinnhiem.counting.models import Result
from tinnhiem.platform.audit.models import AuditEntry
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.errors import ServiceError
from tinnhiem.voting import paper, sealing
from tests.factories import refused_page, rows
from tests.snapshots import snapshot
from tests.voter_pages import cast, tracker_of


def counted_paper(make, world, collected, people: list[dict], count=True):
    """A paper conference of A1 whose board counted by hand: `people` are the figures
    (high, confidence, low, invalid) of each person, adding up to `collected`."""
    from tinnhiem.rounds import services as rounds

    admin, counter = world.unit_admin_a1, world.counter_a1
    cadres = [{"full_name": f"Cán bộ {i + 1}", "cadre_code": f"K-{uuid.uuid4().hex[:8]}",
               "post": "Phó Bí thư"} for i in range(len(people))]
    make.register(world.round_a.id, world.a1, cadres)

    def prepare(session, actor):
        conference = conferences.create_conference(session, actor, world.a1.id, {
            "round_id": world.round_a.id, "title": f"Hội nghị C={collected}",
            "held_on": dt.date(2023, 6, 20), "mode": "paper", "place": "Hội trường"})
        category = session.scalars(rounds.select_categories(world.round_a.id)).first()
        added = [nominees.add_nominee(session, actor, conference, {
            **cadre, "category_id": category}) for cadre in cadres]
        voters.set_summoned_count(session, actor, conference, collected + 2)
        conferences.mark_ready(session, actor, conference)
        voters.record_attendance(session, actor, conference, present_count=collected + 2)
        conferences.open_vote(session, actor, conference)
        sealing.close_vote(session, actor, conference, collected)
        return conference, added

    conference, added = make.as_account(admin, prepare)

    def hand_count(session, actor):
        item = conferences.get_conference(session, conference.id)
        sheet = paper.set_totals(session, actor, item, collected,
                                 {str(n.id): figures for n, figures in zip(added, people)})
        paper.submit_sheet(session, actor, item)
        paper.accept_count(session, actor, item, sheet.id)
        if count:
            counting.count(session, actor, item)

    make.as_account(counter, hand_count)
    return conference, added


def figures(high=0, confidence=0, low=0, invalid=0):
    return {"high": high, "confidence": confidence, "low": low, "invalid": invalid}


@snapshot
def world(make):
    w = make.world()
    w.counter_a1_b = make.account(Role.COUNTER, w.a1)
    make.conference_for(w)
    return w


EXAMPLES = [  # DOMAIN.md: C, the person's figures, shares (high / confidence / low), band
    (48, figures(20, 4, 24), ("41.67", "8.33", "50.00"), "normal"),
    (48, figures(20, 3, 25), ("41.67", "6.25", "52.08"), "over_half_low"),
    (48, figures(10, 6, 32), ("20.83", "12.50", "66.67"), "two_thirds_low"),
    (3, figures(1, 0, 2), ("33.33", "0.00", "66.67"), "two_thirds_low"),
    (47, figures(19, 2, 25, 1), ("40.43", "4.26", "53.19"), "over_half_low"),
    (45, figures(15, 3, 22, 5), ("33.33", "6.67", "48.89"), "normal"),
]


@pytest.mark.parametrize("collected, person, shares, band", EXAMPLES)
def test_worked_examples_through_the_service_and_the_api(make, world, client, token, collected,
                                                         person, shares, band):
    conference, _people = counted_paper(make, world, collected, [person])
    [row] = make.as_account(world.unit_admin_a1, lambda s, a: counting.results_of(
        s, conferences.get_conference(s, conference.id)))
    assert row.result.collected == collected and row.result.issued == collected
    assert row.result.valid == collected - person["invalid"]
    assert row.result.invalid == person["invalid"]
    assert tuple(str(row.shares[k]) for k in ("high", "confidence", "low")) == shares
    assert row.band == band
    api = client.get(f"/api/v1/conferences/{conference.id}/results",
                     headers=token(world.unit_admin_a1)).json["results"][0]
    assert (api["high_percent"], api["confidence_percent"], api["low_percent"]) == shares
    assert api["band"] == band and api["valid"] == collected - person["invalid"]


def test_counting_needs_a_seal_and_happens_once(make, world):
    conference, _people = counted_paper(make, world, 5, [figures(5)], count=False)
    make.as_account(world.counter_a1, lambda s, a: counting.count(
        s, a, conferences.get_conference(s, conference.id)))
    with pytest.raises(ServiceError) as again:
        make.as_account(world.counter_a1, lambda s, a: counting.count(
            s, a, conferences.get_conference(s, conference.id)))
    assert again.value.code == "invalid_transition"
    assert len(rows(make, Result, conference_id=conference.id)) == 1


def _electronic_with_votes(app, make, world):
    make.open_conference(world, people=2, summoned=6)
    issued, slug = make.issue_codes(world, 5)
    client = app.test_client()
    receipts = [tracker_of(cast(client, slug, code, {0: level, 1: "low"}))
                for code, level in zip(issued[:4], ("high", "high", "low", "confidence"))]
    make.close_vote(world)
    return issued, slug, receipts


def test_recount_of_the_sealed_ballots_gives_the_same_figures(app, make, world):
    _issued, _slug, _receipts = _electronic_with_votes(app, make, world)
    make.as_account(world.counter_a1, lambda s, a: counting.count(
        s, a, conferences.get_conference(s, world.voting.id)))
    stored = {r.nominee_id: (r.high, r.confidence, r.low, r.invalid, r.collected)
              for r in rows(make, Result, conference_id=world.voting.id)}
    assert stored[world.people[0].id] == (2, 1, 1, 0, 4)
    assert stored[world.people[1].id] == (0, 0, 4, 0, 4)
    for _ in range(2):
        again = make.as_account(world.unit_admin_a1, lambda s, a: counting.recount(
            s, conferences.get_conference(s, world.voting.id)))
        assert {n: (p.high, p.confidence, p.low, p.invalid, again.collected)
                for n, p in again.people.items()} == stored


def test_a_ballot_changed_after_the_seal_is_caught(app, make, world):
    _electronic_with_votes(app, make, world)
    from tinnhiem.tally.models import BallotMark

    def tamper(session):
        mark = session.scalars(select(BallotMark).where(BallotMark.mark == "high")).first()
        mark.mark = "low"

    make._run(tamper)
    with pytest.raises(ServiceError) as caught:
        make.as_account(world.counter_a1, lambda s, a: counting.count(
            s, a, conferences.get_conference(s, world.voting.id)))
    assert caught.value.code == "seal_broken"
    assert rows(make, Result, conference_id=world.voting.id) == []


def _act(client, conference, action):
    return client.post(f"/conferences/{conference.id}/results/{action}", data={})


def test_two_distinct_counters_certify_and_certified_results_are_immutable(app, make, world,
                                                                            login):
    conference, _people = counted_paper(make, world, 10, [figures(6, 2, 2)])
    first = login(world.counter_a1, target=app.test_client())
    second = login(world.counter_a1_b, target=app.test_client())
    admin = login(world.unit_admin_a1, target=app.test_client())
    assert _act(admin, conference, "certify").status_code == 404  # only counters confirm
    assert _act(first, conference, "certify").status_code == 302
    twice = refused_page(first, _act(first, conference, "certify"),
                         f"/conferences/{conference.id}/results")
    assert "thành viên khác" in twice.text
    state = make._run(lambda s: conferences.get_conference(s, conference.id).status)
    assert state == "counted"
    assert _act(second, conference, "certify").status_code == 302
    page = admin.get(f"/conferences/{conference.id}/results").text
    assert "Đã chứng nhận" in page and "Nguyễn Văn Thử" in page
    for client, action in ((first, "count"), (second, "certify")):
        assert refused_page(client, _act(client, conference, action)).text.count(
            'role="alert"') >= 1
    late_entry = first.post(f"/conferences/{conference.id}/sheet/totals", data={})
    assert late_entry.status_code in (303, 404)
    entries = [e.action for e in rows(make, AuditEntry) if e.target == str(conference.id)]
    assert entries.count("conference.confirmed") == 2 and "conference.certified" in entries
    # a correction is an annulment with a reason, never an edit
    annulled = admin.post(f"/conferences/{conference.id}/annul",
                          data={"annul-reason": "Nhầm số liệu phiếu"})
    assert annulled.status_code == 302
    after = admin.get(f"/conferences/{conference.id}/results").text
    assert "không còn giá trị" in after


def test_only_certified_results_leave_the_unit(app, make, world, login, token, client):
    conference, _people = counted_paper(make, world, 4, [figures(4)])
    province = login(world.admin_a, target=app.test_client())
    headers = token(world.viewer_a)
    for url in (f"/conferences/{conference.id}/results", f"/conferences/{conference.id}/minutes.pdf"):
        assert province.get(url).status_code == 404
    assert client.get(f"/api/v1/conferences/{conference.id}/results",
                      headers=headers).status_code == 404
    for counter in (world.counter_a1, world.counter_a1_b):
        make.as_account(counter, lambda s, a: counting.certify(
            s, a, conferences.get_conference(s, conference.id)))
    assert province.get(f"/conferences/{conference.id}/results").status_code == 200
    api = client.get(f"/api/v1/conferences/{conference.id}/results", headers=headers)
    assert api.status_code == 200 and api.json["results"][0]["high_percent"] == "100.00"
    assert client.get(f"/api/v1/conferences/{conference.id}/results",
                      headers=token(world.unit_admin_a2)).status_code == 404


def _certify(make, world, conference):
    for counter in (world.counter_a1, world.counter_a1_b):
        make.as_account(counter, lambda s, a: counting.certify(
            s, a, conferences.get_conference(s, conference.id)))


def test_minutes_pdf_and_xlsx_carry_the_figures(app, make, world, login):
    import io
    import unicodedata

    from openpyxl import load_workbook

    from tests.documents import pdf_text

    conference, people = counted_paper(make, world, 47, [figures(19, 2, 25, 1),
                                                         figures(40, 5, 2, 0)])
    _certify(make, world, conference)
    client = login(world.unit_admin_a1)
    pdf = client.get(f"/conferences/{conference.id}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = unicodedata.normalize("NFC", pdf_text(pdf.data))
    assert "BIÊN BẢN KIỂM PHIẾU" in text and "Hội nghị C=47" in text
    assert ("Cán bộ 1 Phó Bí thư 47 47 46 1 19 40,43 % 2 4,26 % 25 53,19 % Trên 50% tín nhiệm "
            "thấp") in text
    assert "Cán bộ 2 Phó Bí thư 47 47 47 0 40 85,11 % 5 10,64 % 2 4,26 % Bình thường" in text
    assert "Số người được triệu tập: 49; có mặt: 49" in text
    assert text.count("Nguyễn Văn Thử") >= 2  # the two counters who certified, signing
    sheet = client.get(f"/conferences/{conference.id}/results.xlsx")
    assert sheet.status_code == 200
    cells = [[c.value for c in row] for row in load_workbook(io.BytesIO(sheet.data)).active.iter_rows()]
    assert cells[2][:3] == ["STT", "Họ và tên", "Chức vụ"]
    assert cells[3] == [1, "Cán bộ 1", "Phó Bí thư", 47, 47, 46, 1, 19, 40.43, 2, 4.26, 25,
                        53.19, "Trên 50% tín nhiệm thấp"]
    assert cells[4][-2:] == [4.26, "Bình thường"]


def test_nothing_is_visible_to_voters_before_publication(app, make, world, login):
    issued, slug, receipts = _electronic_with_votes(app, make, world)
    make.as_account(world.counter_a1, lambda s, a: counting.count(
        s, a, conferences.get_conference(s, world.voting.id)))
    voter = app.test_client()
    early = voter.post(f"/v/{slug}/results", data={"code": issued[0]})
    assert early.status_code == 409 and "chưa được công bố" in early.text
    _certify(make, world, world.voting)
    assert voter.post(f"/v/{slug}/results", data={"code": issued[0]}).status_code == 409
    admin = login(world.unit_admin_a1, target=app.test_client())
    assert _act(admin, world.voting, "publish").status_code == 302
    start = voter.get(f"/v/{slug}")
    assert start.status_code == 200 and "Xem kết quả" in start.text
    seen = voter.post(f"/v/{slug}/results", data={"code": issued[0].lower(),
                                                  "tracker": receipts[2].lower()})
    assert seen.status_code == 200 and "Người Thứ 1" in seen.text
    assert f"Mã kiểm tra {receipts[2]} có trong danh sách" in seen.text
    listed = re.search(r'id="trackers">([^<]*)<', seen.text).group(1)
    assert sorted(listed.split(" · ")) == sorted(receipts)
    wrong = voter.post(f"/v/{slug}/results", data={"code": issued[0], "tracker": "AAAA-AAAA"})
    assert "Không tìm thấy mã kiểm tra AAAA-AAAA" in wrong.text
    unused = voter.post(f"/v/{slug}/results", data={"code": issued[4]})  # voided at close
    assert unused.status_code == 422 and "chưa được dùng" in unused.text
    api = voter.post(f"/api/v1/polls/{slug}/results", json={"code": issued[1],
                                                            "tracker": receipts[0]})
    assert api.status_code == 200 and api.json["tracker_found"] is True
    assert api.json["results"][1]["low_percent"] == "100.00"


def test_a_person_sees_only_their_own_result_through_their_link(app, make, world, login):
    conference, people = counted_paper(make, world, 6, [figures(1, 1, 4), figures(6)])
    _certify(make, world, conference)
    admin = login(world.unit_admin_a1, target=app.test_client())
    page = admin.get(f"/conferences/{conference.id}/results").text
    assert "/r/" not in page  # links exist only once published
    assert _act(admin, conference, "publish").status_code == 302
    links = re.findall(r'href="(http://localhost/r/[^"]+)"',
                       admin.get(f"/conferences/{conference.id}/results").text)
    assert len(links) == 2
    anyone = app.test_client()
    own = anyone.get(links[0].replace("http://localhost", ""))
    assert own.status_code == 200 and "Cán bộ 1" in own.text and "Cán bộ 2" not in own.text
    assert "66,67\u00a0%" in own.text and "Từ 2/3 trở lên tín nhiệm thấp" in own.text
    forged = links[0][:-3] + ("AAA" if not links[0].endswith("AAA") else "BBB")
    assert anyone.get(forged.replace("http://localhost", "")).status_code == 404
    make.as_account(world.unit_admin_a1, lambda s, a: conferences.annul(
        s, a, conferences.get_conference(s, conference.id), "Sai sót"))
    assert anyone.get(links[0].replace("http://localhost", "")).status_code == 404
