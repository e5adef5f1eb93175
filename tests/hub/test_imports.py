"""What the hub's modules import: no Qt and none of the desktop beyond the shared contract,
and no import cycle among them.

The hub runs on servers installed without the desktop (`pip install '.[hub]'`), so
importing any of its modules must not reach PySide6 or the desktop's own packages; from
cp2desk it takes only the wire contract in cp2desk/sync. Its modules' imports run one
way, so none of them hides a cycle behind an import inside a function.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CONTRACT = {
    "cp2desk",
    "cp2desk.sync",
    *(
        f"cp2desk.sync.{name}"
        for name in (
            "records",
            "protocol",
            "clock",
            "phones",
            "completeness",
            "profile_checks",
            "portal",
            "errors",
        )
    ),
}
"""The only modules of cp2desk the hub may load: the package, cp2desk.sync and its
contract modules (none of which imports Qt)."""

IMPORT_EVERY_HUB_MODULE = """
import importlib, json, sys
from pathlib import Path

import cp2hub

root = Path(cp2hub.__file__).parent
for path in sorted(root.rglob("*.py")):
    parts = ("cp2hub", *path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if parts[-2:] == ("migrations", "env"):
        continue  # Alembic's environment runs the migrations when imported
    importlib.import_module(".".join(parts))
print(json.dumps(sorted(sys.modules)))
"""
"""A program that imports every module of the installed hub, then prints the names of
every module loaded. Also run by tests/hub/test_server_install.py in a venv of its own."""


def loaded_by_the_hub(python: str, cwd: Path, env: dict[str, str] | None = None) -> list[str]:
    """The modules a fresh `python` holds after importing every hub module."""
    result = subprocess.run(
        [python, "-c", IMPORT_EVERY_HUB_MODULE],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def desktop_only(modules: list[str]) -> list[str]:
    """Of `modules`, those a server without the desktop must not load: Qt's, and the
    desktop's beyond the shared contract."""
    qt = ("PySide6", "shiboken6")
    return [
        name
        for name in modules
        if name.split(".")[0] in qt or (name.split(".")[0] == "cp2desk" and name not in CONTRACT)
    ]


def test_importing_the_whole_hub_loads_no_qt_and_only_the_contract_of_the_desktop():
    modules = loaded_by_the_hub(sys.executable, ROOT)
    assert "cp2hub.app" in modules and "cp2hub.cli" in modules
    assert desktop_only(modules) == []


# --- import cycles ------------------------------------------------------------------


def hub_modules() -> dict[str, Path]:
    """Every module of cp2hub by dotted name (a package by its __init__.py)."""
    modules = {}
    for path in sorted((ROOT / "cp2hub").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The hub modules `name` imports, anywhere in it (in functions too). `from a import
    b` is an import of the module a.b when there is one, else of a; an import of a.b is
    not counted as one of its package a (Python runs a's __init__ first, but a module
    that takes one sibling from a package does not depend on the whole package). Imports
    under `if TYPE_CHECKING:` are left out: they only name types for annotations."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(), str(path))
    for block in ast.walk(tree):  # annotations only: never run, so no arrow
        if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING":
            block.body = []
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                targets.add(submodule if submodule in modules else base)
    return {_nearest(target, modules) for target in targets if target.split(".")[0] == "cp2hub"}


def _nearest(target: str, modules: dict[str, Path]) -> str:
    while target not in modules:
        target = target.rpartition(".")[0]
    return target


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module, and modules that
    import themselves (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle_through_three_modules_and_a_self_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert cycles(graph) == [["a", "b", "c"], ["e"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_among_the_hub_modules():
    modules = hub_modules()
    assert "cp2hub.push" in modules and "cp2hub.rules" in modules
    graph = {name: imports_of(name, path, modules) - {name} for name, path in modules.items()}
    assert "cp2hub.rules" in graph["cp2hub.push"]  # the push machinery uses the rules
    found = cycles(graph)
    described = [
        " -> ".join(cycle)
        + "; "
        + "; ".join(f"{m} imports {sorted(graph[m] & set(cycle))}" for m in cycle)
        for cycle in found
    ]
    assert found == [], "\n".join(described)
