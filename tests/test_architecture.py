"""The shape of the code: a question kind lives in its own package, behind the registry.

Outside ``forecast/kinds/<kind>/`` only the registry (``forecast/kinds/__init__.py``)
imports a kind's package, and the engine, sweeps, sensitivity, reports, ledger, elicit
and the commands never branch on which kind they hold: no comparison with a kind's
name, no ``isinstance`` against a kind's classes. Each rule is also shown to catch a
planted violation.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

from forecast import kinds

ROOT = Path(__file__).resolve().parent.parent / "forecast"
KINDS_DIR = ROOT / "kinds"
KIND_PACKAGES = frozenset(
    p.name for p in KINDS_DIR.iterdir() if p.is_dir() and (p / "__init__.py").exists()
)
REGISTRY = "forecast.kinds"
NEUTRAL = ("engine", "sweep", "sensitivity", "render", "ledger", "elicit", "cli", "overrides")
"""Modules (or packages) of forecast that must not tell one kind from another."""
PENDING: set[tuple[str, str]] = set()
"""Imports of a kind's package still to be routed through the registry (none now). Each
listed must still occur, so the list only shrinks."""


def module_name(path: Path) -> str:
    """``forecast/kinds/event/model.py`` -> ``forecast.kinds.event.model``."""
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST, module: str) -> Iterable[tuple[int, str]]:
    """Every module an import statement names (``from a import b`` gives ``a.b`` too)."""
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def kind_of(name: str) -> str | None:
    """The kind package an import reaches into, if any."""
    parts = name.split(".")
    if len(parts) >= 3 and parts[:2] == ["forecast", "kinds"] and parts[2] in KIND_PACKAGES:
        return parts[2]
    return None


def foreign_imports(source: str, module: str) -> list[tuple[int, str]]:
    """Imports of a kind's package from outside it (the registry may import them all)."""
    if module == REGISTRY:
        return []
    return [
        (line, name)
        for line, name in imported(ast.parse(source), module)
        if kind_of(name) is not None and kind_of(module) != kind_of(name)
    ]


def import_violations(source: str, module: str) -> list[str]:
    """:func:`foreign_imports` as messages, but for the :data:`PENDING` ones."""
    return [
        f"{module}:{line} imports {name}"
        for line, name in foreign_imports(source, module)
        if not any(module == m and (name == n or name.startswith(n + ".")) for m, n in PENDING)
    ]


def kind_words() -> frozenset[str]:
    """What names a kind: the ``kind:`` of each registered kind and what elicit calls it."""
    words = set(kinds.names())
    for k in kinds.REGISTRY.values():
        words |= set(k.forms)
    return frozenset(words)


def kind_classes() -> frozenset[str]:
    """Classes only a kind knows: its specification and what its package defines."""
    names = {k.spec.__name__ for k in kinds.REGISTRY.values()}
    names.add("DriverSet")  # the drivers of drivers and time-to-event questions
    for path in KINDS_DIR.glob("*/**/*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    return frozenset(names)


def _names(node: ast.expr) -> Iterable[str]:
    if isinstance(node, ast.Tuple):
        for elt in node.elts:
            yield from _names(elt)
    elif isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, ast.Attribute):
        yield node.attr


def branch_violations(
    source: str, module: str, words: frozenset[str], classes: frozenset[str]
) -> list[str]:
    """Comparisons with a kind's name (``kind == "event"``, ``.kind in (...)``) and
    ``isinstance`` against a kind's classes."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            said = {
                elt.value
                for side in sides
                for elt in (
                    side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
                )
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str)
            }
            if said & words:
                out.append(f"{module}:{node.lineno} compares with {sorted(said & words)}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("isinstance", "issubclass")
            and len(node.args) == 2
        ):
            hit = set(_names(node.args[1])) & classes
            if hit:
                out.append(f"{module}:{node.lineno} isinstance against {sorted(hit)}")
    return out


def _modules() -> list[tuple[Path, str]]:
    return [(p, module_name(p)) for p in sorted(ROOT.rglob("*.py"))]


def _neutral(module: str) -> bool:
    rest = module.split(".")[1:]
    return bool(rest) and rest[0] in NEUTRAL


def test_only_the_registry_imports_a_kind_package() -> None:
    found = [
        v
        for path, module in _modules()
        for v in import_violations(path.read_text(encoding="utf-8"), module)
    ]
    assert found == []


def test_the_pending_imports_are_still_there() -> None:
    seen = {
        (module, pending)
        for path, module in _modules()
        for _, name in foreign_imports(path.read_text(encoding="utf-8"), module)
        for m, pending in PENDING
        if module == m and (name == pending or name.startswith(pending + "."))
    }
    assert seen == PENDING  # one that is gone comes off the list


def test_the_shared_layers_never_branch_on_a_kind() -> None:
    words, classes = kind_words(), kind_classes()
    found = [
        v
        for path, module in _modules()
        if _neutral(module)
        for v in branch_violations(path.read_text(encoding="utf-8"), module, words, classes)
    ]
    assert found == []


def test_every_registered_kind_is_a_package_of_its_own() -> None:
    for kind in kinds.REGISTRY.values():
        package = type(kind).__module__.split(".")
        assert package[:2] == ["forecast", "kinds"] and package[2] in KIND_PACKAGES


def test_every_kinds_specification_is_defined_in_its_package() -> None:
    for kind in kinds.REGISTRY.values():
        package = type(kind).__module__.split(".")[:3]
        assert kind.spec.__module__.split(".")[:3] == package, kind.name


@pytest.mark.parametrize(
    "source",
    [
        "from forecast.kinds.event import model\n",
        "import forecast.kinds.drivers.model\n",
        "from forecast.kinds import tte\n",
        "def f():\n    from forecast.kinds.event.summary import summarise\n",
    ],
)
def test_a_planted_import_is_caught(source: str) -> None:
    assert import_violations(source, "forecast.engine")
    assert not import_violations(source, "forecast.kinds")  # the registry may
    assert import_violations("from forecast.kinds.event import model\n", "forecast.kinds.tte.x")
    assert not import_violations("from . import model\n", "forecast.kinds.event.kind")


@pytest.mark.parametrize(
    "source",
    [
        'if q.spec.kind == "event":\n    pass\n',
        'x = spec.kind in ("drivers", "time-to-event")\n',
        'ok = "hazard" != form\n',
        "from forecast.kinds.event.spec import EventQuestion\nisinstance(spec, EventQuestion)\n",
        "isinstance(inputs, (int, tte.HazardInputs))\n",
    ],
)
def test_a_planted_branch_is_caught(source: str) -> None:
    assert branch_violations(source, "forecast.engine", kind_words(), kind_classes())


def test_branches_on_other_kinds_of_thing_are_not_flagged() -> None:
    source = 'if step.kind == "experts" or executor == "dask":\n    isinstance(x, float)\n'
    assert branch_violations(source, "forecast.render.fmt", kind_words(), kind_classes()) == []
