"""The layout rules of docs/architecture.md, checked on the source: domain packages, no import circles,
services depending downwards only, and the web layer calling service packages rather than their insides."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "examengine"
SHARED_LIMIT = 3
SERVICE_ORDER = ["banks", "exams", "attempts", "reports", "grading", "results", "appeals"]  # each may use those before it


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The examengine modules `name` imports at any level (relative imports resolved)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in known else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {module for module in found if module in known and module != name}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = all_modules()
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


@pytest.mark.parametrize("layer", ["services", "web"])
def test_layers_hold_domain_packages_and_few_shared_modules(layer):
    folder = PACKAGE / layer
    modules = sorted(p.name for p in folder.glob("*.py") if p.name != "__init__.py")
    packages = sorted(p.name for p in folder.iterdir() if (p / "__init__.py").exists())
    assert len(modules) <= SHARED_LIMIT, modules
    assert len(packages) >= 6, packages


def test_no_import_circles(graph):
    # A route module's `from . import bp` points at its own package's __init__, which imports the route
    # modules after defining `bp`: that is the blueprint pattern, not a circle between modules.
    def edges(name):
        return {dep for dep in graph[name] if not name.startswith(dep + ".")}

    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name):
        state[name] = 1
        stack.append(name)
        for dep in edges(name):
            if state.get(dep) == 1:
                cycle = stack[stack.index(dep):] + [dep]
                pytest.fail("import circle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)


def test_service_packages_depend_downwards_only(graph):
    prefix = "examengine.services."
    for name, deps in graph.items():
        if not name.startswith(prefix) or name.count(".") < 3:
            continue
        own = name.split(".")[2]
        if own not in SERVICE_ORDER:
            continue
        for dep in deps:
            if dep.startswith(prefix) and dep.count(".") >= 2:
                other = dep.split(".")[2]
                if other in SERVICE_ORDER and other != own:
                    assert SERVICE_ORDER.index(other) < SERVICE_ORDER.index(own), f"{name} imports {dep}"


def test_web_and_cli_call_service_packages_not_their_modules(graph):
    service_packages = {f"examengine.services.{name}" for name in SERVICE_ORDER + ["accounts"]}
    for name, deps in graph.items():
        if not name.startswith(("examengine.web", "examengine.cli")):
            continue
        deep = [dep for dep in deps if any(dep.startswith(pkg + ".") for pkg in service_packages)]
        assert not deep, f"{name} imports {deep}: import the service package instead"
