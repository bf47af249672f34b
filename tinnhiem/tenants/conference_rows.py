"""Which of a unit's rows belong to one conference: how a voter's scope (tenants.voter_scope)
narrows the unit's scope in the ORM. PostgreSQL holds the same rule in its own policies
(revision 0015, platform/rls.py).

Worked out from the mapped tables, so tenants needs no feature's model: the conference table
is the one every `conference_id` refers to; a table with a `conference_id` column belongs by
it; a table without one belongs through a parent that has one (a ballot's marks through the
ballot, a sheet's totals through the sheet; every such parent must agree); any other unit row
(the unit itself, its successions, its cadre registry) belongs to no conference and is not
seen at all. Rows shared by the whole province (rounds, the ballot template) are not a unit's
and stay readable.
"""
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import and_, false, inspect, select
from sqlalchemy.orm import with_loader_criteria

from tinnhiem.platform.db import db, models_version
from tinnhiem.platform.worker_cache import worker_cache

CONFERENCE_COLUMN = "conference_id"


@dataclass(frozen=True)
class ConferenceLink:
    """How rows of one table name their conference: by their own id (the conference table),
    by a column, through parents ((column, parent class) pairs), or not at all."""
    cls: type
    own_id: bool = False
    column: str | None = None
    parents: tuple = ()

    def criterion(self, conference_id):
        if self.own_id:
            return self.cls.id == conference_id
        if self.column:
            return getattr(self.cls, self.column) == conference_id
        if self.parents:
            return and_(*(
                getattr(self.cls, column).in_(
                    select(parent.id).where(getattr(parent, CONFERENCE_COLUMN) == conference_id))
                for column, parent in self.parents))
        return false()


def _conference_table(tables):
    for table in tables:
        for key in table.foreign_keys:
            if key.parent.name == CONFERENCE_COLUMN:
                return key.column.table
    return None


def _link(cls, conference_table, classes) -> ConferenceLink:
    table = inspect(cls).local_table
    if table is conference_table:
        return ConferenceLink(cls, own_id=True)
    if CONFERENCE_COLUMN in table.c:
        return ConferenceLink(cls, column=CONFERENCE_COLUMN)
    parents = sorted(
        (key.parent.name, classes[key.column.table.name]) for key in table.foreign_keys
        if key.column.name == "id" and key.column.table.name in classes
        and CONFERENCE_COLUMN in key.column.table.c)
    return ConferenceLink(cls, parents=tuple(parents))


def conference_links() -> dict[str, ConferenceLink]:
    """Table name -> ConferenceLink, for every unit-owned table."""
    return _links_of(models_version())


@lru_cache(maxsize=4)
def _links_of(_models_version: int) -> dict[str, ConferenceLink]:
    from tinnhiem.tenants.owned import UnitOwned

    classes = {m.local_table.name: m.class_ for m in db.Model.registry.mappers
               if issubclass(m.class_, UnitOwned)}
    conference_table = _conference_table(inspect(c).local_table for c in classes.values())
    return {name: _link(cls, conference_table, classes) for name, cls in classes.items()}


def narrowing_criteria(table_names, conference_id) -> list:
    """Loader criteria that keep, of the unit-owned tables a statement names, the rows of
    one conference. Plain expressions (not lambdas): the id is a bound parameter either way."""
    links = conference_links()
    return [with_loader_criteria(links[name].cls, links[name].criterion(conference_id),
                                 include_aliases=True)
            for name in sorted(table_names) if name in links]


def in_conference(session, model, value_of, conference_id) -> bool:
    """Whether a unit row of `model` to be written (its columns given by `value_of(name)`)
    is of the conference (a province-shared row is left to the unit scope's rules)."""
    link = conference_links().get(inspect(model).local_table.name)
    if link is None:
        return True
    if link.own_id:
        return value_of("id") == conference_id
    if link.column:
        return value_of(link.column) == conference_id
    return bool(link.parents) and all(
        _parent_conference(session, parent, value_of(column)) == conference_id
        for column, parent in link.parents)


def _known() -> dict:
    """(table, row id) -> that row's conference: a row never moves to another conference, so
    what was read once (or inserted) holds for as long as the row exists."""
    return worker_cache("known_conferences", 100_000)


def remember_rows(model, rows: list[dict]) -> None:
    """Rows just inserted that name their conference: later rows may name them as a parent
    (a ballot's marks) without asking the database."""
    table = inspect(model).local_table
    if CONFERENCE_COLUMN not in table.c or "id" not in table.c:
        return
    known = _known()
    for row in rows:
        if row.get("id") is not None and row.get(CONFERENCE_COLUMN) is not None:
            known[(table.name, row["id"])] = row[CONFERENCE_COLUMN]


def learn_parents(session, model, rows: list[dict]) -> None:
    """Look up, in one query per parent table, the conference of every parent the rows name
    that is not known yet (in_conference then asks nothing of the database)."""
    link = conference_links().get(inspect(model).local_table.name)
    if link is None or not link.parents:
        return
    known = _known()
    for column, parent in link.parents:
        table = inspect(parent).local_table.name
        missing = {row.get(column) for row in rows} - {None}
        missing = {pid for pid in missing if (table, pid) not in known}
        if not missing:
            continue
        with session.no_autoflush:
            found = session.execute(select(parent.id, getattr(parent, CONFERENCE_COLUMN))
                                    .where(parent.id.in_(missing))).all()
        known.update(((table, pid), conference) for pid, conference in found)


def _parent_conference(session, parent, parent_id):
    """The parent's conference: from the rows this flush adds (a ballot and its marks are
    written together), from what is known, else as stored."""
    for pending in session.new:
        if isinstance(pending, parent) and pending.id == parent_id:
            return getattr(pending, CONFERENCE_COLUMN)
    known = _known().get((inspect(parent).local_table.name, parent_id))
    if known is not None:
        return known
    with session.no_autoflush:
        return session.scalar(
            select(getattr(parent, CONFERENCE_COLUMN)).where(parent.id == parent_id))
