"""Tenant scope: which province and unit a session may see, enforced in the ORM and in PostgreSQL.

A scope is bound to a session once, before its first query on unit-owned rows. Every ORM
SELECT, UPDATE and DELETE then carries a criteria on `province_id` (and `unit_id` for unit
staff); new rows are stamped and checked before flush; on PostgreSQL the same scope is set as
transaction-local settings that Row-Level Security policies read (see the first migration).
Only tenants binds a scope (tests/test_scope_binding.py): from the signed-in account
(tenants.request), for an anonymous voter (tenants.voter_scope), or to cross (`unscoped`).
"""
import logging
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Table, event, select
from sqlalchemy.orm import scoped_session, with_loader_criteria
from sqlalchemy.sql import visitors

from tinnhiem.platform.bulk_insert import insert_many
from tinnhiem.platform.db import (SCOPE_KEY, TenantSession, db, make_read_only, models_version,
                                  owner_engine, set_signed_scope)
from tinnhiem.tenants import conference_rows
from tinnhiem.tenants.owned import ProvinceOwned, UnitOwned

__all__ = ["SCOPE_KEY", "Scope", "ScopeMissing", "ScopeViolation", "bind_scope", "insert_rows",
           "unscoped"]
log = logging.getLogger("tinnhiem.tenancy")


class ScopeMissing(RuntimeError):
    """A tenant row was queried or written with no scope bound to the session."""


class ScopeViolation(RuntimeError):
    """A row outside the bound scope was about to be written."""


@dataclass(frozen=True)
class Scope:
    province_id: uuid.UUID | None = None
    unit_id: uuid.UUID | None = None
    crossing: bool = False
    directory: bool = False
    reason: str = ""
    # The signed-in account: in PostgreSQL the one account row (and sign-in sessions) its
    # own request may change (revision 0012); it widens no data scope.
    account_id: uuid.UUID | None = None
    # A voter's: the unit scope narrowed to this one conference (tenants.voter_scope).
    conference_id: uuid.UUID | None = None
    # A successor's reading of a predecessor (tenants.history): this province (and unit),
    # only what its models open to history (`__tenant_history__`), and nothing written.
    history: bool = False

    @classmethod
    def for_unit(cls, province_id, unit_id, account_id=None) -> "Scope":
        return cls(province_id=province_id, unit_id=unit_id, account_id=account_id)

    @classmethod
    def for_province(cls, province_id, account_id=None) -> "Scope":
        return cls(province_id=province_id, account_id=account_id)

    @classmethod
    def for_voter(cls, province_id, unit_id, conference_id) -> "Scope":
        """An anonymous voter's (or a person's own result link): one conference of one unit,
        no account. Bind it through tenants.voter_scope.bind_voter_scope."""
        if None in (province_id, unit_id, conference_id):
            raise ValueError("a voter's scope names a province, a unit and a conference")
        return cls(province_id=province_id, unit_id=unit_id, conference_id=conference_id)

    @classmethod
    def for_history(cls, province_id, unit_id=None) -> "Scope":
        """A predecessor's certified past, read by its successor: bind it through
        tenants.history.history_session only, once the succession is established."""
        if province_id is None:
            raise ValueError("a history scope names a province")
        return cls(province_id=province_id, unit_id=unit_id, history=True)

    @classmethod
    def for_sign_in(cls, account_id) -> "Scope":
        """Between a correct password and the account's own scope: its own rows only."""
        return cls(account_id=account_id)

    @classmethod
    def for_directory(cls, account_id=None) -> "Scope":
        """The operator's: the unit tree of every province and nothing else (no data scope:
        a query that touches any other tenant row raises)."""
        return cls(directory=True, account_id=account_id)


def bind_scope(session, scope: Scope | None) -> None:
    """Bind `scope` to `session`. One scope per session: a change starts afresh, so nothing
    loaded under the old scope (identity map, open transaction) is reused under the new one."""
    if isinstance(session, scoped_session):
        session = session()
    previous = session.info.get(SCOPE_KEY)
    if previous == scope:
        return
    if previous is not None:
        session.close()
    session.info[SCOPE_KEY] = scope
    if session.in_transaction():
        # The transaction began before the scope was known (loading the signed-in account).
        _apply_database_settings(session.connection(), scope)


@contextmanager
def unscoped(reason: str, actor=None):
    """A separate session that sees every province and unit: the only way across the scope.
    Each crossing is written to the audit log with its reason before anything is read.
    The caller's own session and scope are left untouched."""
    if not reason:
        raise ValueError("crossing the tenant scope needs a reason")
    from tinnhiem.platform.audit.services import record

    log.info("tenant scope crossed: %s", reason)
    engine = owner_engine()  # on PostgreSQL the app's role cannot cross (platform/rls.py)
    session = db.session.session_factory(info={"engine": engine} if engine else {})
    try:
        bind_scope(session, Scope(crossing=True, reason=reason))
        record(session, "tenancy.crossed", actor=actor, details={"reason": reason})
        session.commit()
        yield session
    finally:
        session.close()


def _apply_database_settings(connection, scope: Scope | None) -> None:
    if connection.dialect.name != "postgresql":
        return
    province = str(scope.province_id) if scope and scope.province_id else ""
    unit = str(scope.unit_id) if scope and scope.unit_id else ""
    crossing = "on" if scope and scope.crossing else "directory" if scope and scope.directory \
        else "history" if scope and scope.history else ""
    if scope is not None and scope.history:
        make_read_only(connection)
    account = str(scope.account_id) if scope and scope.account_id else ""
    conference = str(scope.conference_id) if scope and scope.conference_id else ""
    # The signature is what makes the database believe them (platform/rls.py, revision 0012).
    set_signed_scope(connection, province, unit, crossing, account, conference)


@event.listens_for(TenantSession, "after_begin")
def _set_scope_on_transaction(session, _transaction, connection):
    _apply_database_settings(connection, session.info.get(SCOPE_KEY))


def _tenant_tables() -> dict[str, bool]:
    """Name of every tenant table -> whether it belongs to the unit directory. Asked on every
    statement, so worked out once per set of mapped models."""
    return _tenant_tables_of(models_version())


@lru_cache(maxsize=4)
def _tenant_tables_of(_models_version: int) -> dict[str, bool]:
    return {
        mapper.local_table.name: bool(getattr(mapper.class_, "__tenant_directory__", False))
        for mapper in db.Model.registry.mappers
        if issubclass(mapper.class_, ProvinceOwned)
    }


@lru_cache(maxsize=4)
def _history_models_of(_models_version: int) -> dict[str, type]:
    """Name of every table a history scope may read -> its model. A model opens itself to
    history with `__tenant_history__`: True (every row of the predecessor) or a function of
    the class giving the rows (Result: the certified ones); the same rows as revision 0022's
    policies in PostgreSQL."""
    return {
        mapper.local_table.name: mapper.class_
        for mapper in db.Model.registry.mappers
        if issubclass(mapper.class_, ProvinceOwned)
        and getattr(mapper.class_, "__tenant_history__", False)
    }


def _history_criteria(tables) -> list:
    """Refuse a table history may not read; keep the listed rows of those it may."""
    readable = _history_models_of(models_version())
    closed = set(tables) - set(readable)
    if closed:
        raise ScopeMissing(f"a history scope reads no {', '.join(sorted(closed))}")
    options = []
    for table in tables:
        rows = readable[table].__tenant_history__
        if rows is not True:
            options.append(with_loader_criteria(readable[table], rows, include_aliases=True))
    return options


def _tenant_tables_in(statement) -> dict[str, bool]:
    """The tenant tables a statement names anywhere: FROM, JOIN, subqueries, DML targets."""
    tenant = _tenant_tables()
    return {
        element.name: tenant[element.name]
        for element in visitors.iterate(statement)
        if isinstance(element, Table) and element.name in tenant
    }


def _province_criteria(province_id):
    return with_loader_criteria(
        ProvinceOwned, lambda cls: cls.province_id == province_id, include_aliases=True
    )


def _unit_criteria(unit_id):
    # A separate lambda from the province one: the lambda's code is its cache key, so one
    # lambda must never switch shape between scopes; the ids are bound parameters.
    return with_loader_criteria(
        UnitOwned, lambda cls: cls.unit_id == unit_id, include_aliases=True
    )


@event.listens_for(TenantSession, "do_orm_execute")
def _add_scope_criteria(state):
    if state.is_column_load or state.is_relationship_load:
        return  # these inherit the criteria of the query that loaded the parent
    tables = _tenant_tables_in(state.statement)
    if not tables:
        return
    scope = state.session.info.get(SCOPE_KEY)
    if scope is not None and scope.crossing:
        return
    if scope is not None and scope.directory:
        if not all(tables.values()):
            raise ScopeMissing("the operator has no data scope beyond the unit directory")
        return
    if scope is None or scope.province_id is None:
        raise ScopeMissing("query on tenant rows with no tenant scope bound")
    if state.is_insert or ((state.is_update or state.is_delete) and not state.is_orm_statement):
        raise ScopeViolation("Core or bulk DML on tenant rows bypasses the scope; use the ORM"
                             " or insert_rows")
    options = [_province_criteria(scope.province_id)]
    if scope.unit_id is not None:
        options.append(_unit_criteria(scope.unit_id))
    if scope.conference_id is not None:
        options += conference_rows.narrowing_criteria(tables, scope.conference_id)
    if scope.history:
        if not state.is_select:
            raise ScopeViolation("a history scope writes nothing")
        options += _history_criteria(tables)
    state.statement = state.statement.options(*options)


@event.listens_for(TenantSession, "before_flush")
def _stamp_and_check_rows(session, _context, _instances):
    scope = session.info.get(SCOPE_KEY)
    if scope is not None and scope.crossing:
        return
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not isinstance(obj, ProvinceOwned):
            continue
        if scope is not None and scope.directory:
            if not getattr(obj, "__tenant_directory__", False):
                raise ScopeMissing("the operator has no data scope beyond the unit directory")
            continue
        if scope is None or scope.province_id is None:
            raise ScopeMissing(f"writing {type(obj).__name__} with no tenant scope bound")
        if scope.history:
            raise ScopeViolation(f"a history scope writes no {type(obj).__name__}")
        _check_row(session, scope, obj)


def _check_row(session, scope: Scope, obj) -> None:
    """A new, changed or deleted object against the scope: its province and unit stamped
    where left out."""
    owner = _checked_owner(session, scope, type(obj), lambda name: getattr(obj, name, None))
    for name, value in owner.items():
        if value is not None and getattr(obj, name) is None:
            setattr(obj, name, value)


def _checked_owner(session, scope: Scope, model, value_of) -> dict:
    """The province (and unit) a row of `model` whose columns `value_of(name)` gives is
    written for, once checked against the scope; raises ScopeViolation."""
    province_id = value_of("province_id") or scope.province_id
    if province_id != scope.province_id:
        raise ScopeViolation(f"{model.__name__} belongs to another province")
    if not issubclass(model, UnitOwned):
        return {"province_id": province_id}  # province-shared: the services' rule
    unit_id = value_of("unit_id") or scope.unit_id
    if scope.unit_id is not None and unit_id != scope.unit_id:
        raise ScopeViolation(f"{model.__name__} belongs to another unit")
    if scope.conference_id is not None and not conference_rows.in_conference(
            session, model, value_of, scope.conference_id):
        raise ScopeViolation(f"{model.__name__} is not of the voter's conference")
    if scope.unit_id is None and not _unit_in_scope(session, unit_id):
        raise ScopeViolation(f"{model.__name__} names a unit outside the province")
    return {"province_id": province_id, "unit_id": unit_id}


def insert_rows(session, model, rows: list[dict]) -> None:
    """Insert many rows of the tenant table `model` in one statement, in the order given (the
    closing shuffle relies on it), each checked against the bound scope first as a flush
    checks a new object, and stamped with the scope's province and unit where they are
    left out. PostgreSQL's policies check them again."""
    if isinstance(session, scoped_session):
        session = session()
    scope = session.info.get(SCOPE_KEY)
    checked = checked_rows(session, model, rows)
    # Every row is checked, so they go straight to the connection, past the ORM's
    # per-statement work (the scope hook would only wave them through); pending objects are
    # flushed first, as session.execute would.
    if session.autoflush:
        session.flush()
    insert_many(session.connection(), model, checked)
    if scope is not None and scope.conference_id is not None:
        conference_rows.remember_rows(model, checked)


def checked_rows(session, model, rows: list[dict]) -> list[dict]:
    """`rows` of `model` as a flush would write them under the bound scope: each checked
    (ScopeViolation, ScopeMissing), province and unit stamped. Also what a Core statement
    that names its rows by owner columns is given (casting spends a code so), as the ORM's
    criteria never see it."""
    if isinstance(session, scoped_session):
        session = session()
    scope = session.info.get(SCOPE_KEY)
    if scope is not None and scope.crossing:
        return list(rows)  # a crossing sees every row (audited when it was opened)
    if scope is None or scope.province_id is None or scope.directory:
        raise ScopeMissing(f"writing {model.__name__} rows with no tenant data scope bound")
    if scope.history:
        raise ScopeViolation(f"a history scope writes no {model.__name__}")
    return _checked_rows(session, scope, model, rows)


def _checked_rows(session, scope: Scope, model, rows: list[dict]) -> list[dict]:
    """Each row as a flush would write it under `scope`: checked, province and unit stamped.
    Outside a voter's scope the check reads only the province and unit a row names, so each
    pair named is checked once (closing writes 8,000 rows of one unit; a province's scope
    asks the database whether the unit is its own)."""
    if scope.conference_id is not None:
        conference_rows.learn_parents(session, model, rows)
        return [{**row, **_checked_owner(session, scope, model, row.get)} for row in rows]
    owners = {}  # (province, unit) a row names -> (the owner checked, as a pair)
    checked = []
    for row in rows:
        named = (row.get("province_id"), row.get("unit_id"))
        if named not in owners:
            owner = _checked_owner(session, scope, model, row.get)
            owners[named] = owner, (owner["province_id"], owner.get("unit_id"))
        owner, pair = owners[named]
        # A row that already names its checked owner goes as it is (no copy of 8,000 rows).
        checked.append(row if named == pair else {**row, **owner})
    return checked


def _unit_in_scope(session, unit_id) -> bool:
    from tinnhiem.tenants.models import Unit

    with session.no_autoflush:
        return session.scalar(select(Unit.id).where(Unit.id == unit_id)) is not None
