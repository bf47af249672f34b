"""A hall behind one address is never locked out by its typos, while a guesser still is
(issue #14, voting.code_throttle): input that cannot be a code and near misses of a real code
cost nothing, each ballot earns a little allowance, and over budget every request taking a
code from that address is refused before any code is looked up."""
import pytest

from tests import redis_server
from tests.factories import rows
from tests.snapshots import snapshot
from tests.voter_pages import cast
from tinnhiem.platform.extensions import limiter
from tinnhiem.tally.models import Ballot
from tinnhiem.voting.codes import ALPHABET, new_code

BASE = 3
HALL = 60  # 20 times the budget: the figure matters only against BASE
EARNED = 2
UNKNOWN = "Mã bỏ phiếu không đúng"
MALFORMED = "Mã bỏ phiếu gồm 10 ký tự"
TOO_MANY = "Bạn đã thử quá nhiều lần"


@pytest.fixture(scope="module")
def redis_port():
    with redis_server.serving() as port:
        yield port


@pytest.fixture(params=["database", "redis"], ids=["database-storage", "redis-storage"])
def app_config(request):
    """Small budgets; the counters in the database, as a deployment without Redis keeps them
    (platform.limit_storage), or in Redis."""
    storage = None
    if request.param == "redis":
        storage = f"redis://127.0.0.1:{request.getfixturevalue('redis_port')}/0"
    # Flask-Limiter keeps storage options from one app to the next in a process (init_app only
    # adds to them): the database storage's would reach Redis's client, here or in a later
    # test. One app per process in production; here each test starts and ends without them.
    limiter._storage_options.clear()
    yield {"VOTE_FAILURE_LIMIT": f"{BASE} per 10 minutes",
           "VOTE_FAILURE_EARNED_PER_BALLOT": EARNED, "RATELIMIT_STORAGE_URI": storage}
    limiter._storage_options.clear()


@snapshot
def hall(make):
    world = make.world()
    make.open_conference(world, people=2, summoned=HALL)
    return world


@pytest.fixture
def world(app, hall):
    # The counters are not app data, which alone the fixtures empty between tests (on the
    # shared PostgreSQL database, in Redis): start from none.
    limiter.storage.reset()
    return hall


def typo(code: str, n: int) -> str:
    """A voter's slip of the finger, as the n-th voter makes it: a wrong letter somewhere, or
    two neighbours swapped (typed in lower case with the dash, as people do)."""
    i = n % (len(code) - 1)
    if n % 2 and code[i] != code[i + 1]:
        wrong = code[:i] + code[i + 1] + code[i] + code[i + 2:]
    else:
        wrong = code[:i] + _other(code[i], n) + code[i + 1:]
    assert wrong != code
    return f"{wrong[:5]}-{wrong[5:]}".lower()


def _other(letter: str, n: int) -> str:
    return ALPHABET[(ALPHABET.index(letter) + 1 + n % 31) % len(ALPHABET)]


def two_wrong(code: str, n: int) -> str:
    """Two characters wrong, apart: no single typo makes it."""
    i = n % 5
    return code[:i] + _other(code[i], n) + code[i + 1:i + 5] + _other(code[i + 5], n) \
        + code[i + 6:]


def malformed(code: str, n: int) -> str:
    """Input that cannot be a code: a letter no code has (O for 0, I for 1), or a character
    left out or added."""
    return [code[:4] + "O" + code[5:], code[:9], code + "2", "1" + code[1:]][n % 4]


def api_cast(client, slug, code, people):
    return client.post(f"/api/v1/polls/{slug}/ballots", json={
        "code": code, "choices": [{"nominee_id": str(people[0].id), "level": "high"}]})


def from_address(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def guess(client, slug, code=None):
    return client.post(f"/v/{slug}/ballot", data={"code": code or new_code()})


@pytest.mark.parametrize("app_config", ["database"], ids=["database-storage"], indirect=True)
def test_a_hall_that_mistypes_all_votes(app, make, world):
    """HALL voters behind one address, each with a typo and a malformed entry before the
    right code (half through the pages, half through the API): all vote, on a budget of 3.
    (The counters in the database, as most deployments keep them.)"""
    issued, slug = make.issue_codes(world, HALL)
    hall = app.test_client()
    for n, code in enumerate(issued[:HALL // 2]):
        wrong = hall.post(f"/v/{slug}/ballot", data={"code": typo(code, n)})
        assert wrong.status_code == 422 and UNKNOWN in wrong.text, n
        bad = hall.post(f"/v/{slug}/ballot", data={"code": malformed(code, n)})
        assert bad.status_code == 422 and MALFORMED in bad.text and "0, 1, I, O" in bad.text
        assert cast(hall, slug, code, {0: "high"}).status_code == 200, n
    for n, code in enumerate(issued[HALL // 2:]):
        wrong = hall.post(f"/api/v1/polls/{slug}/trackers", json={"code": typo(code, n)})
        assert wrong.status_code == 422 and wrong.json["code"] == "code_unknown", n
        bad = api_cast(hall, slug, malformed(code, n), world.people)
        assert bad.status_code == 422 and bad.json["code"] == "code_malformed"
        assert bad.json["field"] == "code" and MALFORMED in bad.json["message"]
        voted = api_cast(hall, slug, code, world.people)
        assert voted.status_code == 201, (n, voted.json)
        assert not any(h.startswith("X-RateLimit") for h in voted.headers.keys())
    assert len(rows(make, Ballot, conference_id=world.voting.id)) == HALL


def test_a_guesser_is_stopped_and_then_refused_even_a_valid_code(app, make, world):
    issued, slug = make.issue_codes(world, 3)
    guesser = from_address(app, "10.0.0.66")
    for _ in range(BASE):
        wrong = guess(guesser, slug)
        assert wrong.status_code == 422 and UNKNOWN in wrong.text
        assert not any(h.startswith("X-RateLimit") for h in wrong.headers.keys())
    blocked = guess(guesser, slug)
    assert blocked.status_code == 429 and TOO_MANY in blocked.text
    assert int(blocked.headers["Retry-After"]) > 0
    assert not any(h.startswith("X-RateLimit") for h in blocked.headers.keys())
    # Every route that takes a code, the right code and input that is no code included.
    assert guess(guesser, slug, issued[0]).status_code == 429
    assert guess(guesser, slug, "ABC").status_code == 429
    api = api_cast(guesser, slug, issued[0], world.people)
    assert api.status_code == 429 and api.json["code"] == "rate_limited"
    assert guesser.post(f"/api/v1/polls/{slug}/trackers",
                        json={"code": issued[0]}).status_code == 429
    assert guesser.post(f"/v/{slug}/results", data={"code": issued[0]}).status_code == 429
    assert guesser.post(f"/api/v1/polls/{slug}/results",
                        json={"code": issued[0]}).status_code == 429
    assert rows(make, Ballot, conference_id=world.voting.id) == []
    # Another address votes with that code.
    assert cast(from_address(app, "10.0.0.7"), slug, issued[0], {0: "low"}).status_code == 200


def test_two_wrong_characters_are_a_guess_not_a_typo(app, make, world):
    """Only one typo away is free: two characters wrong costs like any other wrong code."""
    issued, slug = make.issue_codes(world, 1)
    code = issued[0]
    client = app.test_client()
    for n in range(BASE):
        assert guess(client, slug, two_wrong(code, n)).status_code == 422
    assert guess(client, slug, typo(code, 0)).status_code == 429


def test_input_that_is_no_code_never_counts(app, make, world):
    issued, slug = make.issue_codes(world, 1)
    client = app.test_client()
    for n in range(4 * BASE):
        bad = client.post(f"/api/v1/polls/{slug}/trackers",
                          json={"code": malformed(issued[0], n)})
        assert bad.status_code == 422 and bad.json["code"] == "code_malformed"
        assert guess(client, slug, malformed(issued[0], n + 1)).status_code == 422
    assert cast(client, slug, issued[0], {1: "confidence"}).status_code == 200


@pytest.mark.parametrize("ballots", [0, 3])
def test_each_ballot_earns_more_failures(app, make, world, ballots):
    """After a first failure, N ballots from the address allow BASE + N·EARNED failures."""
    issued, slug = make.issue_codes(world, 3)
    client = app.test_client()
    assert guess(client, slug).status_code == 422
    for code in issued[:ballots]:
        assert api_cast(client, slug, code, world.people).status_code == 201
    statuses = [guess(client, slug).status_code for _ in range(BASE + ballots * EARNED)]
    assert statuses == [422] * (BASE + ballots * EARNED - 1) + [429]


def test_a_voter_who_never_fails_leaves_no_allowance_behind(app, make, world):
    """Ballots count only once an address has failed in the window, so an address that only
    votes leaves no trace in the counters; its budget is the base."""
    issued, slug = make.issue_codes(world, 3)
    client = app.test_client()
    for code in issued:
        assert cast(client, slug, code, {0: "high"}).status_code == 200
    statuses = [guess(client, slug).status_code for _ in range(BASE + 1)]
    assert statuses == [422] * BASE + [429]


def test_a_spent_code_sent_again_costs_and_a_repeated_receipt_earns_nothing(app, make, world):
    issued, slug = make.issue_codes(world, 1)
    client = app.test_client()
    assert guess(client, slug).status_code == 422
    claim = client.post(f"/api/v1/polls/{slug}/trackers", json={"code": issued[0]}).json
    body = {"code": issued[0], "choices": [], **claim}
    assert client.post(f"/api/v1/polls/{slug}/ballots", json=body).status_code == 201
    assert client.post(f"/api/v1/polls/{slug}/ballots", json=body).status_code == 200
    # One new ballot: BASE + EARNED failures in all, the first one above included.
    statuses = [guess(client, slug, issued[0]).status_code for _ in range(BASE + EARNED)]
    assert statuses == [409] * (BASE + EARNED - 1) + [429]


def test_a_typo_of_a_spent_code_is_free_too(app, make, world):
    """A voter who has voted mistypes their code again (on the ballot page here; checking the
    results with it, later): a typo still, not a guess."""
    issued, slug = make.issue_codes(world, 1)
    client = app.test_client()
    assert cast(client, slug, issued[0], {0: "high"}).status_code == 200
    statuses = [guess(client, slug, typo(issued[0], n)).status_code for n in range(2 * BASE)]
    assert statuses == [422] * (2 * BASE)
    assert [guess(client, slug).status_code for _ in range(BASE + 1)] == [422] * BASE + [429]
