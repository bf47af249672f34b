"""In PostgreSQL the app's role cannot widen its scope: the database believes a scope only
with the app's signature, made with a key the role cannot read (revision 0012)."""
import hashlib
import hmac

import psycopg
import pytest

from tests.conftest import TEST_CONFIG
from tinnhiem import create_app
from tinnhiem.platform.db import SCOPE_SIGNATURE_VERSION, db

pytestmark = pytest.mark.postgresql_only


@pytest.fixture
def world(make):
    w = make.world()
    make.conference_for(w)  # province A has a round and a conference; B has none
    return w


def _signature(key: bytes, province="", unit="", crossing="", account="") -> str:
    message = "|".join((SCOPE_SIGNATURE_VERSION, province, unit, crossing, account)).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _seen(url, province="", unit="", crossing="", signature=""):
    """What the role in `url` sees after setting the scope itself, as injected SQL could."""
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        conn.execute("SELECT set_config('app.province_id', %s, true),"
                     " set_config('app.unit_id', %s, true), set_config('app.crossing', %s, true),"
                     " set_config('app.scope_sig', %s, true)",
                     (province, unit, crossing, signature))
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("units", "rounds", "conferences", "nominees")}


def _key(app) -> bytes:
    from tinnhiem.platform.db import database_scope_key

    with app.app_context():
        return database_scope_key()


NOTHING = {"units": 0, "rounds": 0, "conferences": 0, "nominees": 0}


def test_a_forged_scope_sees_nothing(app, world, pg_database):
    province_a = str(world.province_a.id)
    genuine = _signature(_key(app), province_a)
    # Control: the app's own signature opens province A, so the refusals below are the key's.
    assert _seen(pg_database.app_url, province_a, signature=genuine) == {
        "units": 4, "rounds": 2, "conferences": 1, "nominees": 1}
    forged = [
        {"province": province_a},  # no signature at all
        {"province": province_a, "signature": "0" * 64},
        {"province": province_a, "signature": _signature(b"guessed key", province_a)},
        # A's genuine signature replayed with B's or a wider scope
        {"province": str(world.province_b.id), "signature": genuine},
        {"province": province_a, "crossing": "directory", "signature": genuine},
        {"crossing": "on", "signature": genuine},
    ]
    for attempt in forged:
        assert _seen(pg_database.app_url, **attempt) == NOTHING, attempt


def test_a_unit_scope_cannot_be_widened_to_its_province(app, world, pg_database):
    province, unit = str(world.province_a.id), str(world.a2.id)
    signed = _signature(_key(app), province, unit)
    assert _seen(pg_database.app_url, province, unit, signature=signed)["units"] == 1
    assert _seen(pg_database.app_url, province, "", signature=signed) == NOTHING


def test_the_app_role_cannot_read_or_change_the_key(app, world, pg_database):
    with psycopg.connect(pg_database.app_url.replace("+psycopg", ""), autocommit=True) as conn:
        for statement in ("SELECT key FROM app_scope_key",
                          "UPDATE app_scope_key SET key = 'x'",
                          "ALTER FUNCTION app_scope_signature_ok() OWNER TO CURRENT_USER",
                          "CREATE OR REPLACE FUNCTION app_setting_province() RETURNS uuid"
                          " LANGUAGE sql AS $$ SELECT NULL::uuid $$",
                          # what the policies compare rows with since revision 0019
                          "CREATE OR REPLACE FUNCTION app_raw_unit() RETURNS uuid"
                          " LANGUAGE sql AS $$ SELECT NULL::uuid $$"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_the_app_refuses_to_serve_with_another_key(pg_database, caplog):
    """A web host whose SECRET_KEY differs from the one the database was given would see
    nothing at all: it says so at its first request instead."""
    app = create_app({**TEST_CONFIG, "SECRET_KEY": "another-key",
                      "SQLALCHEMY_DATABASE_URI": pg_database.app_url,
                      "MIGRATE_DATABASE_URL": pg_database.owner_url})
    assert app.test_client().get("/login").status_code == 500
    assert "key the database does not hold" in caplog.text
    result = app.test_cli_runner().invoke(args=["scope-key", "install"])
    assert result.exit_code == 0 and "OK" in result.output
    try:
        assert app.test_client().get("/login").status_code == 200
    finally:
        restore = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": pg_database.app_url,
                              "MIGRATE_DATABASE_URL": pg_database.owner_url})
        assert restore.test_cli_runner().invoke(args=["scope-key", "install"]).exit_code == 0
        for each in (app, restore):
            with each.app_context():
                db.engine.dispose()


def _as_app(url, key, statement, params=(), **scope):
    """Run one statement as the app's role under a scope the app itself signed."""
    values = {name: str(scope.get(name) or "") for name in
              ("province", "unit", "crossing", "account")}
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        conn.execute("SELECT set_config('app.province_id', %s, true),"
                     " set_config('app.unit_id', %s, true), set_config('app.crossing', %s, true),"
                     " set_config('app.account_id', %s, true),"
                     " set_config('app.scope_sig', %s, true)",
                     (*values.values(), _signature(key, *values.values())))
        result = conn.execute(statement, params)
        return result.rowcount


def test_an_injected_statement_cannot_rebind_or_take_over_an_account(app, world, pg_database):
    key, url = _key(app), pg_database.app_url
    admin_a = {"province": world.province_a.id, "account": world.admin_a.id}
    refused = [
        ("UPDATE accounts SET province_id = %s, unit_id = %s WHERE id = %s",
         (world.province_b.id, world.province_b.id, world.admin_a.id)),
        ("UPDATE accounts SET role = 'province_admin', unit_id = province_id WHERE id = %s",
         (world.unit_admin_a1.id,)),
        ("UPDATE accounts SET password_hash = 'known' WHERE id = %s", (world.admin_b.id,)),
        ("UPDATE accounts SET active = false WHERE id = %s", (world.admin_b.id,)),
        ("INSERT INTO accounts (id, username, full_name, password_hash, role, active,"
         " must_change_password) VALUES (gen_random_uuid(), 'ke-gian', 'K', 'x', 'operator',"
         " true, false)", ()),
        ("DELETE FROM accounts WHERE id = %s", (world.admin_b.id,)),
    ]
    for statement, params in refused:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _as_app(url, key, statement, params, **admin_a)
    # The account's own request may change its own secrets, and the operator's binds.
    assert _as_app(url, key, "UPDATE accounts SET must_change_password = false WHERE id = %s",
                   (world.admin_a.id,), **admin_a) == 1
    assert _as_app(url, key, "UPDATE accounts SET active = false WHERE id = %s",
                   (world.admin_b.id,), crossing="directory", account=world.operator.id) == 1


def test_an_injected_statement_cannot_rewrite_the_audit_log(app, world, pg_database):
    key, url = _key(app), pg_database.app_url
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log",
                      "UPDATE audit_head SET entries = 0", "DELETE FROM audit_head",
                      "TRUNCATE audit_log"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _as_app(url, key, statement, crossing="directory", account=world.operator.id)


def test_an_injected_statement_cannot_open_a_session_for_another_account(app, world,
                                                                        pg_database):
    key, url = _key(app), pg_database.app_url
    forged = ("INSERT INTO sign_in_sessions (id, account_id, kind, secret_hash, device,"
              " created_at, last_seen_at, expires_at) VALUES (gen_random_uuid(), %s, 'page',"
              " repeat('a', 64), '', now(), now(), now() + interval '1 hour')")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as_app(url, key, forged, (world.operator.id,), province=world.province_a.id,
                account=world.admin_a.id)
    assert _as_app(url, key, forged, (world.admin_a.id,), account=world.admin_a.id) == 1
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as_app(url, key, "UPDATE sign_in_sessions SET expires_at = now() + interval '9 years'",
                account=world.admin_a.id)


def test_signing_in_still_works_through_the_app(app, world, client):
    from tests.conftest import PASSWORD

    page = client.post("/login", data={"username": world.admin_a.username,
                                       "password": PASSWORD})
    assert page.status_code == 302 and client.get("/rounds/").status_code == 200
    token = client.post("/api/v1/auth/token", json={"username": world.operator.username,
                                                    "password": PASSWORD})
    assert token.status_code == 200


def _seen_by_voter(url, key, province, unit, conference, signed_for):
    """What the app's role sees with conference `conference` set, signed for `signed_for`
    (revision 0015: a voter's conference is appended to what the signature covers)."""
    signature = _signature(key, province, unit)
    if signed_for:
        message = "|".join((SCOPE_SIGNATURE_VERSION, province, unit, "", "", signed_for))
        signature = hmac.new(key, message.encode(), hashlib.sha256).hexdigest()
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        conn.execute("SELECT set_config('app.province_id', %s, true),"
                     " set_config('app.unit_id', %s, true),"
                     " set_config('app.conference_id', %s, true),"
                     " set_config('app.scope_sig', %s, true)",
                     (province, unit, conference, signature))
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("units", "rounds", "conferences", "nominees")}


def test_a_voters_scope_is_one_conference_and_cannot_be_widened(app, world, pg_database):
    """Signed for one conference, the scope sees that conference and the province's shared
    rounds, not even its unit's row; its signature neither opens the whole unit (conference
    dropped) nor another conference."""
    key, url = _key(app), pg_database.app_url
    province, unit = str(world.province_a.id), str(world.a1.id)
    conference = str(world.conference_a1.id)
    assert _seen_by_voter(url, key, province, unit, conference, conference) == {
        "units": 0, "rounds": 2, "conferences": 1, "nominees": 1}
    assert _seen_by_voter(url, key, province, unit, "", conference) == NOTHING
    other = str(world.round_a.id)  # any other id
    assert _seen_by_voter(url, key, province, unit, other, conference) == NOTHING
    # The unit's own signature (no conference) still opens the unit, as before.
    assert _seen_by_voter(url, key, province, unit, "", "")["conferences"] == 1


def test_every_policy_checks_the_signature_once(app, world, pg_database):
    """Revision 0019: a tenant policy checks the signature once (one InitPlan a statement, not
    one per value it reads); the voter's narrowing is ANDed with it and checks none itself.
    Every table the app reads holds both, so no table is left to the raw settings alone."""
    with psycopg.connect(pg_database.owner_url.replace("+psycopg", "")) as conn:
        policies = conn.execute("SELECT tablename, policyname, permissive, qual FROM pg_policies"
                                " WHERE schemaname = 'public'").fetchall()
    tenant = {table: qual for table, name, _kind, qual in policies if name == "tenant_scope"}
    narrowing = {table: (kind, qual) for table, name, kind, qual in policies
                 if name == "voter_conference"}
    assert len(tenant) >= 20 and set(narrowing) <= set(tenant)
    for table, qual in tenant.items():
        assert qual.count("app_scope_trusted()") == 1, table
        assert "app_setting_" not in qual, table
    for table, (kind, qual) in narrowing.items():
        assert kind == "RESTRICTIVE" and "app_scope_trusted" not in qual, table
    # and the history scope's limits (revision 0022), which narrow and never widen
    history = {table for table, name, kind, _q in policies
               if name == "history_read" and kind == "RESTRICTIVE"}
    assert history == set(tenant)
    assert {name for _t, name, _k, _q in policies} == {
        "tenant_scope", "voter_conference", "history_read", "succession_by_operator"}


def _insert_ballot_under(url, settings: dict, conference, province, unit):
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        conn.execute("SELECT " + ", ".join(f"set_config('app.{name}', %s, true)"
                                           for name in settings), list(settings.values()))
        conn.execute("INSERT INTO ballots (id, conference_id, origin, tracker, not_issued, blank,"
                     " extra_names, province_id, unit_id) VALUES (gen_random_uuid(), %s,"
                     " 'electronic', 'ABCDEFGH', false, false, false, %s, %s)",
                     (conference, province, unit))


def test_a_forged_scope_cannot_write(app, world, pg_database):
    """Rows written under a scope whose signature does not cover it are refused, not only
    hidden: A's unit signature replayed for B's unit, and a voter's signature for one
    conference used to write into another of the same unit."""
    key, url = _key(app), pg_database.app_url
    province_a, a1 = str(world.province_a.id), str(world.a1.id)
    conference = str(world.conference_a1.id)
    genuine = _signature(key, province_a, a1)
    voter = hmac.new(key, "|".join((SCOPE_SIGNATURE_VERSION, province_a, a1, "", "",
                                    conference)).encode(), hashlib.sha256).hexdigest()
    other = str(world.round_a.id)  # any other id
    attempts = [
        ({"province_id": str(world.province_b.id), "unit_id": str(world.b1.id),
          "scope_sig": genuine}, (conference, str(world.province_b.id), str(world.b1.id))),
        ({"province_id": province_a, "unit_id": a1, "conference_id": other,
          "scope_sig": voter}, (other, province_a, a1)),
    ]
    # Control: the genuine scope writes, so the refusals below are the signature's.
    _insert_ballot_under(url, {"province_id": province_a, "unit_id": a1, "scope_sig": genuine},
                         conference, province_a, a1)
    for settings, row in attempts:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _insert_ballot_under(url, settings, *row)
