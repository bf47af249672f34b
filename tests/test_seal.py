"""The seal of an electronic vote: closing makes it from the ballots as it writes them, and it
must be exactly the digest a later recount reads back from the database (tally.seal)."""
import random
import uuid
from types import SimpleNamespace

from tinnhiem.conferences import services as conferences
from tinnhiem.tally.models import Ballot, BallotMark
from tinnhiem.tally.seal import ballots_digest, seal_digest
from tinnhiem.tenants.scope import insert_rows, unscoped
from tinnhiem.voting import casting


def test_the_form_of_the_seal_does_not_change():
    """A seal stored before a change of code must still verify: the digest of a fixed set
    of ballots (flags, a person left unmarked, no tracker) is the one version 1 gave."""
    conference = SimpleNamespace(id=uuid.UUID(int=7))
    people = [SimpleNamespace(id=uuid.UUID(int=n)) for n in (1, 2, 3)]
    ballots = [("AAAA1111", False, False, False, {people[0].id: "high", people[1].id: "blank"}),
               (None, True, False, True, {people[2].id: "crossed"}),
               ("BBBB2222", False, True, False, {})]
    assert ballots_digest(conference, people, ballots) == (
        "45882e981c661845f4b3c373062ea0daddd892634a646094116f96ef6cbe0200")
    assert ballots_digest(conference, people, ballots[::-1]) == ballots_digest(
        conference, people, ballots)  # order-free


def test_the_seal_made_at_the_close_is_the_one_read_back(app, make):
    world = make.world()
    conference = make.open_conference(world, people=4, summoned=40)
    codes, _slug = make.issue_codes(world, 40)
    people = world.people

    def vote(session, _actor):
        voting = conferences.get_conference(session, conference.id)
        for code in codes[:30]:
            casting.cast_ballot(session, voting, code, {
                str(p.id): random.choice(("high", "confidence", "low", "blank", None))
                for p in people})
        # A ballot that names only two of the four (no "-" from the casting service).
        ballot_id = uuid.uuid4()
        insert_rows(session, Ballot, [{"id": ballot_id, "conference_id": conference.id,
                                       "origin": "electronic", "tracker": "PART0001"}])
        insert_rows(session, BallotMark, [{"ballot_id": ballot_id, "nominee_id": p.id,
                                           "mark": "low"} for p in people[:2]])

    make.as_account(world.unit_admin_a1, vote)
    summary = make.close_vote(world)
    assert (summary["issued"], summary["collected"], summary["unused"]) == (40, 31, 10)
    with app.app_context(), unscoped("test: read the sealed ballots back") as session:
        closed = conferences.get_conference(session, conference.id)
        assert closed.seal_digest == summary["digest"]
        assert seal_digest(session, closed) == closed.seal_digest
