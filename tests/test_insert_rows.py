"""tenants.insert_rows: many tenant rows in one statement (the closing shuffle), each checked
against the bound scope as a flush checks a new object; any other Core insert stays refused."""
import random
import uuid

import pytest
from sqlalchemy import insert, literal_column, select

from tinnhiem.platform.db import db
from tinnhiem.tally.models import Ballot
from tinnhiem.tenants.scope import Scope, ScopeViolation, bind_scope, insert_rows, unscoped


def _ballot(conference, unit_id=None, tracker="T"):
    return {"id": uuid.uuid4(), "conference_id": conference.id, "origin": "electronic",
            "tracker": tracker, "province_id": conference.province_id,
            "unit_id": unit_id or conference.unit_id}


@pytest.fixture
def voting(make):
    world = make.world()
    return world, make.open_conference(world, people=1, summoned=3)


def _session(app, world, unit):
    session = db.session.session_factory()
    bind_scope(session, Scope.for_unit(world.province_a.id, unit.id))
    return session


def test_rows_of_the_scope_go_in_in_the_order_given(app, voting):
    world, conference = voting
    with app.app_context():
        session = _session(app, world, world.a1)
        rows = [_ballot(conference, tracker=f"T{n:03d}") for n in range(40)]
        insert_rows(session, Ballot, rows)
        session.commit()
        stored = set(session.scalars(select(Ballot.tracker).where(
            Ballot.conference_id == conference.id)))
        session.close()
    assert stored == {f"T{n:03d}" for n in range(40)}


@pytest.mark.postgresql_only
def test_postgresql_stores_the_rows_in_the_order_given(app, voting):
    """The closing shuffle relies on it: the heap holds the rows in the order of the arrays
    (a table's fresh rows are appended; ctid is their place in the heap)."""
    world, conference = voting
    trackers = [f"R{n:03d}" for n in random.sample(range(600), 600)]
    with app.app_context():
        session = _session(app, world, world.a1)
        insert_rows(session, Ballot, [_ballot(conference, tracker=t) for t in trackers])
        session.commit()
        stored = list(session.scalars(select(Ballot.tracker).where(
            Ballot.conference_id == conference.id).order_by(literal_column("ctid"))))
        session.close()
    assert stored == trackers


def test_columns_left_out_take_their_defaults(app, voting):
    world, conference = voting
    with app.app_context():
        session = _session(app, world, world.a1)
        insert_rows(session, Ballot, [_ballot(conference, tracker="D1"),
                                      _ballot(conference, tracker="D2")])
        insert_rows(session, Ballot, [{**_ballot(conference, tracker="D3"), "blank": True}])
        session.commit()
        stored = session.execute(select(Ballot.tracker, Ballot.not_issued, Ballot.blank,
                                        Ballot.extra_names, Ballot.sheet_id).where(
            Ballot.conference_id == conference.id).order_by(Ballot.tracker)).all()
        session.close()
    assert [tuple(row) for row in stored] == [("D1", False, False, False, None),
                                              ("D2", False, False, False, None),
                                              ("D3", False, True, False, None)]


def test_a_row_of_another_unit_is_refused_and_nothing_is_written(app, voting):
    world, conference = voting
    with app.app_context():
        session = _session(app, world, world.a1)
        rows = [_ballot(conference, tracker="OK1"), _ballot(conference, world.a2.id, "X")]
        with pytest.raises(ScopeViolation):
            insert_rows(session, Ballot, rows)
        session.rollback()
        assert session.scalar(select(Ballot.id).where(Ballot.tracker == "OK1")) is None
        session.close()


def test_another_units_scope_cannot_insert_into_this_conference(app, voting):
    """From the other side: A2's admin scope cannot put a ballot into A1's conference."""
    world, conference = voting
    with app.app_context():
        session = _session(app, world, world.a2)
        with pytest.raises(ScopeViolation):
            insert_rows(session, Ballot, [_ballot(conference, tracker="FROM-A2")])
        session.close()


def test_a_province_scope_checks_each_unit_its_rows_name(app, voting):
    """Rows are checked once per province and unit they name: the sixth row, of a unit of
    another province stamped with this province, is still caught."""
    world, conference = voting
    with app.app_context():
        session = db.session.session_factory()
        bind_scope(session, Scope.for_province(world.province_a.id))
        rows = [_ballot(conference, tracker=f"P{n}") for n in range(5)]
        rows.append({**_ballot(conference, world.b1.id, "B1"),
                     "province_id": world.province_a.id})
        with pytest.raises(ScopeViolation):
            insert_rows(session, Ballot, rows)
        session.rollback()
        assert session.scalar(select(Ballot.id).where(Ballot.tracker == "P0")) is None
        session.close()


def test_a_core_insert_without_the_checks_is_still_refused(app, voting):
    world, conference = voting
    with app.app_context():
        session = _session(app, world, world.a1)
        with pytest.raises(ScopeViolation):
            session.execute(insert(Ballot), [_ballot(conference, tracker="CORE")])
        session.close()


def test_a_crossing_inserts_what_it_is_given(app, voting):
    """The demo load and the CLI close votes inside an audited crossing."""
    _world, conference = voting
    with app.app_context(), unscoped("test: rows across the scope") as session:
        insert_rows(session, Ballot, [_ballot(conference, tracker="CROSS")])
        session.commit()
        assert session.scalar(select(Ballot.tracker).where(Ballot.tracker == "CROSS")) == "CROSS"
