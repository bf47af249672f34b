"""Bad input: a clear message, the right status, never a 500, nothing half-saved."""
import re

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tests.factories import refused_page
from tinnhiem.platform.audit.models import AuditEntry
from tinnhiem.platform.auth.roles import Role
from tinnhiem.tenants.models import Unit
from tinnhiem.tenants.scope import unscoped


@pytest.fixture
def setup(make, login, token):
    operator = make.account(Role.OPERATOR)
    province = make.province()
    existing = make.unit("Đảng ủy xã Có Sẵn", parent=province, code="XA-CO-SAN")
    return {"operator": operator, "province": province, "existing": existing,
            "client": login(operator), "headers": token(operator)}


def _counts(app):
    with app.app_context(), unscoped("test") as session:
        return (session.scalar(select(func.count(Unit.id))),
                session.scalar(select(func.count(AuditEntry.id))
                               .where(AuditEntry.action != "tenancy.crossed")))


def _form(setup, **change):
    data = {"name": "Đảng ủy xã Mới", "code": "XA-MOI",
            "type_id": str(setup["province"].type_id), "parent_id": str(setup["province"].id),
            "valid_from": "2025-07-01"}
    return {**data, **change}


HTML_CASES = [
    ({"code": "xa-co-san"}, "Mã đơn vị này đã có trong tỉnh."),
    ({"type_id": "khong-phai-uuid"}, "Mã định danh không hợp lệ."),
    ({"type_id": "00000000-0000-0000-0000-000000000001"}, "Loại đơn vị không tồn tại."),
    ({"name": ""}, "Trường này là bắt buộc."),
    ({"name": "   "}, "Trường này là bắt buộc."),
    ({"valid_from": "31/02/2025"}, "Ngày không hợp lệ"),
    ({"valid_to": "2020-01-01"}, "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."),
    ({"name": "x" * 300}, "Dài quá 255 ký tự."),
]


@pytest.mark.parametrize("change, message", HTML_CASES)
def test_unit_form_refusals(app, setup, change, message):
    before = _counts(app)
    response = refused_page(setup["client"],
                            setup["client"].post("/units/new", data=_form(setup, **change)),
                            "/units/new")
    assert message in response.text
    assert _counts(app) == before


API_CASES = [
    ({"code": "XA-CO-SAN"}, 409, "unit_code_taken"),
    ({"type_id": "00000000-0000-0000-0000-000000000001"}, 422, "unknown_unit_type"),
    ({"type_id": "nope"}, 422, "invalid_input"),
    ({"name": ""}, 422, "invalid_input"),
    ({"name": "  "}, 422, "required"),
    ({"valid_from": "2025-02-31"}, 422, "invalid_input"),
    ({"parent_id": "00000000-0000-0000-0000-000000000002"}, 422, "unknown_parent"),
]


@pytest.mark.parametrize("change, status, code", API_CASES)
def test_unit_api_refusals(app, setup, change, status, code):
    before = _counts(app)
    body = {k: v for k, v in _form(setup, **change).items()}
    response = setup["client"].post("/api/v1/units", json=body, headers=setup["headers"])
    assert response.status_code == status
    assert response.json["code"] == code and response.json["message"]
    assert _counts(app) == before


def test_cycle_through_the_api(app, setup, make):
    child = make.unit(parent=setup["existing"])
    response = setup["client"].patch(f"/api/v1/units/{setup['existing'].id}",
                                     json={"parent_id": str(child.id)}, headers=setup["headers"])
    assert response.status_code == 422 and response.json["code"] == "tree_cycle"
    assert response.json["field"] == "parent_id"


def test_ten_megabyte_field(app, setup):
    before = _counts(app)
    page = setup["client"].post("/units/new", data=_form(setup, name="x" * 10_000_000))
    assert page.status_code == 413 and "quá lớn" in page.text
    api = setup["client"].post("/api/v1/units", data=b'{"name": "' + b"x" * 10_000_000 + b'"}',
                               content_type="application/json", headers=setup["headers"])
    assert api.status_code == 413 and api.json["code"] == "payload_too_large"
    assert _counts(app) == before


def test_non_utf8_body(app, setup):
    before = _counts(app)
    page = setup["client"].post("/units/new", data=b"name=%C3%A1%FF&code=X",
                                content_type="application/x-www-form-urlencoded")
    assert page.status_code == 400 and "UTF-8" in page.text
    api = setup["client"].post("/api/v1/units", data=b'{"name": "\xff\xfe"}',
                               content_type="application/json", headers=setup["headers"])
    assert api.status_code == 400 and api.json["code"] in {"bad_request", "not_utf8"}
    assert _counts(app) == before


def test_json_that_is_not_an_object(app, setup):
    response = setup["client"].post("/api/v1/units", data=b"[1, 2]",
                                    content_type="application/json", headers=setup["headers"])
    assert response.status_code == 422 and response.json["code"] == "invalid_input"


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_wrong_csrf_token_is_refused(self, app, make):
        province = make.province()
        before = _counts(app)
        client = app.test_client()
        response = client.post("/login", data={"username": "x", "password": "y",
                                               "csrf_token": "gia-mao"})
        assert response.status_code == 400
        assert "Biểu mẫu đã hết hạn hoặc không hợp lệ" in response.text
        assert _counts(app) == before
        assert province.id

    def test_operator_form_without_the_token_is_refused(self, app, make):
        operator = make.account(Role.OPERATOR)
        client = app.test_client()
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/login", data={"username": operator.username, "password": PASSWORD,
                                    "csrf_token": token})
        before = _counts(app)
        response = client.post("/unit-types/new", data={"code": "MOI", "name": "Loại mới"})
        assert response.status_code == 400 and "Biểu mẫu đã hết hạn" in response.text
        assert _counts(app) == before


def test_unknown_page_and_method(app, setup):
    assert setup["client"].get("/khong-co").status_code == 404
    response = setup["client"].delete("/api/v1/units", headers=setup["headers"])
    assert response.status_code == 405 and response.json["code"] == "method_not_allowed"


def test_raw_non_utf8_form_bytes(app, setup):
    page = setup["client"].post("/units/new", data=b"name=\xff\xfe&code=X",
                                content_type="application/x-www-form-urlencoded")
    assert page.status_code == 400 and "UTF-8" in page.text


def test_nul_characters_are_refused_everywhere(app, setup):
    client, headers = setup["client"], setup["headers"]
    before = _counts(app)
    page = client.post("/units/new", data=_form(setup, name="Đảng ủy\x00xã"))
    assert page.status_code == 400 and "ký tự không hợp lệ" in page.text
    api = client.post("/api/v1/units", json=_form(setup, name="Đảng ủy\x00xã"), headers=headers)
    assert api.status_code == 400 and api.json["code"] == "invalid_characters"
    token = client.post("/api/v1/auth/token", json={"username": "a\x00", "password": "x"})
    assert token.status_code == 400
    assert client.get("/units/?q=%00").status_code == 400
    assert _counts(app) == before


def test_surrogates_and_multipart_bytes_are_refused(app, setup):
    client, headers = setup["client"], setup["headers"]
    before = _counts(app)
    token = client.post("/api/v1/auth/token", data='{"username": "\\ud800", "password": "x"}',
                        content_type="application/json")
    assert token.status_code == 400 and token.json["code"] == "invalid_characters"
    api = client.post("/api/v1/unit-types", data='{"code": "X1", "name": "\\udfff"}',
                      content_type="application/json", headers=headers)
    assert api.status_code == 400
    raw = (b'--xx\r\nContent-Disposition: form-data; name="code"\r\n\r\nBAD1\r\n--xx\r\n'
           b'Content-Disposition: form-data; name="name"\r\n\r\n\xff\xfe\xfd\r\n--xx--\r\n')
    page = client.post("/unit-types/new", data=raw,
                       content_type="multipart/form-data; boundary=xx")
    assert page.status_code == 400 and "UTF-8" in page.text
    assert _counts(app) == before


def test_code_that_grows_when_upper_cased_is_measured_after(app, setup):
    response = setup["client"].post("/api/v1/unit-types", json={"code": "\ufb00" * 40,
                                                                "name": "Chữ ghép"},
                                    headers=setup["headers"])
    assert response.status_code == 422 and response.json["code"] == "too_long"
