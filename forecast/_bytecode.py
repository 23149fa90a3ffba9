"""Write the bytecode of the modules forecast's commands import: ``make setup`` runs it.

Dependencies are not compiled wholesale (thousands of files that no command loads, a
minute of a cold setup). Python compiles the rest on first import, but does not keep
it when ``PYTHONDONTWRITEBYTECODE`` is set or the environment is read-only, so every
start would compile them again: this writes what start-up and a run import, once.
"""

from __future__ import annotations

import importlib
import py_compile
import sys
from pathlib import Path

MODULES = (
    "forecast.cli",
    "forecast.spec",
    "forecast.engine",
    "forecast.models.event",
    "forecast.models.drivers",
    "forecast.models.tte",
    "forecast.render.report",
    "forecast.render.html",
    "forecast.sensitivity",
    "pymc",
    "arviz_base",
    "arviz_stats",
    "preliz",
)
"""What ``--help``, ``check``, ``list`` and ``run`` import (the rest follows from them)."""


def main() -> int:
    """Import :data:`MODULES` and write the bytecode of every file they loaded."""
    for name in MODULES:
        importlib.import_module(name)
    written = 0
    for module in list(sys.modules.values()):
        source = getattr(module, "__file__", None)
        if not source or not source.endswith(".py") or not Path(source).is_file():
            continue
        try:
            py_compile.compile(source, doraise=True, quiet=2)
        except (py_compile.PyCompileError, OSError):
            continue  # a file that cannot be written to is compiled at import, as before
        written += 1
    print(f"byte-compiled {written} modules", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
