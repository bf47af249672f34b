"""The unit tree: types as data, any depth, validity periods, successions, and its rules."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from tinnhiem.platform.errors import ServiceError
from tinnhiem.tenants import services
from tinnhiem.tenants.models import Unit
from tinnhiem.tenants.scope import unscoped


def _save(app, data, unit=None):
    with app.app_context(), unscoped("test") as session:
        try:
            return services.save_unit(session, None, data, unit)
        finally:
            session.rollback()


def _unit_count(app):
    with app.app_context(), unscoped("test") as session:
        return session.scalar(select(func.count(Unit.id)))


def test_tree_of_any_depth_is_listed_in_order(app, make):
    """Does the tree come out depth-first with the right depth for each unit?"""
    province = make.province("Tỉnh ủy Gốc")
    level1 = make.unit("Cấp 1", parent=province)
    level2 = make.unit("Cấp 2", parent=level1)
    level3 = make.unit("Cấp 3", parent=level2)
    with app.app_context(), unscoped("test") as session:
        rows = [(u.name, depth) for u, depth in services.tree_rows(services.list_units(session))]
    assert rows == [("Tỉnh ủy Gốc", 0), ("Cấp 1", 1), ("Cấp 2", 2), ("Cấp 3", 3)]
    assert level3.province_id == province.id and province.province_id == province.id


def test_unit_types_are_data(app, make):
    """Can the operator add a unit type the code has never heard of and use it?"""
    special = make.unit_type("Đảng ủy đặc khu", code="DAC-KHU")
    unit = make.unit("Đảng ủy đặc khu Phú Quốc", parent=make.province(), type_id=special.id)
    assert unit.type_id == special.id


def test_merged_district_keeps_its_history(app, make):
    """A district dissolved on 30/6/2025 stays readable and names its successor."""
    province = make.province()
    district = make.unit("Huyện ủy Lâm Thao", parent=province, valid_from=dt.date(1997, 1, 1),
                         valid_to=dt.date(2025, 6, 30))
    commune = make.unit("Đảng ủy xã Lâm Thao", parent=province,
                        valid_from=dt.date(2025, 7, 1), predecessors=[district])
    with app.app_context(), unscoped("test") as session:
        district = services.get_unit(session, district.id)
        assert district.is_active_on(dt.date(2023, 6, 15))
        assert not district.is_active_on(dt.date(2025, 7, 1))
        assert [u.name for u in services.successors(session, district)] == ["Đảng ủy xã Lâm Thao"]
        assert [u.name for u in services.predecessors(session, services.get_unit(
            session, commune.id))] == ["Huyện ủy Lâm Thao"]


@pytest.mark.parametrize("change, code", [
    ({"name": "   "}, "required"),
    ({"code": ""}, "required"),
    ({"code": "MÃ CÓ DẤU"}, "invalid_code"),
    ({"type_id": "00000000-0000-0000-0000-000000000000"}, "unknown_unit_type"),
    ({"type_id": None}, "unknown_unit_type"),
    ({"parent_id": "00000000-0000-0000-0000-000000000000"}, "unknown_parent"),
    ({"valid_to": dt.date(2019, 12, 31)}, "invalid_period"),
    ({"valid_from": None}, "required"),
    ({"name": "Tên\x00lạ"}, "invalid_characters"),
    ({"name": "Tên\tlạ\x07"}, "invalid_characters"),
])
def test_bad_unit_is_refused_and_nothing_saved(app, make, change, code):
    """Each bad input gets its own code and leaves no row behind."""
    province = make.province()
    before = _unit_count(app)
    data = {"name": "Đảng ủy xã Mới", "code": "X-MOI", "type_id": province.type_id,
            "parent_id": province.id, "valid_from": dt.date(2020, 1, 1), "valid_to": None}
    with pytest.raises(ServiceError) as caught:
        _save(app, {**data, **change})
    assert caught.value.code == code
    assert _unit_count(app) == before


def test_duplicate_code_in_a_province_is_refused(app, make):
    province = make.province()
    make.unit(code="X-TRUNG", parent=province)
    with pytest.raises(ServiceError) as caught:
        make.unit(code="x-trung", parent=province)
    assert caught.value.code == "unit_code_taken" and caught.value.status == 409


def test_same_code_in_another_province_is_allowed(app, make):
    make.unit(code="X-CHUNG", parent=make.province())
    assert make.unit(code="X-CHUNG", parent=make.province()).code == "X-CHUNG"


def _refused_edit(app, unit_id, **change) -> str:
    """Edit a unit with `change` applied; return the refusal's code."""
    with app.app_context(), unscoped("test") as session:
        item = services.get_unit(session, unit_id)
        data = {"name": item.name, "code": item.code, "type_id": item.type_id,
                "parent_id": item.parent_id, "valid_from": item.valid_from, **change}
        with pytest.raises(ServiceError) as caught:
            services.save_unit(session, None, data, item)
        session.rollback()
    return caught.value.code


def test_cycle_in_the_tree_is_refused(app, make):
    """A unit cannot be moved under itself or under one of its descendants."""
    province = make.province()
    top = make.unit("Trên", parent=province)
    middle = make.unit("Giữa", parent=top)
    bottom = make.unit("Dưới", parent=middle)
    for new_parent in (top, bottom):
        assert _refused_edit(app, top.id, parent_id=new_parent.id) == "tree_cycle"
    with app.app_context(), unscoped("test") as session:
        assert services.get_unit(session, top.id).parent_id == province.id


def test_moving_a_unit_to_another_province_is_refused(app, make):
    unit = make.unit(parent=make.province())
    other = make.province()
    assert _refused_edit(app, unit.id, parent_id=other.id) == "province_change"


def test_a_unit_cannot_succeed_itself(app, make):
    unit = make.unit(parent=make.province())
    assert _refused_edit(app, unit.id, predecessor_ids=[unit.id]) == "self_succession"
