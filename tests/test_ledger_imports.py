"""The ledger's modules import one another without a circle.

Every import counts, also one inside a function (a lazy import still ties the two
modules together); only imports for type checking are left out. The backends depend on
the interface, and the module that opens them depends on the backends, never back.
"""

from __future__ import annotations

import ast
from pathlib import Path

import forecast.ledger

PACKAGE = "forecast.ledger"
FOLDER = Path(forecast.ledger.__file__).parent


def _modules() -> dict[str, Path]:
    return {
        PACKAGE if p.stem == "__init__" else f"{PACKAGE}.{p.stem}": p
        for p in sorted(FOLDER.glob("*.py"))
    }


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, known: set[str]) -> set[str]:
    """The ledger modules ``path`` imports at run time."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                if sub in known:
                    found.add(sub)  # `from forecast.ledger import health`: the module
                elif node.module in known:
                    found.add(node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def graph() -> dict[str, set[str]]:
    """Each ledger module -> the ledger modules it imports (the package's own
    ``__init__`` left out as a target: importing any submodule runs it first anyway)."""
    modules = _modules()
    known = set(modules)
    return {
        name: {m for m in _imports(path, known) if m != name and m != PACKAGE}
        for name, path in modules.items()
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle found by a depth-first search (each reported once)."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                found.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                walk(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            walk(node)
    return found


def test_the_search_finds_a_circle_and_a_lazy_import(tmp_path: Path) -> None:
    a = tmp_path / "a.py"
    a.write_text("def f():\n    from forecast.ledger import b\n", encoding="utf-8")
    b = tmp_path / "b.py"
    b.write_text(
        "from typing import TYPE_CHECKING\nfrom forecast.ledger.a import f\n"
        "if TYPE_CHECKING:\n    from forecast.ledger.c import X\n",
        encoding="utf-8",
    )
    known = {"forecast.ledger.a", "forecast.ledger.b", "forecast.ledger.c"}
    edges = {"forecast.ledger.a": _imports(a, known), "forecast.ledger.b": _imports(b, known)}
    assert edges == {"forecast.ledger.a": {"forecast.ledger.b"}, "forecast.ledger.b": {
        "forecast.ledger.a"}}  # fmt: skip
    assert cycles(edges) == [["forecast.ledger.a", "forecast.ledger.b", "forecast.ledger.a"]]


def test_the_ledger_modules_import_one_another_without_a_circle() -> None:
    edges = graph()
    assert "forecast.ledger.sqlite" in edges and "forecast.ledger.store" in edges
    assert cycles(edges) == []


def test_the_backends_need_only_the_interface_not_the_module_that_opens_them() -> None:
    edges = graph()
    assert {"forecast.ledger.sqlite", "forecast.ledger.postgres"} <= edges["forecast.ledger.store"]
    for backend in ("sqlite", "postgres", "sqlite_files", "health", "repair"):
        assert "forecast.ledger.store" not in edges[f"{PACKAGE}.{backend}"], backend
        assert "forecast.ledger.interface" in edges[f"{PACKAGE}.{backend}"], backend
