"""The shape of the code, read from its imports (every import, those inside functions too).

Packages are layered, each importing only from itself and the layers below it:

    app (create_app, models, demo, backup)
      → rollup → followup → cadres → counting → scanning → voting → tally → conferences
      → cadre_registry → rounds   (features)
      → tenants → platform

and no module takes part in an import circle, so each rule has one home and a change to a
lower layer never needs an upper one to be loaded first."""
import ast
from pathlib import Path

import tinnhiem

ROOT = Path(tinnhiem.__file__).parent
LAYERS = ("platform", "tenants", "rounds", "cadre_registry", "conferences", "tally", "voting",
          "scanning", "counting", "cadres", "followup", "rollup")
APP = len(LAYERS)  # the application itself: may import anything, nothing imports it
APP_MODULES = {"tinnhiem", "tinnhiem.models", "tinnhiem.demo", "tinnhiem.demo_history",
               "tinnhiem.demo_scans"}
APP_PACKAGES = {"backup"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in ROOT.rglob("*.py")}


def layer(module: str) -> int:
    parts = module.split(".")
    if module in APP_MODULES or (len(parts) > 1 and parts[1] in APP_PACKAGES):
        return APP
    return LAYERS.index(parts[1])


def imported_modules(module: str) -> set[str]:
    """The tinnhiem modules `module` imports, submodules resolved (`from tinnhiem.voting
    import casting` is tinnhiem.voting.casting)."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES else node.module)
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: imported_modules(module) for module in MODULES}


def test_every_package_has_a_layer():
    for module in MODULES:
        assert layer(module) is not None, module


def test_no_module_imports_a_layer_above_its_own():
    upward = sorted(f"{module} imports {target}"
                    for module, targets in GRAPH.items() for target in targets
                    if layer(target) > layer(module))
    assert upward == []


def _circles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in GRAPH[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    return found


def test_no_import_circles():
    assert _circles() == []


def test_the_checks_see_an_upward_import_and_a_circle(monkeypatch):
    """The rules above can fail: an added upward edge and a two-module loop are caught."""
    monkeypatch.setitem(GRAPH, "tinnhiem.platform.errors",
                        GRAPH["tinnhiem.platform.errors"] | {"tinnhiem.voting.casting"})
    monkeypatch.setitem(GRAPH, "tinnhiem.tally.seal",
                        GRAPH["tinnhiem.tally.seal"] | {"tinnhiem.tally.recount"})
    upward = [f"{m} imports {t}" for m, ts in GRAPH.items() for t in ts if layer(t) > layer(m)]
    assert "tinnhiem.platform.errors imports tinnhiem.voting.casting" in upward
    assert any({"tinnhiem.tally.seal", "tinnhiem.tally.recount"} <= set(c) for c in _circles())
