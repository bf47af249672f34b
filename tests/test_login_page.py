"""The sign-in page names the system and whom the deployment serves (#15, finding 11): a
person at a shared computer checks there that this is the right place before typing."""
import re

from tests.conftest import TEST_CONFIG
from tinnhiem import create_app


def _login_text(monkeypatch, name=None) -> str:
    if name is None:
        monkeypatch.delenv("DEPLOYMENT_NAME", raising=False)
    else:
        monkeypatch.setenv("DEPLOYMENT_NAME", name)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    page = app.test_client().get("/login")
    assert page.status_code == 200
    return page.text


def test_the_sign_in_page_names_the_system_and_the_deployment(monkeypatch):
    page = _login_text(monkeypatch, "Tỉnh ủy Hà Giang")
    system = re.search(r'id="system-name">(.*?)</p>', page).group(1)
    assert re.sub(r"<[^>]+>", "", system) == "Tín nhiệm — Hệ thống lấy phiếu tín nhiệm"
    assert re.search(r'id="deployment-name">\s*Tỉnh ủy Hà Giang\s*<', page)
    assert "<title>Đăng nhập · Tỉnh ủy Hà Giang · Tín nhiệm</title>" in page


def test_an_unnamed_deployment_names_the_provinces_organisation_board(monkeypatch):
    for unset in (None, "   "):
        page = _login_text(monkeypatch, unset)
        assert re.search(r'id="deployment-name">\s*Ban Tổ chức Tỉnh ủy\s*<', page)
