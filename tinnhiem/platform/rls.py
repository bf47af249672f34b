"""DDL for PostgreSQL Row-Level Security, used by migrations (which run as the table owner).
On SQLite every function here does nothing: the ORM scoping is the only guard there."""
import os

from alembic import op

from tinnhiem.platform import db

SCOPE_FUNCTION = """
CREATE OR REPLACE FUNCTION app_in_scope(p uuid, u uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
  -- NULLIF: a pooled connection reads '' (not NULL) once a transaction-local setting ended.
  SELECT coalesce(current_setting('app.crossing', true), '') = 'on'
      OR (p = NULLIF(current_setting('app.province_id', true), '')::uuid
          AND (NULLIF(current_setting('app.unit_id', true), '') IS NULL
               OR u = NULLIF(current_setting('app.unit_id', true), '')::uuid))
$$
"""


DIRECTORY_FUNCTION = """
CREATE OR REPLACE FUNCTION app_in_directory(p uuid, u uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
  -- The operator's scope: the unit tree of every province, nothing else.
  SELECT app_in_scope(p, u) OR coalesce(current_setting('app.crossing', true), '') = 'directory'
$$
"""

PROVINCE_FUNCTION = """
CREATE OR REPLACE FUNCTION app_in_province(p uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('app.crossing', true), '') = 'on'
      OR p = NULLIF(current_setting('app.province_id', true), '')::uuid
$$
"""


# The transaction's scope as three small functions. Policies call them through scalar
# sub-selects, which PostgreSQL evaluates once per query (an InitPlan) instead of once per
# row, and which leave plain `column = value` comparisons the planner can estimate.
SETTING_FUNCTIONS = """
CREATE OR REPLACE FUNCTION app_setting_crossing() RETURNS text
LANGUAGE sql STABLE AS $$ SELECT coalesce(current_setting('app.crossing', true), '') $$;
CREATE OR REPLACE FUNCTION app_setting_province() RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT NULLIF(current_setting('app.province_id', true), '')::uuid $$;
CREATE OR REPLACE FUNCTION app_setting_unit() RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT NULLIF(current_setting('app.unit_id', true), '')::uuid $$
"""
_CROSSING, _PROVINCE, _UNIT = ("(SELECT app_setting_crossing())", "(SELECT app_setting_province())",
                               "(SELECT app_setting_unit())")


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def app_role() -> str:
    try:
        from flask import current_app

        return current_app.config["DB_APP_ROLE"]
    except RuntimeError:  # outside an app context
        return os.environ.get("DB_APP_ROLE", "tinnhiem_app")


def create_scope_functions() -> None:
    if _postgresql():
        op.execute(SCOPE_FUNCTION)
        op.execute(DIRECTORY_FUNCTION)
        op.execute(SETTING_FUNCTIONS)


def drop_scope_functions() -> None:
    if _postgresql():
        op.execute("DROP FUNCTION IF EXISTS app_in_directory(uuid, uuid)")
        op.execute("DROP FUNCTION IF EXISTS app_in_scope(uuid, uuid)")
        for name in ("app_setting_crossing", "app_setting_province", "app_setting_unit"):
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")


def create_province_function() -> None:
    if _postgresql():
        op.execute(PROVINCE_FUNCTION)


def drop_province_function() -> None:
    if _postgresql():
        op.execute("DROP FUNCTION IF EXISTS app_in_province(uuid)")


def _policies(crossing: str) -> dict:
    unit = (f"{crossing} OR (province_id = {_PROVINCE}"
            f" AND ({_UNIT} IS NULL OR unit_id = {_UNIT}))")
    return {"unit": unit, "directory": f"{unit} OR {_CROSSING} = 'directory'",
            "province": f"{crossing} OR province_id = {_PROVINCE}"}


def _crossing_for_others_than_the_app() -> str:
    """Crossing every province (tenants.scope.unscoped) is honoured only for a connection
    whose role is neither the app's nor a member of it: the web process, which holds only
    such credentials, cannot cross even if it could run any SQL (the CLI and migrations
    cross as the owner; platform.db refuses to serve as anything but the app's role). The
    operator's directory crossing stays the app's: it reads units only."""
    return (f"({_CROSSING} = 'on' AND coalesce((SELECT NOT pg_has_role(current_user, r.oid,"
            f" 'MEMBER') FROM pg_roles r WHERE r.rolname = '{app_role()}'), true))")


def policies() -> dict:
    """Each kind's policy: the scope read through scalar sub-selects (revision 0006), and
    crossing only for others than the app role (revision 0009)."""
    return _policies(_crossing_for_others_than_the_app())


# Revisions 0006–0008: any role could cross by setting app.crossing.
SCOPE_ONCE_POLICIES = _policies(f"{_CROSSING} = 'on'")
# The policies of revisions 0001–0005, which called a function per row (restored on the way
# down from 0006).
LEGACY_POLICIES = {
    "unit": "app_in_scope(province_id, unit_id)",
    "directory": "app_in_directory(province_id, unit_id)",
    "province": "app_in_province(province_id)",
}


def _policy_kind(qual: str) -> str:
    if "directory" in qual:
        return "directory"
    if "unit" in qual.replace("province_id", ""):
        return "unit"
    return "province"


def rewrite_policies(policies: dict) -> None:
    """Replace the tenant policy of every table that has one, keeping each table's kind."""
    if not _postgresql():
        return
    signed = op.get_bind().exec_driver_sql(
        "SELECT to_regclass('public.app_scope_key') IS NOT NULL").scalar()
    if not signed:  # from revision 0012 on, the setting functions check the signature
        op.execute(SETTING_FUNCTIONS)
    rows = op.get_bind().exec_driver_sql(
        "SELECT tablename, qual FROM pg_policies WHERE policyname = 'tenant_scope'").all()
    for table, qual in rows:
        check = policies[_policy_kind(qual)]
        op.execute(f"DROP POLICY tenant_scope ON {table}")
        op.execute(f"CREATE POLICY tenant_scope ON {table} USING ({check}) WITH CHECK ({check})")


def enable_tenant_rls(table: str, kind: str = "unit") -> None:
    """Rows of `table` are visible and writable only inside the transaction's scope, for
    every role including the owner (FORCE); with no scope set, nothing is visible.
    kind: "unit" (unit-owned), "directory" (the unit tree, also the operator's) or
    "province" (shared by every unit of the province)."""
    if not _postgresql():
        return
    check = _current_form(policies()[kind], trusted=True)
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_scope ON {table} USING ({check}) WITH CHECK ({check})")
    if _history_limited():
        limit_history(table)


def disable_tenant_rls(table: str) -> None:
    if not _postgresql():
        return
    op.execute(f"DROP POLICY IF EXISTS tenant_scope ON {table}")
    op.execute(f"DROP POLICY IF EXISTS {HISTORY_POLICY} ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


def grant_app_role(tables: list[str], *, append_only: list[str] = (),
                   sequences: list[str] = ()) -> None:
    """Let the app's role (which owns nothing) read and write `tables`, and only read and
    append to `append_only` ones. Skipped when the role does not exist yet."""
    if not _postgresql():
        return
    role = app_role()
    statements = ["GRANT USAGE ON SCHEMA public TO {r}"]
    statements += [f"GRANT SELECT, INSERT, UPDATE, DELETE ON {t} TO {{r}}" for t in tables]
    statements += [f"GRANT SELECT, INSERT ON {t} TO {{r}}" for t in append_only]
    statements += [f"GRANT USAGE, SELECT ON SEQUENCE {s} TO {{r}}" for s in sequences]
    body = "; ".join(s.format(r=f'"{role}"') for s in statements)
    op.execute(
        f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN"
        f" {body}; END IF; END $$"
    )


# Revision 0012: the database believes a scope only when the application vouches for it. The
# app signs each transaction's settings (HMAC-SHA256 with a key from its environment); the
# owner keeps the same key in a table the app's role cannot read, and the setting functions
# every policy reads return the scope only when the signature matches. SQL injected into the
# app's connection can set any value but cannot sign it, and no other transaction's signature
# is visible to it (values travel as bound parameters, never in the query text).
SIGNED_SETTING_FUNCTIONS = """
CREATE OR REPLACE FUNCTION app_scope_signature_ok() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(current_setting('app.scope_sig', true), '') = encode(public.hmac(
      convert_to(concat_ws('|', '{version}', coalesce(current_setting('app.province_id', true), ''),
                           coalesce(current_setting('app.unit_id', true), ''),
                           coalesce(current_setting('app.crossing', true), ''),
                           coalesce(current_setting('app.account_id', true), '')), 'UTF8'),
      (SELECT key FROM public.app_scope_key WHERE id = 1), 'sha256'), 'hex')
$$;
REVOKE ALL ON FUNCTION app_scope_signature_ok() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_scope_signature_ok() TO PUBLIC;
CREATE OR REPLACE FUNCTION app_scope_trusted() RETURNS boolean
LANGUAGE sql STABLE AS $$
  -- Only the app's role (and its members) must sign: the owner can read the key anyway.
  SELECT NOT coalesce((SELECT pg_has_role(current_user, r.oid, 'MEMBER') FROM pg_roles r
                       WHERE r.rolname = '{role}'), false)
      OR app_scope_signature_ok()
$$;
CREATE OR REPLACE FUNCTION app_setting_crossing() RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN app_scope_trusted() THEN coalesce(current_setting('app.crossing', true), '')
              ELSE '' END $$;
CREATE OR REPLACE FUNCTION app_setting_province() RETURNS uuid
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN app_scope_trusted()
              THEN NULLIF(current_setting('app.province_id', true), '')::uuid END $$;
CREATE OR REPLACE FUNCTION app_setting_unit() RETURNS uuid
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN app_scope_trusted()
              THEN NULLIF(current_setting('app.unit_id', true), '')::uuid END $$;
CREATE OR REPLACE FUNCTION app_setting_account() RETURNS uuid
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN app_scope_trusted()
              THEN NULLIF(current_setting('app.account_id', true), '')::uuid END $$
"""


def create_scope_key_table(key: bytes) -> None:
    """The owner's copy of the key the app signs scopes with; the app's role gets no right
    on it (and PUBLIC none either)."""
    if not _postgresql():
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
    op.execute("CREATE TABLE app_scope_key (id integer PRIMARY KEY CHECK (id = 1),"
               " key bytea NOT NULL)")
    op.execute("REVOKE ALL ON app_scope_key FROM PUBLIC")
    op.get_bind().exec_driver_sql(
        "INSERT INTO app_scope_key (id, key) VALUES (1, %(key)s)", {"key": key})
    op.execute(SIGNED_SETTING_FUNCTIONS.format(version=db.SCOPE_SIGNATURE_VERSION,
                                               role=app_role()))
    op.execute(ACCOUNT_GUARD.format(role=app_role()))


def drop_scope_key_table() -> None:
    if not _postgresql():
        return
    op.execute(DROP_ACCOUNT_GUARD)
    op.execute(SETTING_FUNCTIONS)
    op.execute("DROP FUNCTION IF EXISTS app_setting_account()")
    op.execute("DROP FUNCTION IF EXISTS app_scope_trusted()")
    op.execute("DROP FUNCTION IF EXISTS app_scope_signature_ok()")
    op.execute("DROP TABLE IF EXISTS app_scope_key")


# Accounts are read before any scope exists (sign-in), so they have no row policy; what the
# app's role may change in them is held here instead (revision 0012), so SQL injected into
# any request cannot bind an account elsewhere, make one, or take one over.
ACCOUNT_GUARD = """
CREATE OR REPLACE FUNCTION app_is_app_role() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT pg_has_role(current_user, r.oid, 'MEMBER') FROM pg_roles r
                   WHERE r.rolname = '{role}'), false)
$$;
CREATE OR REPLACE FUNCTION app_guard_accounts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT app_is_app_role() OR app_setting_crossing() = 'directory' THEN
    RETURN coalesce(NEW, OLD);  -- the owner, or the operator's signed scope
  END IF;
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'only the operator creates or deletes accounts'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.id, NEW.username, NEW.role, NEW.unit_id, NEW.province_id, NEW.active)
     IS DISTINCT FROM (OLD.id, OLD.username, OLD.role, OLD.unit_id, OLD.province_id, OLD.active)
  THEN
    RAISE EXCEPTION 'only the operator binds, renames or locks accounts'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.password_hash, NEW.must_change_password, NEW.totp_secret)
     IS DISTINCT FROM (OLD.password_hash, OLD.must_change_password, OLD.totp_secret)
     AND OLD.id IS DISTINCT FROM app_setting_account() THEN
    RAISE EXCEPTION 'an account''s secrets change only in its own signed-in request'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER app_guard_accounts BEFORE INSERT OR UPDATE OR DELETE ON accounts
  FOR EACH ROW EXECUTE FUNCTION app_guard_accounts();
CREATE OR REPLACE FUNCTION app_guard_audit_head() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- The head only moves forward: resetting it would hide entries cut from the chain's end.
  IF app_is_app_role() AND (TG_OP = 'DELETE' OR NEW.entries < OLD.entries) THEN
    RAISE EXCEPTION 'the audit head only moves forward' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN coalesce(NEW, OLD);
END $$;
CREATE TRIGGER app_guard_audit_head BEFORE UPDATE OR DELETE ON audit_head
  FOR EACH ROW EXECUTE FUNCTION app_guard_audit_head();
CREATE OR REPLACE FUNCTION app_guard_sign_in_sessions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- A session is opened only for the account whose password was just checked (the signed
  -- scope names it); afterwards only its last use and its end may change.
  IF app_is_app_role() AND TG_OP = 'INSERT'
     AND NEW.account_id IS DISTINCT FROM app_setting_account() THEN
    RAISE EXCEPTION 'a session opens only for the account signing in'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF app_is_app_role() AND TG_OP = 'UPDATE'
     AND (NEW.id, NEW.account_id, NEW.kind, NEW.secret_hash, NEW.created_at, NEW.expires_at)
         IS DISTINCT FROM
         (OLD.id, OLD.account_id, OLD.kind, OLD.secret_hash, OLD.created_at, OLD.expires_at) THEN
    RAISE EXCEPTION 'a session only records its last use and its end'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN coalesce(NEW, OLD);
END $$;
CREATE TRIGGER app_guard_sign_in_sessions BEFORE INSERT OR UPDATE ON sign_in_sessions
  FOR EACH ROW EXECUTE FUNCTION app_guard_sign_in_sessions();
"""
DROP_ACCOUNT_GUARD = """
DROP TRIGGER IF EXISTS app_guard_sign_in_sessions ON sign_in_sessions;
DROP FUNCTION IF EXISTS app_guard_sign_in_sessions();
DROP TRIGGER IF EXISTS app_guard_audit_head ON audit_head;
DROP FUNCTION IF EXISTS app_guard_audit_head();
DROP TRIGGER IF EXISTS app_guard_accounts ON accounts;
DROP FUNCTION IF EXISTS app_guard_accounts();
DROP FUNCTION IF EXISTS app_is_app_role()
"""


# Revision 0015: a voter's scope (tenants.voter_scope) is a unit's narrowed to one
# conference, named in app.conference_id. The signature covers it, appended only when it is
# set, so every other scope's signature stays what it was: a voter's cannot be replayed
# without its conference (the unit's whole scope), nor with another one.
CONFERENCE_SETTING_FUNCTIONS = """
CREATE OR REPLACE FUNCTION app_scope_signature_ok() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(current_setting('app.scope_sig', true), '') = encode(public.hmac(
      convert_to(concat_ws('|', '{version}', coalesce(current_setting('app.province_id', true), ''),
                           coalesce(current_setting('app.unit_id', true), ''),
                           coalesce(current_setting('app.crossing', true), ''),
                           coalesce(current_setting('app.account_id', true), ''))
                 || CASE WHEN coalesce(current_setting('app.conference_id', true), '') = ''
                         THEN '' ELSE '|' || current_setting('app.conference_id', true) END,
                 'UTF8'),
      (SELECT key FROM public.app_scope_key WHERE id = 1), 'sha256'), 'hex')
$$;
REVOKE ALL ON FUNCTION app_scope_signature_ok() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_scope_signature_ok() TO PUBLIC;
CREATE OR REPLACE FUNCTION app_setting_conference() RETURNS uuid
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN app_scope_trusted()
              THEN NULLIF(current_setting('app.conference_id', true), '')::uuid END $$
"""
_CONFERENCE = "(SELECT app_setting_conference())"
CONFERENCE_POLICY = "voter_conference"


def create_conference_setting() -> None:
    if _postgresql():
        op.execute(CONFERENCE_SETTING_FUNCTIONS.format(version=db.SCOPE_SIGNATURE_VERSION))


def drop_conference_setting() -> None:
    """Back to revision 0012's signature (which ignores app.conference_id)."""
    if _postgresql():
        op.execute(SIGNED_SETTING_FUNCTIONS.format(version=db.SCOPE_SIGNATURE_VERSION,
                                                   role=app_role()))
        op.execute("DROP FUNCTION IF EXISTS app_setting_conference()")


def narrow_to_conference(table: str, rows: str) -> None:
    """A restrictive policy, added to (ANDed with) the table's tenant_scope: when the scope
    names a conference, only `rows` (SQL; `{conference}` stands for the scope's) are seen or
    written. With no conference set it holds for every row, so other scopes are unchanged."""
    if not _postgresql():
        return
    check = _current_form(f"{_CONFERENCE} IS NULL OR ({rows.format(conference=_CONFERENCE)})")
    op.execute(f"CREATE POLICY {CONFERENCE_POLICY} ON {table} AS RESTRICTIVE"
               f" USING ({check}) WITH CHECK ({check})")


def unnarrow_from_conference(table: str) -> None:
    if _postgresql():
        op.execute(f"DROP POLICY IF EXISTS {CONFERENCE_POLICY} ON {table}")


# Revision 0019: each policy checks the signature once. Until then every scope value a policy
# read (province, unit, crossing, conference: up to seven a table) was its own InitPlan, and
# each ran app_scope_trusted() — an HMAC through a SECURITY DEFINER function, which
# PostgreSQL neither inlines nor caches — so a ballot's four statements ran ~45 of them and
# spent two thirds of PostgreSQL's time there (bench/casting_bench.py). Now the tenant
# policy ANDs one `(SELECT app_scope_trusted())` with comparisons to the raw settings, and
# the restrictive voter_conference policy reads the raw conference: it is ANDed with the
# tenant policy, which already refuses a scope whose signature does not cover it.
# The settings as read before revision 0012 signed them (SETTING_FUNCTIONS), and the
# conference's.
RAW_SETTING_FUNCTIONS = SETTING_FUNCTIONS.replace("app_setting_", "app_raw_") + """;
CREATE OR REPLACE FUNCTION app_raw_conference() RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT NULLIF(current_setting('app.conference_id', true), '')::uuid $$
"""
_RAW = {f"app_setting_{name}": f"app_raw_{name}"
        for name in ("crossing", "province", "unit", "conference")}
TRUSTED_ONCE = "(SELECT app_scope_trusted())"


def _each_policy(rewrite) -> None:
    """Recreate every tenant_scope and voter_conference policy with `rewrite(name, qual)` as
    its condition (both USING and WITH CHECK: they are the same in every one)."""
    rows = op.get_bind().exec_driver_sql(
        "SELECT tablename, policyname, permissive, qual FROM pg_policies"
        " WHERE schemaname = 'public' AND policyname IN ('tenant_scope', %(conference)s)",
        {"conference": CONFERENCE_POLICY}).all()
    for table, name, permissive, qual in rows:
        check = rewrite(name, qual)
        op.execute(f"DROP POLICY {name} ON {table}")
        op.execute(f"CREATE POLICY {name} ON {table} AS {permissive}"
                   f" USING ({check}) WITH CHECK ({check})")


def _current_form(check: str, trusted: bool = False) -> str:
    """A policy made by a migration after revision 0019 takes its form (raw settings, one
    signature check); before it, the form of its time."""
    if op.get_bind().exec_driver_sql("SELECT to_regproc('app_raw_unit')").scalar() is None:
        return check
    return f"{TRUSTED_ONCE} AND ({_swapped(check, _RAW)})" if trusted else _swapped(check, _RAW)


def _swapped(text: str, names: dict) -> str:
    for old, new in names.items():
        text = text.replace(old, new)
    return text


def trust_once() -> None:
    if not _postgresql():
        return
    op.execute(RAW_SETTING_FUNCTIONS)
    _each_policy(lambda name, qual: _current_form(qual, trusted=name == "tenant_scope"))


def trust_each_value() -> None:
    """Back to revision 0018's policies: each value read through its own checked setting."""
    if not _postgresql():
        return
    back = {new: old for old, new in _RAW.items()}
    rewrite_policies(policies())
    _each_policy(lambda name, qual: _swapped(qual, back))
    op.execute("DROP FUNCTION IF EXISTS app_raw_crossing(), app_raw_province(),"
               " app_raw_unit(), app_raw_conference()")


# Revision 0022: a successor reads what it succeeded. A history scope (tenants.history) is a
# predecessor's province (and unit) scope signed with app.crossing = 'history': the tenant
# policy lets it see that province's rows as it would, and a restrictive policy on every
# tenant table then keeps only what history may read (certified results, the round, the
# unit tree) and refuses every write. Under any other scope the policy holds for every row.
HISTORY_FUNCTION = """
CREATE OR REPLACE FUNCTION app_in_history() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT coalesce(current_setting('app.crossing', true), '') = 'history' $$
"""
HISTORY_POLICY = "history_read"
_IN_HISTORY = "(SELECT app_in_history())"


def create_history_function() -> None:
    if _postgresql():
        op.execute(HISTORY_FUNCTION)


def drop_history_function() -> None:
    if _postgresql():
        op.execute("DROP FUNCTION IF EXISTS app_in_history()")


def limit_history(table: str, rows: str = "false") -> None:
    """Under a history scope only `rows` (SQL) of `table` are seen, and nothing is written."""
    if not _postgresql():
        return
    op.execute(f"CREATE POLICY {HISTORY_POLICY} ON {table} AS RESTRICTIVE"
               f" USING (NOT {_IN_HISTORY} OR ({rows})) WITH CHECK (NOT {_IN_HISTORY})")


def unlimit_history(table: str) -> None:
    if _postgresql():
        op.execute(f"DROP POLICY IF EXISTS {HISTORY_POLICY} ON {table}")


def _history_limited() -> bool:
    """From revision 0022 on, a new tenant table is closed to history scopes unless its
    migration opens some of its rows (limit_history)."""
    return op.get_bind().exec_driver_sql("SELECT to_regproc('app_in_history')").scalar() \
        is not None
