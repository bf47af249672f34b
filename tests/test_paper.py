"""Paper ballots: the counting board's keyboard entry, hand-count totals, two independent
sheets compared before the count is accepted, and the reconciliation rules."""
import re

from tinnhiem.conferences import services as conferences
from tinnhiem.platform.audit.models import AuditEntry
from tinnhiem.platform.auth.roles import Role
from tinnhiem.tally.models import Ballot
from tests.factories import refused_page, rows
from tests.snapshots import snapshot


@snapshot
def world(make):
    w = make.world()
    w.counter_a1_b = make.account(Role.COUNTER, w.a1)
    make.open_conference(w, mode="paper", people=3, summoned=10, present=8)
    make.close_vote(w, ballots_issued=4)
    return w


def enter(client, world, keys: str, **flags):
    """One ballot typed as a counter does: one key per row, in ballot order."""
    data = {f"row-{p.id}": k for p, k in zip(world.people, keys) if k != " "}
    data.update({f"ballot-{name}": "y" for name, on in flags.items() if on})
    return client.post(f"/conferences/{world.voting.id}/sheet/ballots", data=data)


def submit(client, world):
    return client.post(f"/conferences/{world.voting.id}/sheet/submit", data={})


def sheet_ids(make, world):
    from tinnhiem.tally.models import TallySheet

    return {s.counter_id: s.id for s in rows(make, TallySheet, conference_id=world.voting.id)}


def accept(client, world, sheet_id):
    return client.post(f"/conferences/{world.voting.id}/count",
                       data={"accept-sheet_id": str(sheet_id)})


def test_a_counter_enters_ballots_with_one_key_per_row(make, world, login):
    counter = login(world.counter_a1)
    page = counter.get(f"/conferences/{world.voting.id}/sheet")
    assert page.status_code == 200 and "1</strong> cao" in page.text
    assert enter(counter, world, "123").status_code == 302
    assert enter(counter, world, "045").status_code == 302
    after = counter.get(f"/conferences/{world.voting.id}/sheet").text
    assert re.search(r'id="entered">2<', after)
    marks = sorted(m for b in rows(make, Ballot, conference_id=world.voting.id)
                   for m in [b.origin])
    assert marks == ["paper", "paper"]
    from tinnhiem.tally.models import BallotMark

    recorded = sorted(m.mark for m in rows(make, BallotMark))
    assert recorded == sorted(["high", "confidence", "low", "blank", "several", "crossed"])


def test_a_row_left_out_or_a_wrong_key_is_refused_and_nothing_saved(make, world, login):
    counter = login(world.counter_a1)
    missing = refused_page(counter, enter(counter, world, "12 "),
                           f"/conferences/{world.voting.id}/sheet")
    assert "Chưa nhập dòng của Người Thứ 3" in missing.text
    # the rows typed come back as they were, for the counter to fix the one at fault
    assert re.search(rf'name="row-{world.people[0].id}"[^>]*value="1"', missing.text)
    assert re.search(rf'name="row-{world.people[1].id}"[^>]*value="2"', missing.text)
    wrong = refused_page(counter, enter(counter, world, "129"))
    assert "không hợp lệ" in wrong.text
    assert rows(make, Ballot, conference_id=world.voting.id) == []


def test_blank_ballot_needs_no_rows_and_cannot_have_marks(make, world, login):
    counter = login(world.counter_a1)
    assert enter(counter, world, "   ", blank=True).status_code == 302
    marked = refused_page(counter, enter(counter, world, "1  ", blank=True))
    assert "Phiếu trắng" in marked.text
    assert len(rows(make, Ballot, conference_id=world.voting.id)) == 1


def test_names_written_in_are_ignored_and_unissued_ballots_spoil_every_row(make, world, login):
    counter = login(world.counter_a1)
    assert enter(counter, world, "111", extra_names=True).status_code == 302
    assert enter(counter, world, "333", not_issued=True).status_code == 302
    assert submit(counter, world).status_code == 302
    staff = login(world.unit_admin_a1, target=make.app.test_client())
    table = staff.get(f"/conferences/{world.voting.id}/vote").text
    # two collected; each person: one high (names written in ignored), one invalid row
    assert table.count("1 / 0 / 0 / 1") == 3


def test_two_counters_must_agree_before_the_count_is_accepted(app, make, world, login):
    first = login(world.counter_a1, target=app.test_client())
    second = login(world.counter_a1_b, target=app.test_client())
    for keys in ("123", "111"):
        assert enter(first, world, keys).status_code == 302
    for keys in ("123", "113"):  # a misread third row on the second ballot
        assert enter(second, world, keys).status_code == 302
    assert submit(first, world).status_code == 302 and submit(second, world).status_code == 302
    sheets = sheet_ids(make, world)
    page = first.get(f"/conferences/{world.voting.id}/vote").text
    assert 'id="differences"' in page and "Người Thứ 3" in page
    refused = refused_page(first, accept(first, world, sheets[world.counter_a1.id]),
                           f"/conferences/{world.voting.id}/vote")
    assert "còn khác nhau" in refused.text

    assert second.post(f"/conferences/{world.voting.id}/sheet/reopen", data={}).status_code == 302
    from tinnhiem.tally.models import BallotMark

    def marks_of(ballot):
        return sorted(m.mark for m in rows(make, BallotMark, ballot_id=ballot.id))

    misread = next(b for b in rows(make, Ballot, sheet_id=sheets[world.counter_a1_b.id])
                   if marks_of(b) == ["high", "high", "low"])
    assert second.post(f"/conferences/{world.voting.id}/sheet/ballots/{misread.id}/delete",
                       data={}).status_code == 302
    assert enter(second, world, "111").status_code == 302
    assert submit(second, world).status_code == 302
    assert 'id="differences"' not in first.get(f"/conferences/{world.voting.id}/vote").text

    assert accept(first, world, sheets[world.counter_a1.id]).status_code == 302
    conference = make._run(lambda s: conferences.get_conference(s, world.voting.id))
    assert conference.seal_digest and len(conference.seal_digest) == 64
    [entry] = rows(make, AuditEntry, action="conference.count_accepted")
    assert entry.details["collected"] == 2 and entry.details["digest"] == conference.seal_digest
    sealed = refused_page(first, enter(first, world, "111"))  # sealed: no more entry
    assert len(rows(make, Ballot, sheet_id=sheets[world.counter_a1.id])) == 2, sealed.text
    province = login(world.admin_a, target=app.test_client())
    overview = province.get(f"/conferences/{world.voting.id}/vote").text
    assert re.search(r'id="count-collected">2<', overview) and 'id="sheets"' not in overview


def test_more_ballots_collected_than_issued_is_an_integrity_alert(make, world, login):
    counter = login(world.counter_a1)
    for _ in range(5):  # 4 were issued
        assert enter(counter, world, "111").status_code == 302
    assert submit(counter, world).status_code == 302
    refused = refused_page(counter, accept(counter, world,
                                           sheet_ids(make, world)[world.counter_a1.id]))
    assert "số phiếu thu về (5) lớn hơn số phiếu phát ra (4)" in refused.text
    conference = make._run(lambda s: conferences.get_conference(s, world.voting.id))
    assert conference.seal_digest is None


def test_hand_count_totals_must_add_up_to_the_ballots_collected(make, world, login):
    counter = login(world.counter_a1)
    data = {"totals-collected": "4"}
    for p in world.people:
        data.update({f"high-{p.id}": "2", f"confidence-{p.id}": "1", f"low-{p.id}": "1",
                     f"invalid-{p.id}": "0"})
    data[f"invalid-{world.people[2].id}"] = "1"
    refused = refused_page(counter, counter.post(f"/conferences/{world.voting.id}/sheet/totals",
                                                 data=data))
    assert 'name="totals-collected"' in refused.text and 'value="4"' in refused.text
    assert "Người Thứ 3: cao 2 + tín nhiệm 1 + thấp 1 + không hợp lệ 1 = 5" in refused.text
    data[f"invalid-{world.people[2].id}"] = "²"  # a digit to str.isdigit(), not a number
    refused = refused_page(counter, counter.post(f"/conferences/{world.voting.id}/sheet/totals",
                                                 data=data))
    assert f'name="invalid-{world.people[2].id}" value="²"' in refused.text
    data[f"invalid-{world.people[2].id}"] = "0"
    assert counter.post(f"/conferences/{world.voting.id}/sheet/totals",
                        data=data).status_code == 302
    assert submit(counter, world).status_code == 302
    assert accept(counter, world, sheet_ids(make, world)[world.counter_a1.id]).status_code == 302


def test_closing_a_paper_vote_needs_the_number_of_ballots_handed_out(app, make, login):
    world = make.world()
    make.open_conference(world, mode="paper", people=1, summoned=10, present=8)
    admin = login(world.unit_admin_a1)
    missing = refused_page(admin, admin.post(f"/conferences/{world.voting.id}/close", data={}))
    assert "số phiếu đã phát ra" in missing.text
    over = refused_page(admin, admin.post(f"/conferences/{world.voting.id}/close",
                                          data={"close-ballots_issued": "9"}))
    assert "lớn hơn số người có mặt (8)" in over.text and 'value="9"' in over.text
    counter = login(world.counter_a1, target=app.test_client())
    early = refused_page(counter, enter(counter, world, "1"))
    assert "kết thúc bỏ phiếu" in early.text
    assert admin.post(f"/conferences/{world.voting.id}/close",
                      data={"close-ballots_issued": "8"}).status_code == 302


def test_an_electronic_conference_has_no_paper_sheet(make, login):
    world = make.world()
    make.open_conference(world)
    counter = login(world.counter_a1)
    assert counter.get(f"/conferences/{world.voting.id}/sheet").status_code == 404


def test_a_crossed_out_name_spoils_the_whole_ballot_when_the_template_says_so(app, make, login):
    from tinnhiem.rounds import services as rounds

    world = make.conference_for(make.world())
    make.as_account(world.admin_a, lambda s, a: rounds.save_template(s, a, world.province_a.id, {
        **rounds.DEFAULT_TEMPLATE, "header": "TỈNH ỦY ALPHA", "crossed_out_rule": "ballot"}))
    make.open_conference(world, mode="paper", people=3, summoned=10)
    make.close_vote(world, ballots_issued=3)
    counter = login(world.counter_a1)
    assert enter(counter, world, "511").status_code == 302
    assert enter(counter, world, "123").status_code == 302
    assert submit(counter, world).status_code == 302
    table = counter.get(f"/conferences/{world.voting.id}/vote").text
    # the first ballot is invalid on every row (not only the crossed one); the second counts
    for figures in ("1 / 0 / 0 / 1", "0 / 1 / 0 / 1", "0 / 0 / 1 / 1"):
        assert figures in table
