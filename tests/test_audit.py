"""The audit log: every change recorded (who, what, when, which unit); the chain verifies."""
import sqlite3

import psycopg
from sqlalchemy import select

from tests.factories import refused_page

from tinnhiem.platform.audit.models import AuditEntry
from tinnhiem.platform.auth.roles import Role
from tinnhiem.tenants.scope import unscoped


def _entries(app, changes_only=True):
    """Audit entries; changes_only leaves out the entries that record scope crossings
    (every read in these tests crosses the scope once)."""
    with app.app_context(), unscoped("test") as session:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if changes_only:
            query = query.where(AuditEntry.action != "tenancy.crossed")
        return session.scalars(query).all()


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def _tamper(app, backend, sql):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if backend == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute("DROP TRIGGER audit_log_no_update")
            conn.execute("DROP TRIGGER audit_log_no_delete")
            conn.execute(sql)
    else:  # only the owner may; the app's role cannot (see test_schema)
        with psycopg.connect(app.config["MIGRATE_DATABASE_URL"].replace("+psycopg", "")) as conn:
            conn.execute(sql)


def test_operator_changes_are_recorded_with_actor_and_unit(app, make, login):
    operator = make.account(Role.OPERATOR)
    province = make.province()
    unit_type = make.unit_type()
    client = login(operator)
    response = client.post("/units/new", data={
        "name": "Đảng ủy xã Mới", "code": "XA-MOI", "type_id": str(unit_type.id),
        "parent_id": str(province.id), "valid_from": "2025-07-01"})
    assert response.status_code == 302
    last = _entries(app)[-1]
    assert last.action == "unit.created"
    assert last.actor == operator.username and last.actor_id == operator.id
    assert last.province_id == province.id and last.unit_id is not None
    assert last.details["name"] == "Đảng ủy xã Mới"
    assert client.get("/audit/").status_code == 200
    assert "unit.created" in client.get("/audit/").text


def test_verify_passes_on_an_intact_chain(app, make):
    make.world()
    count = len(_entries(app, changes_only=False))  # includes this read's own crossing
    result = _verify(app)
    assert result.exit_code == 0
    assert f"OK: {count} entries" in result.output
    assert _verify(app).output == result.output  # verifying writes nothing


def test_verify_names_the_first_edited_entry(app, backend, make):
    make.world()
    target = _entries(app)[3].id
    _tamper(app, backend, f"UPDATE audit_log SET actor = 'ke-gian' WHERE id = {target}")
    result = _verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at entry #{target}" in result.output
    assert "content does not match" in result.output


def test_verify_names_the_entry_after_a_deleted_one(app, backend, make):
    make.world()
    entries = _entries(app, changes_only=False)
    _tamper(app, backend, f"DELETE FROM audit_log WHERE id = {entries[2].id}")
    result = _verify(app)
    assert result.exit_code == 1 and f"BROKEN at entry #{entries[3].id}" in result.output


def test_a_refused_change_leaves_no_audit_entry(app, make, login):
    operator = make.account(Role.OPERATOR)
    province = make.province()
    before = len(_entries(app))
    client = login(operator)
    response = client.post("/units/new", data={
        "name": "Trùng", "code": province.code, "type_id": str(province.type_id),
        "parent_id": str(province.id), "valid_from": "2025-07-01"})
    assert "Mã đơn vị này đã có trong tỉnh." in refused_page(client, response).text
    assert len(_entries(app)) == before


def test_audit_page_is_for_the_operator_only(app, make, login):
    admin = make.account(Role.PROVINCE_ADMIN, make.province())
    assert login(admin).get("/audit/").status_code == 404


def test_verify_notices_entries_removed_from_the_end(app, backend, make):
    make.world()
    last = _entries(app, changes_only=False)[-1]
    _tamper(app, backend, f"DELETE FROM audit_log WHERE id >= {last.id - 1}")
    result = _verify(app)
    assert result.exit_code == 1 and "entries at the end were removed" in result.output


def test_verify_notices_a_rewritten_chain(app, backend, make):
    """Recomputing plain hashes is not enough to forge: the chain is keyed with a secret."""
    import hashlib
    import json

    make.world()
    first = _entries(app, changes_only=False)[0]
    forged = hashlib.sha256(json.dumps({"forged": True}).encode()).hexdigest()
    _tamper(app, backend, f"UPDATE audit_log SET actor = 'ke-gian', entry_hash = '{forged}'"
                          f" WHERE id = {first.id}")
    assert _verify(app).exit_code == 1


def test_crossing_the_scope_is_audited_with_its_reason(app, make):
    make.province()
    with app.app_context(), unscoped("báo cáo tổng hợp") as session:
        session.scalar(select(AuditEntry.id).limit(1))
    crossing = _entries(app, changes_only=False)[-2]  # the last is this test's own read
    assert crossing.action == "tenancy.crossed"
    assert crossing.details == {"reason": "báo cáo tổng hợp"}


def test_concurrent_writers_keep_one_chain(app, backend, make):
    """Two writers at once must not both chain onto the same predecessor."""
    import threading

    from tinnhiem.tenants import services

    make.province()
    errors = []

    def write(n):
        try:
            with app.app_context(), unscoped(f"writer {n}") as session:
                services.save_unit_type(session, None, {"code": f"T-{n}", "name": f"Loại {n}"})
                session.commit()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _verify(app).exit_code == 0
