"""The tests' own layering: what several test modules share lives in a helper module of
tests/ (factories.py, voter_pages.py, backups.py, ...), never in another test module, so
each test module can be read, moved or deleted on its own."""
import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_modules(source: str) -> set[str]:
    """Every module a file imports, at any depth (imports inside functions count)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "tests." * (node.level > 0) + (node.module or "")
            found.add(base)
            found.update(f"{base}.{alias.name}".replace("..", ".") for alias in node.names)
    return found


def imports_of_test_modules(source: str) -> set[str]:
    return {name for name in imported_modules(source)
            if name.startswith("tests.") and name.split(".")[1].startswith("test_")}


def test_no_test_module_imports_another_test_module():
    offenders = {path.name: sorted(imports_of_test_modules(path.read_text(encoding="utf-8")))
                 for path in sorted(TESTS.glob("*.py"))}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_check_sees_each_way_of_importing_a_test_module():
    for source in ("from tests.test_voting import cast", "import tests.test_voting",
                   "from .test_voting import cast", "from . import test_voting",
                   "def f():\n    from tests.test_conference_pages import pdf_text"):
        assert imports_of_test_modules(source), source
    for source in ("from tests.factories import rows", "from tests import pg_cluster",
                   "import tests.conftest", "from .voter_pages import cast"):
        assert imports_of_test_modules(source) == set(), source
