"""Closing a vote while a hall is still voting: the close never fails, and every ballot
acknowledged to a voter is in the sealed count (each one once), every other one refused."""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from tinnhiem.tally.models import Ballot

VOTERS = 60
# Twenty rounds on PostgreSQL, where closing and casting take row locks against each other
# (the deadlock this guards against); SQLite serialises writers, so fewer rounds show it
# holds there. CLOSING_RACE_ROUNDS changes both while trying things out.
ROUNDS = {"postgresql": 20, "sqlite": 5}


def _race(app, make, world, round_number):
    conference = make.open_conference(world, people=2, summoned=VOTERS,
                                      title=f"Hội nghị {round_number}")
    codes, slug = make.issue_codes(world, VOTERS)
    people = [str(p.id) for p in world.people]
    staff = {"Authorization": f"Bearer {world.admin_token}"}
    barrier = threading.Barrier(VOTERS + 1)

    def vote(code):
        body = {"code": code, "choices": [{"nominee_id": person, "level": "low"}
                                          for person in people]}
        barrier.wait(timeout=30)
        return app.test_client().post(f"/api/v1/polls/{slug}/ballots", json=body)

    def close():
        barrier.wait(timeout=30)
        return app.test_client().post(f"/api/v1/conferences/{conference.id}/close", json={},
                                      headers=staff)

    with ThreadPoolExecutor(max_workers=VOTERS + 1) as pool:
        closing = pool.submit(close)
        votes = list(pool.map(vote, codes))
        closed = closing.result()
    return conference, closed, votes


def test_closing_during_sixty_casts_never_fails(app, make, token, backend):
    world = make.world()
    make.conference_for(world)
    world.admin_token = token(world.unit_admin_a1)["Authorization"].split()[1]
    for round_number in range(int(os.environ.get("CLOSING_RACE_ROUNDS", ROUNDS[backend]))):
        conference, closed, votes = _race(app, make, world, round_number)
        assert closed.status_code == 200, closed.text
        statuses = [v.status_code for v in votes]
        assert set(statuses) <= {201, 409}, statuses
        refused = {v.json["code"] for v in votes if v.status_code == 409}
        assert refused <= {"vote_closed"}, refused
        stored = make._run(lambda s: s.scalar(select(func.count()).select_from(Ballot).where(
            Ballot.conference_id == conference.id)))
        acknowledged = statuses.count(201)
        assert stored == acknowledged
        summary = app.test_client().get(f"/api/v1/conferences/{conference.id}/vote",
                                        headers={"Authorization": f"Bearer {world.admin_token}"})
        assert summary.json["collected"] == acknowledged
        assert summary.json["issued"] == VOTERS
        assert summary.json["unused"] == VOTERS - acknowledged
