"""Only tenants binds a scope; a voter's scope reads one conference of its unit and nothing
else, in the ORM and (on PostgreSQL) in the database's own policies."""
import ast
from pathlib import Path

import pytest
from sqlalchemy import select, text

import tinnhiem.models  # noqa: F401  (every model mapped)
from tinnhiem.conferences.models import Conference, Nominee
from tinnhiem.conferences.services import ballot_nominees
from tinnhiem.platform.db import db
from tinnhiem.tenants.models import Unit
from tinnhiem.tenants.scope import ScopeMissing, ScopeViolation
from tinnhiem.tenants.voter_scope import bind_voter_scope


def _model(table: str):
    """The model of a table, wherever its package (ballots move to their own, issue #13)."""
    return next(m.class_ for m in db.Model.registry.mappers if m.local_table.name == table)


Ballot, BallotMark, Poll, VoteCode = map(_model, ("ballots", "ballot_marks", "polls",
                                                  "vote_codes"))

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tinnhiem"
BINDING_NAMES = {"bind_scope", "Scope"}


def _modules(under: Path):
    for path in sorted(under.rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(), str(path))


def _binds_a_scope(tree) -> list[str]:
    """Lines that import, call or construct what binds a scope."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found += [f"{node.lineno}: imports {a.name}" for a in node.names
                      if a.name in BINDING_NAMES]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            owner = getattr(func, "value", None)
            if name in BINDING_NAMES:
                found.append(f"{node.lineno}: calls {name}")
            elif (name or "").startswith("for_") and (
                    getattr(owner, "id", None) == "Scope" or getattr(owner, "attr", None) == "Scope"):
                found.append(f"{node.lineno}: calls Scope.{name}")
    return found


def test_no_module_outside_tenants_binds_a_scope():
    """Features pass what they know (a link, a token, an account); only tenants binds."""
    offenders = [f"{module}:{line}" for module, tree in _modules(PACKAGE)
                 if not module.startswith("tinnhiem/tenants/")
                 for line in _binds_a_scope(tree)]
    assert offenders == []


def test_the_binding_check_finds_a_feature_binding_a_scope():
    """The check above would see each way a feature could bind (so its silence means it)."""
    source = ("from tinnhiem.tenants.scope import Scope, bind_scope\n"
              "bind_scope(db.session, Scope.for_unit(p, u))\n"
              "scope.bind_scope(s, scope.Scope(province_id=p))\n")
    assert len(_binds_a_scope(ast.parse(source))) == 6


def test_platform_imports_nothing_of_tenants():
    """Platform sits below every feature and below tenants: it never imports them."""
    offenders = []
    for module, tree in _modules(PACKAGE / "platform"):
        for node in ast.walk(tree):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            offenders += [f"{module}:{node.lineno}" for n in names
                          if n.startswith("tinnhiem.tenants")]
    assert offenders == []


@pytest.fixture
def world(make, client):
    """Two open conferences of unit A1 (A and B), each with a ballot cast."""
    from tests.voter_pages import cast

    w = make.world()
    w.conference_b = make.open_conference(w, people=2, summoned=5, title="Hội nghị B")
    w.people_b = w.people
    w.conference_a = make.open_conference(w, people=3, summoned=5, title="Hội nghị A")
    w.people_a = w.people
    for conference in (w.conference_a, w.conference_b):
        codes, slug = make.issue_codes(w, 2, conference=conference)
        assert cast(client, slug, codes[0], {0: "high"}).status_code == 200
    return w


def _voter_session(world, conference):
    session = db.session.session_factory()
    place = (world.province_a.id, world.a1.id, conference.id)
    assert bind_voter_scope(session, lambda _directory: place) == place
    return session


def _ids(session, model, column):
    return set(session.scalars(select(column)))


def test_a_voter_reads_its_own_conference_and_not_another_of_the_same_unit(app, world):
    """Under conference A's voter scope the ORM shows A's rows only: B's conference, people,
    codes, ballots and marks are as invisible as another unit's; the unit's other rows too."""
    a, b = world.conference_a, world.conference_b
    with app.app_context():
        session = _voter_session(world, a)
        assert _ids(session, Conference, Conference.id) == {a.id}
        assert session.get(Conference, b.id) is None
        assert _ids(session, Nominee, Nominee.conference_id) == {a.id}
        assert [n.full_name for n in ballot_nominees(session, session.get(Conference, a.id))] \
            == [p.full_name for p in world.people_a]
        assert _ids(session, VoteCode, VoteCode.conference_id) == {a.id}
        assert _ids(session, Ballot, Ballot.conference_id) == {a.id}
        assert _ids(session, Poll, Poll.conference_id) == {a.id}
        marked = set(session.scalars(select(BallotMark.nominee_id)))
        assert marked and marked <= {p.id for p in world.people_a}
        assert session.scalars(select(Unit)).all() == []
        session.close()


def test_a_voter_cannot_write_a_row_of_another_conference(app, world):
    """A row stamped with conference B is refused before it reaches the database."""
    with app.app_context():
        session = _voter_session(world, world.conference_a)
        session.add(Ballot(conference_id=world.conference_b.id, origin="electronic"))
        with pytest.raises(ScopeViolation):
            session.flush()
        session.close()


def test_a_link_that_names_no_conference_binds_nothing(app, world):
    """An unknown link leaves no scope at all, not even the directory's it was looked up in."""
    with app.app_context():
        session = db.session.session_factory()
        assert bind_voter_scope(session, lambda _directory: None) is None
        with pytest.raises(ScopeMissing):
            session.scalars(select(Unit)).all()
        session.close()


def test_forged_or_unknown_links_are_404(world, client):
    for path in ("/v/KHONGCO1", "/v/" + "X" * 40, "/r/gia-mao.chu-ky"):
        assert client.get(path).status_code == 404, path
    assert client.post("/v/KHONGCO1/ballot", data={"code": "ABCDEFGHJK"}).status_code == 404


def test_the_ballot_page_shows_its_own_conference(make, world, client):
    from tests.voter_pages import person_ids

    codes, slug = make.issue_codes(world, 1, conference=world.conference_b)
    page = client.post(f"/v/{slug}/ballot", data={"code": codes[0]})
    assert page.status_code == 200 and "Hội nghị B" in page.text
    assert person_ids(page) == [str(p.id) for p in world.people_b]


OTHER_CONFERENCE_ROWS = {
    "conferences": "SELECT count(*) FROM conferences WHERE id = :b",
    "nominees": "SELECT count(*) FROM nominees WHERE conference_id = :b",
    "vote_codes": "SELECT count(*) FROM vote_codes WHERE conference_id = :b",
    "ballots": "SELECT count(*) FROM ballots WHERE conference_id = :b",
    "polls": "SELECT count(*) FROM polls WHERE conference_id = :b",
}


def _raw_count(session, sql, conference):
    return session.execute(text(sql), {"b": conference.id}).scalar()


@pytest.mark.postgresql_only
def test_raw_sql_under_a_voter_scope_sees_only_its_conference(app, world):
    """RLS alone (raw SQL skips the ORM's criteria) hides conference B from A's voter scope,
    while A's own rows are there."""
    with app.app_context():
        session = _voter_session(world, world.conference_a)
        seen = {t: _raw_count(session, sql, world.conference_b)
                for t, sql in OTHER_CONFERENCE_ROWS.items()}
        assert seen == dict.fromkeys(OTHER_CONFERENCE_ROWS, 0)
        own = {t: _raw_count(session, sql, world.conference_a)
               for t, sql in OTHER_CONFERENCE_ROWS.items()}
        assert all(own.values()), own
        # The marks' own policy (no other table read): only A's people's marks are there.
        marked = set(session.execute(text("SELECT DISTINCT nominee_id FROM ballot_marks")).scalars())
        assert marked and marked <= {p.id for p in world.people_a}
        assert session.execute(text("SELECT count(*) FROM units")).scalar() == 0
        session.close()


@pytest.mark.postgresql_only
def test_every_unit_table_narrows_to_a_voters_conference(app, world):
    """Each unit-owned table has the restrictive policy a voter's conference is held by."""
    with app.app_context():
        with db.engine.connect() as connection:
            policies = connection.execute(text(
                "SELECT tablename, policyname, permissive FROM pg_policies")).all()
    unit_tables = {t for t, name, _ in policies if name == "tenant_scope"} - {
        "ballot_templates", "rounds", "round_categories"}  # the province's, shared
    narrowed = {t for t, name, permissive in policies
                if name == "voter_conference" and permissive == "RESTRICTIVE"}
    assert unit_tables and unit_tables == narrowed


def test_a_voters_requests_write_no_audit_row(make, world, client):
    """Binding a voter's scope is no crossing: a voter's pages and cast leave no audit row
    (nothing on the vote path records that a voter came)."""
    from sqlalchemy import func

    from tests.voter_pages import cast
    from tinnhiem.platform.audit.models import AuditEntry

    def audit_rows():  # but the test's own crossings, which read them
        return make._run(lambda s: s.scalar(select(func.count()).select_from(AuditEntry)
                                            .where(AuditEntry.action != "tenancy.crossed")))

    codes, slug = make.issue_codes(world, 1, conference=world.conference_a)
    before = audit_rows()
    assert client.get(f"/v/{slug}").status_code == 200
    assert cast(client, slug, codes[0], {0: "low"}).status_code == 200
    assert client.get("/v/KHONGCO1").status_code == 404
    assert audit_rows() == before

