"""tests/snapshots.py: every test of a module starts from the same rows, whatever the tests
before it wrote, with the builder's objects and the factory's memory as they were built."""
import pytest
from sqlalchemy import func, select

from tests.snapshots import snapshot
from tinnhiem.platform.audit.models import AuditEntry
from tinnhiem.platform.db import db
from tinnhiem.tenants.models import Unit, UnitType
from tinnhiem.tenants.scope import unscoped

SEEN: dict = {}


@snapshot
def world(make):
    w = make.world()
    w.round = make.conference_for(w).round_a
    return w


def _rows(app) -> dict:
    with app.app_context(), unscoped("test") as session:
        return {table.name: session.execute(select(func.count()).select_from(table)).scalar()
                for table in db.metadata.sorted_tables}


def _last_audit_id(make):
    """(Reading across every scope is itself audited: the same steps give the same ids.)"""
    return make._run(lambda s: s.scalar(select(func.max(AuditEntry.id))))


@pytest.mark.parametrize("n", range(3))
def test_each_test_starts_from_the_built_rows_whatever_the_one_before_wrote(
        world, make, app, backend, n):
    start = _rows(app)
    assert start["units"] == 6 and start["accounts"] == 8 and start["rounds"] == 2
    assert world.a1.name == "Đảng ủy xã A1" and not hasattr(world, "written")
    # Writes of every kind: a unit (with its audit entry), an edited object, a new attribute.
    unit = make.unit("Đảng ủy xã Mới", parent=world.province_a)
    world.a1.name, world.written = "Sửa trong bộ nhớ", n
    # The factory's memory came along: the new unit has the world's unit type, no new type.
    assert make._run(lambda s: s.scalar(select(func.count()).select_from(UnitType))) == 1
    assert make._run(lambda s: s.get(Unit, unit.id).type_id) == world.a1.type_id
    # The sequences came back where they were: each test's new entries have the same ids.
    now = (start, _last_audit_id(make))
    assert SEEN.setdefault(backend, now) == now
