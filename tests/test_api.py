"""The JSON API under /api/v1 does what the pages do, with stable error codes."""
import pytest

from tinnhiem.platform.auth.roles import Role


@pytest.fixture
def operator_api(make, token, client):
    headers = token(make.account(Role.OPERATOR))

    def call(method, url, **kwargs):
        return client.open(url, method=method, headers=headers, **kwargs)

    return call


def test_operator_builds_a_tree_through_the_api(operator_api):
    unit_type = operator_api("POST", "/api/v1/unit-types",
                             json={"code": "tinh-uy", "name": "Tỉnh ủy"})
    assert unit_type.status_code == 201 and unit_type.json["code"] == "TINH-UY"
    type_id = unit_type.json["id"]
    province = operator_api("POST", "/api/v1/units", json={
        "code": "TU-X", "name": "Tỉnh ủy X", "type_id": type_id, "valid_from": "1997-01-01"})
    assert province.status_code == 201
    assert province.json["province_id"] == province.json["id"]
    district = operator_api("POST", "/api/v1/units", json={
        "code": "HU-Y", "name": "Huyện ủy Y", "type_id": type_id,
        "parent_id": province.json["id"], "valid_from": "1997-01-01",
        "valid_to": "2025-06-30"})
    commune = operator_api("POST", "/api/v1/units", json={
        "code": "XA-Z", "name": "Đảng ủy xã Z", "type_id": type_id,
        "parent_id": province.json["id"], "valid_from": "2025-07-01",
        "predecessor_ids": [district.json["id"]]})
    assert commune.status_code == 201
    assert commune.json["predecessor_ids"] == [district.json["id"]]
    assert commune.json["type"]["name"] == "Tỉnh ủy"
    renamed = operator_api("PATCH", f"/api/v1/units/{commune.json['id']}",
                           json={"name": "Đảng ủy xã Zê"})
    assert renamed.status_code == 200 and renamed.json["name"] == "Đảng ủy xã Zê"
    assert renamed.json["predecessor_ids"] == [district.json["id"]]  # kept when left out
    listed = operator_api("GET", "/api/v1/units").json
    assert {u["code"] for u in listed} == {"TU-X", "HU-Y", "XA-Z"}


def test_operator_manages_accounts_through_the_api(operator_api, make, client):
    province = make.province()
    created = operator_api("POST", "/api/v1/accounts", json={
        "username": "bantochuc-x", "full_name": "Ban Tổ chức X", "role": "province_admin",
        "unit_id": str(province.id)})
    assert created.status_code == 201
    password = created.json["generated_password"]
    assert len(password) >= 12 and created.json["must_change_password"] is True
    assert created.json["province_id"] == str(province.id)
    token = client.post("/api/v1/auth/token",
                        json={"username": "bantochuc-x", "password": password})
    assert token.status_code == 200
    duplicate = operator_api("POST", "/api/v1/accounts", json={
        "username": "BANTOCHUC-X", "full_name": "Trùng", "role": "counter",
        "unit_id": str(province.id)})
    assert duplicate.status_code == 409 and duplicate.json["code"] == "username_taken"
    child = make.unit(parent=province)
    wrong_level = operator_api("PATCH", f"/api/v1/accounts/{created.json['id']}",
                               json={"unit_id": str(child.id)})
    assert wrong_level.status_code == 422 and wrong_level.json["code"] == "not_a_province"
    disabled = operator_api("PATCH", f"/api/v1/accounts/{created.json['id']}",
                            json={"active": False})
    assert disabled.json["active"] is False
    reset = operator_api("POST", f"/api/v1/accounts/{created.json['id']}/password-reset")
    assert reset.status_code == 200 and reset.json["temporary_password"] != password


def test_operator_account_has_no_unit_and_others_need_one(operator_api, make):
    response = operator_api("POST", "/api/v1/accounts", json={
        "username": "khong-don-vi", "full_name": "Không đơn vị", "role": "unit_admin"})
    assert response.status_code == 422 and response.json["code"] == "unknown_unit"
    operator = operator_api("POST", "/api/v1/accounts", json={
        "username": "cntt-2", "full_name": "CNTT", "role": "operator",
        "unit_id": str(make.province().id)})
    assert operator.status_code == 201 and operator.json["unit_id"] is None


def test_province_admin_reads_but_cannot_change_the_tree(make, token, client):
    province = make.province()
    headers = token(make.account(Role.PROVINCE_ADMIN, province))
    assert client.get(f"/api/v1/units/{province.id}", headers=headers).status_code == 200
    patch = client.patch(f"/api/v1/units/{province.id}", json={"name": "Đổi"}, headers=headers)
    assert patch.status_code == 404
    create = client.post("/api/v1/units", json={
        "code": "X", "name": "X", "type_id": str(province.type_id), "valid_from": "2020-01-01"},
        headers=headers)
    assert create.status_code == 404
    assert client.get("/api/v1/accounts", headers=headers).status_code == 404


def test_openapi_document_lists_the_resources(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["info"]["title"] == "Tín nhiệm API"
    for path in ("/api/v1/units", "/api/v1/units/{unit_id}", "/api/v1/accounts",
                 "/api/v1/unit-types", "/api/v1/auth/token"):
        assert path in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
