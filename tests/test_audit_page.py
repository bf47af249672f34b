"""The operator's audit page reads in Vietnamese: labelled actions, units and objects by name
where the operator may see them, Vietnam's local time; every key the code records has a label."""
import ast
import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import select

import tinnhiem
from tinnhiem.platform.audit import views as audit_views
from tinnhiem.platform.audit.labels import ACTIONS, action_label
from tinnhiem.platform.audit.models import AuditEntry
from tinnhiem.tenants.scope import unscoped

ROOT = Path(tinnhiem.__file__).parent
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# Reading the source for the keys it records ------------------------------------------------

RECORD = "tinnhiem.platform.audit.services.record"
MOVE = "tinnhiem.conferences.lifecycle.Move"  # a conference move names its key in `audit`


def _aliases(module: str, tree) -> dict:
    """Local name -> the tinnhiem object or module it stands for, from every import."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                found[alias.asname or alias.name] = alias.name
    return found


def _callee(module: str, aliases: dict, func) -> str | None:
    if isinstance(func, ast.Name):
        return aliases.get(func.id, f"{module}.{func.id}")
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{aliases.get(func.value.id, func.value.id)}.{func.attr}"
    return None


def _argument(call: ast.Call, position: int, keyword: str):
    for given in call.keywords:
        if given.arg == keyword:
            return given.value
    return call.args[position] if len(call.args) > position else None


def _calls(sources: dict):
    """(module, enclosing function or None, call, callee) for every call in `sources`."""
    for module, text in sources.items():
        tree = ast.parse(text)
        aliases = _aliases(module, tree)
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        inside = {id(call): function for function in functions for call in ast.walk(function)}
        for call in ast.walk(tree):
            if isinstance(call, ast.Call):
                yield module, inside.get(id(call)), call, _callee(module, aliases, call.func)


def _parameters(function) -> list[str]:
    return [a.arg for a in function.args.posonlyargs + function.args.args]


def recorded_keys(sources: dict) -> tuple[set, list]:
    """(every action key the modules in `sources` record, the calls whose key is not a
    literal). A function that hands one of its parameters on as the key (`_audit`,
    `audit_conference`) is itself a recorder: its callers' literals count."""
    calls = list(_calls(sources))
    recorders = {RECORD: (1, "action"), MOVE: (4, "audit")}
    grown = True
    while grown:
        grown = False
        for module, function, call, callee in calls:
            if function is None or callee not in recorders:
                continue
            given = _argument(call, *recorders[callee])
            name = f"{module}.{function.name}"
            if isinstance(given, ast.Name) and given.id in _parameters(function) \
                    and name not in recorders:
                recorders[name] = (_parameters(function).index(given.id), given.id)
                grown = True
    keys, problems = set(), []
    for module, function, call, callee in calls:
        if callee not in recorders:
            continue
        pending = [_argument(call, *recorders[callee])]
        while pending:
            given = pending.pop()
            if isinstance(given, ast.Constant) and isinstance(given.value, str):
                keys.add(given.value)
            elif isinstance(given, ast.IfExp):
                pending += [given.body, given.orelse]
            elif isinstance(given, ast.Name) and function is not None \
                    and f"{module}.{function.name}" in recorders:
                pass  # a recorder handing its own parameter on: its callers are read
            elif isinstance(given, ast.Attribute) and given.attr == "audit":
                pass  # a Move's key, read where the Move is made
            else:
                problems.append(f"{module}:{call.lineno}: the action key is not a literal")
    return keys, problems


def _sources() -> dict:
    return {".".join(path.relative_to(ROOT.parent).with_suffix("").parts): path.read_text()
            for path in ROOT.rglob("*.py")}


def test_every_recorded_action_key_has_a_label():
    keys, problems = recorded_keys(_sources())
    assert problems == []
    assert len(keys) > 30  # the scan found the recorders (record, _audit, Move, ...)
    assert sorted(keys - set(ACTIONS)) == []
    assert sorted(set(ACTIONS) - keys) == []  # no label for a key nothing records


def test_the_scan_finds_a_new_key_and_a_composed_one():
    """The coverage check can fail: a literal through a wrapper and a composed key both show."""
    keys, problems = recorded_keys({"tinnhiem.x": (
        "from tinnhiem.platform.audit.services import record\n"
        "def _log(session, what, action):\n"
        "    record(session, action=action)\n"
        "def change(session, status):\n"
        "    _log(session, 1, 'thing.changed' if status else 'thing.kept')\n"
        "    record(session, f'thing.{status}')\n")})
    assert keys == {"thing.changed", "thing.kept"}
    assert problems == ["tinnhiem.x:6: the action key is not a literal"]
    assert "thing.changed" not in ACTIONS


def test_an_unknown_key_shows_as_it_is(app):
    with app.test_request_context():
        assert action_label("conference.certified") == "Chứng nhận kết quả hội nghị"
        assert action_label("something.new") == "something.new"


# The page after real actions ---------------------------------------------------------------

class _Table(HTMLParser):
    """The visible text of a page's table rows, cell by cell (attributes are not read)."""

    def __init__(self, html: str):
        super().__init__()
        self.rows, self.text, self._cell = [], [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _certified_world(make):
    w = make.world()
    round_, category = make.round_with_category(w, "Đợt 2028", 2028, dt.date(2028, 6, 30))
    w.conference = make.certified(w.a1, round_.id, category, [
        ("Trần Bí Mật", "CB-1", {"high": 30, "confidence": 6, "low": 4, "invalid": 0})], 40,
        title="Hội nghị Ban Chấp hành A1")
    return w


def _entry(app, action):
    with app.app_context(), unscoped("test") as session:
        return session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                               .order_by(AuditEntry.id.desc())).first()


def test_operator_reads_labels_unit_names_and_local_time(app, make, login):
    w = _certified_world(make)
    certified = _entry(app, "conference.certified")
    created = _entry(app, "account.created")
    response = login(w.operator).get("/audit/")
    assert response.status_code == 200
    page = _Table(response.text)
    row = next(r for r in page.rows if r and r[0] == str(certified.id))
    local = (certified.at + dt.timedelta(hours=7)).strftime("%d/%m/%Y %H:%M")
    assert row[1] == local
    assert row[3] == "Chứng nhận kết quả hội nghị"
    assert row[4] == "Đảng ủy xã A1"
    # The conference is named by kind and short id only: the operator has no data scope.
    assert row[5] == f"Hội nghị · {w.conference.id.hex[:8]}"
    assert "Thời điểm (giờ Việt Nam, UTC+7)" in response.text
    visible = "".join(page.text)
    assert UUID.search(visible) is None
    assert f'title="{w.a1.id}"' in response.text  # kept for support, out of sight
    assert f'title="{certified.action}"' in response.text
    for secret in ("Trần Bí Mật", "Hội nghị Ban Chấp hành A1", "Đợt 2028"):
        assert secret not in response.text
    account_row = next(r for r in page.rows if r and r[0] == str(created.id))
    assert account_row[3] == "Tạo tài khoản"
    assert account_row[5] == f"Nguyễn Văn Thử ({created.details['username']})"


def test_paging_keeps_names_and_labels(app, make, login, monkeypatch):
    """Every entry shows on exactly one page, labelled and named on the older pages too."""
    monkeypatch.setattr(audit_views, "PAGE_SIZE", 10)
    w = make.world()
    client = login(w.operator)
    first = _Table(client.get("/audit/").text)
    pages = int(re.search(r"Trang 1 / (\d+)", "".join(first.text)).group(1))
    assert pages >= 3
    later = [_Table(client.get(f"/audit/?page={n}").text) for n in range(2, pages + 1)]
    ids = [row[0] for table in [first, *later] for row in table.rows if row]
    assert len(ids) == len(set(ids)) and min(map(int, ids)) == 1
    older = [row for table in later for row in table.rows if row]
    assert ["Tạo đơn vị", "Tỉnh ủy Alpha"] in [row[3:5] for row in older]
    assert "Tạo loại đơn vị" in {row[3] for row in older}
    beyond = client.get(f"/audit/?page={pages + 5}")
    assert f"Trang {pages} / {pages}" in beyond.text


def test_other_roles_are_still_refused(app, make, login):
    w = make.world()
    for account in (w.admin_a, w.viewer_a, w.unit_admin_a1, w.counter_a1):
        assert login(account, target=app.test_client()).get("/audit/").status_code == 404
