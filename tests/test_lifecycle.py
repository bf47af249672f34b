"""The conference lifecycle: its table of moves (every move from every state, by every role),
transition() as the one way a state changes, the annulment signal, and no state spelled out
anywhere but conferences/lifecycle.py."""
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

import tinnhiem
from tinnhiem.conferences import lifecycle
from tinnhiem.conferences.lifecycle import MOVES, State, conference_moved
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.errors import ServiceError

# The table as DOMAIN.md and DESIGN.md state it, written out independently of the code:
# move → (from, to, roles that may make it; empty: only the system, as a restore does).
ADMIN, COUNTER = {Role.UNIT_ADMIN}, {Role.COUNTER}
EXPECTED = {
    "ready": ({"draft"}, "ready", ADMIN),
    "open": ({"ready"}, "open", ADMIN),
    "close": ({"open"}, "closed", ADMIN),
    "suspend": ({"open"}, "suspended", set()),
    "void_and_close": ({"suspended"}, "closed", ADMIN),
    "count": ({"closed"}, "counted", ADMIN | COUNTER),
    "certify": ({"counted"}, "certified", COUNTER),
    "annul": ({"draft", "ready", "open", "closed", "counted", "certified", "suspended"},
              "annulled", ADMIN),
}
STATES = ("draft", "ready", "open", "closed", "counted", "certified", "annulled", "suspended")


def test_the_table_is_the_documented_one():
    assert {s.value for s in State} == set(STATES)
    assert {name: ({s.value for s in m.sources}, m.target.value, set(m.roles))
            for name, m in MOVES.items()} == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("status", STATES)
@pytest.mark.parametrize("role", [*Role, None])
def test_every_move_from_every_state_by_every_role(name, status, role):
    """Allowed exactly when the state is a source and the role one of the move's (None: the
    system, which may make any move); otherwise refused with the documented code."""
    sources, _target, roles = EXPECTED[name]
    conference = SimpleNamespace(status=status)
    actor = None if role is None else SimpleNamespace(role=role)
    role_ok = role is None or role in roles
    allowed = status in sources and role_ok
    assert lifecycle.may_move(conference, actor, MOVES[name]) is allowed
    if allowed:
        lifecycle.require_move(conference, actor, MOVES[name])
        return
    with pytest.raises(ServiceError) as refused:
        lifecycle.require_move(conference, actor, MOVES[name])
    if not role_ok:
        expected = {"certify": ("not_a_counter", 409), "count": ("not_on_board", 403)}.get(
            name, ("role_not_allowed", 403))
        assert (refused.value.code, refused.value.status) == expected
    else:
        assert (refused.value.code, refused.value.status) == ("invalid_transition", 409)
        assert lifecycle.status_label(status) in str(refused.value.message)


def _audit_actions(make, world, conference_id):
    from tinnhiem.platform.audit.models import AuditEntry

    return make.as_account(world.unit_admin_a1, lambda s, _a: list(s.scalars(
        select(AuditEntry.action).where(AuditEntry.target == str(conference_id))
        .order_by(AuditEntry.id))))


def test_transition_writes_state_and_audit_or_nothing(make):
    """A refused move leaves the state and the audit log as they were; an allowed one sets
    the state and writes one entry, in the caller's transaction."""
    from tinnhiem.conferences import services

    world = make.conference_for(make.world())
    conference_id = world.conference_a1.id
    before = _audit_actions(make, world, conference_id)

    def open_a_draft(session, actor):
        services.open_vote(session, actor, services.get_conference(session, conference_id))

    with pytest.raises(ServiceError, match="sang"):
        make.as_account(world.unit_admin_a1, open_a_draft)
    with pytest.raises(ServiceError) as refused:  # a counter may not freeze the ballot
        make.as_account(world.counter_a1, lambda s, a: lifecycle.transition(
            s, a, services.get_conference(s, conference_id), MOVES["ready"]))
    assert refused.value.code == "role_not_allowed"
    assert _audit_actions(make, world, conference_id) == before
    status = make.as_account(world.unit_admin_a1, lambda s, a: lifecycle.transition(
        s, a, services.get_conference(s, conference_id), MOVES["annul"], reason="Thử"))
    assert status == {"reason": "Thử"}
    assert make.as_account(world.unit_admin_a1, lambda s, _a: services.get_conference(
        s, conference_id).status) == State.ANNULLED
    assert _audit_actions(make, world, conference_id) == [*before, "conference.annulled"]


def test_annulment_sends_the_signal_and_counting_takes_results_out(make):
    """Counting hears of the annulment through the signal (conferences does not import it)
    and takes the conference's certified results out of the roll-up; they stay as they were."""
    from tinnhiem.conferences import services as conferences
    from tinnhiem.counting import services as counting
    from tinnhiem.counting.models import Result

    assert counting._leave_rollup_on_annulment in conference_moved.receivers_for(MOVES["annul"])
    world = make.conference_for(make.world())
    conference = make.certified(world.a1, world.round_a.id, world.nominee_a1.category_id, [
        ("Người Hai", "CB-S2", {"high": 3, "confidence": 1, "low": 0, "invalid": 0})],
        collected=4, title="Hội nghị sẽ hủy")

    def results():
        return make.as_account(world.unit_admin_a1, lambda s, _a: [
            (r.certified, r.high, r.low) for r in s.scalars(
                select(Result).where(Result.conference_id == conference.id))])

    assert results() == [(True, 3, 0)]
    heard = []

    def listen(move, *, session, conference, actor):
        heard.append((move.name, conference.id, conference.status, actor.id))

    with conference_moved.connected_to(listen, sender=MOVES["annul"]):
        make.as_account(world.unit_admin_a1, lambda s, a: conferences.annul(
            s, a, conferences.get_conference(s, conference.id), "Sai sót khi kiểm phiếu"))
    assert heard == [("annul", conference.id, State.ANNULLED, world.unit_admin_a1.id)]
    assert results() == [(False, 3, 0)]


# A state in quotes, not as an HTML id (id="suspended" names the page's notice).
STATE_WORD = re.compile(r"""(?<!id=)["'](%s)["']""" % "|".join(STATES))
ROOT = Path(tinnhiem.__file__).parent
# Files whose quoted word is not the state, each with why.
NOT_THE_STATE = {
    "counting/models.py": "the results' `certified` column (in the roll-up or not) in indexes",
}


def state_strings(root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted([*root.rglob("*.py"), *root.rglob("*.html")]):
        relative = str(path.relative_to(root))
        if relative == "conferences/lifecycle.py" or relative in NOT_THE_STATE:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if STATE_WORD.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    return found


def test_no_state_is_spelled_out_outside_the_lifecycle(tmp_path):
    assert state_strings() == []
    (tmp_path / "page.html").write_text("{% if conference.status == 'open' %}")
    assert state_strings(tmp_path) == ["page.html:1: {% if conference.status == 'open' %}"]
