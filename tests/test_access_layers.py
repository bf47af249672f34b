"""Each rule has one home: pages and the API share each feature's access module, no API or
service reaches into a views module, and the rules that moved there hold from both sides
(HTML and API) and in the services themselves."""
import ast
import datetime as dt
from pathlib import Path

import pytest

from tinnhiem.conferences import services as conferences
from tinnhiem.counting import services as counting
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.errors import ServiceError

ROOT = Path(__file__).resolve().parents[1]
APP_FACTORY = "tinnhiem"  # tinnhiem/__init__.py registers every blueprint: it alone may


# The import graph ----------------------------------------------------------------------------

def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _last(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def is_views(name: str) -> bool:
    return _last(name) == "views" or _last(name).endswith("_views")


def is_api(name: str) -> bool:
    return _last(name) == "api" or _last(name).endswith("_api")


def imported_modules(path: Path) -> set[str]:
    """Every tinnhiem module `path` imports, at the top or inside a function; for
    `from package import name`, both the package and package.name (name may be a module)."""
    package = _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" \
        else _module_name(path)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package, up level - 1
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "tinnhiem" or name.startswith("tinnhiem.")}


def modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted((ROOT / "tinnhiem").rglob("*.py"))}


def views_imported_by(name: str, path: Path) -> list[str]:
    return sorted(m for m in imported_modules(path) if is_views(m) and m != name)


def test_the_import_reader_sees_views_imports():
    """The check below can fail: it reads each form an import of a views module takes."""
    source = ROOT / "tinnhiem" / "__init__.py"
    assert {"tinnhiem.counting.views", "tinnhiem.voting.vote_views",
            "tinnhiem.tenants.account_views"} <= set(views_imported_by(APP_FACTORY, source))
    assert is_api("tinnhiem.rounds.registry_api") and is_views("tinnhiem.counting.public_views")
    assert not is_views("tinnhiem.voting.voter_access")


def test_no_api_module_imports_a_views_module():
    """An API shares loaders and rules with the pages through the feature's access module,
    never through the pages themselves."""
    offenders = {name: views_imported_by(name, path) for name, path in modules().items()
                 if is_api(name)}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_only_the_app_factory_imports_a_views_module():
    """Services, access modules and other views need nothing from a views module; only the
    app factory, which registers the blueprints, imports them."""
    offenders = {name: views_imported_by(name, path) for name, path in modules().items()
                 if name != APP_FACTORY}
    assert {name: found for name, found in offenders.items() if found} == {}


# The rules that moved, from the other side -----------------------------------------------

@pytest.fixture
def world(make):
    from tinnhiem.rounds import services as rounds

    w = make.world()
    make.conference_for(w)
    w.counter_a1_b = make.account(Role.COUNTER, w.a1)
    category = make._run(lambda s: s.scalars(rounds.select_categories(w.round_a.id)).first())
    # counted by the unit's board, not yet certified
    w.counted = make.certified(w.a1, w.round_a.id, category, [
        ("Trần Thị Kiểm", "KT-1", {"high": 7, "confidence": 2, "low": 1, "invalid": 0})],
        collected=10, held_on=dt.date(2023, 6, 21), certify=False)
    return w


def _certify(make, world):
    for counter in (world.counter_a1, world.counter_a1_b):
        make.as_account(counter, lambda s, a: counting.certify(
            s, a, conferences.get_conference(s, world.counted.id)))


def _state(make, world):
    conference = make._run(lambda s: conferences.get_conference(s, world.counted.id))
    return conference.status, conference.published


def test_the_province_sees_results_only_once_certified(app, make, world, login, token,
                                                        client):
    page = login(world.admin_a, target=app.test_client())
    base = f"/conferences/{world.counted.id}"
    headers = token(world.admin_a)
    for url in (f"{base}/results", f"{base}/minutes.pdf", f"{base}/results.xlsx"):
        assert page.get(url).status_code == 404, url
        assert client.get(f"/api/v1{url}", headers=headers).status_code == 404, url
    unit_admin = login(world.unit_admin_a1, target=app.test_client())
    assert "Trần Thị Kiểm" in unit_admin.get(f"{base}/results").text  # the unit sees them

    _certify(make, world)
    shown = page.get(f"{base}/results")
    assert shown.status_code == 200 and "Trần Thị Kiểm" in shown.text
    assert page.get(f"{base}/minutes.pdf").mimetype == "application/pdf"
    api = client.get(f"/api/v1{base}/results", headers=headers)
    assert api.status_code == 200 and api.json["status"] == "certified"
    assert [r["full_name"] for r in api.json["results"]] == ["Trần Thị Kiểm"]
    assert api.json["results"][0]["high_percent"] == "70.00"


def test_only_the_unit_admin_publishes(app, make, world, login, token, client):
    _certify(make, world)
    base = f"/conferences/{world.counted.id}/results"
    for account in (world.counter_a1, world.admin_a):
        page = login(account, target=app.test_client())
        assert page.post(f"{base}/publish", data={}).status_code == 404
        refused = client.post(f"/api/v1{base}/state", json={"action": "publish"},
                              headers=token(account))
        assert refused.status_code == 404 and refused.json["code"] == "not_found"
    assert _state(make, world) == ("certified", False)

    with pytest.raises(ServiceError) as refused:  # a future caller cannot skip the rule
        make.as_account(world.counter_a1, lambda s, a: counting.publish(
            s, a, conferences.get_conference(s, world.counted.id)))
    assert refused.value.code == "not_unit_admin"
    assert _state(make, world) == ("certified", False)

    done = client.post(f"/api/v1{base}/state", json={"action": "publish"},
                       headers=token(world.unit_admin_a1))
    assert done.status_code == 200 and done.json["published"] is True
    assert _state(make, world) == ("certified", True)


def test_only_the_counting_board_counts(make, world):
    """The service refuses a count by anyone off the board (the province reads the
    conference, but counts nothing)."""
    make.open_conference(world, people=1, summoned=4)
    make.close_vote(world)
    with pytest.raises(ServiceError) as refused:
        make.as_account(world.admin_a, lambda s, a: counting.count(
            s, a, conferences.get_conference(s, world.voting.id)))
    assert refused.value.code == "not_on_board"
    assert make._run(lambda s: conferences.get_conference(s, world.voting.id).status) == "closed"
