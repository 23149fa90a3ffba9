"""Write the bytecode of the modules forecast's commands import: ``make setup`` runs it.

Dependencies are not compiled wholesale (thousands of files that no command loads, a
minute of a cold setup). Python compiles the rest on first import, but does not keep
it when ``PYTHONDONTWRITEBYTECODE`` is set or the environment is read-only, so every
start would compile them again: this writes what start-up and a run import, once.
"""

from __future__ import annotations

import contextlib
import importlib
import py_compile
import sys
from pathlib import Path

MODULES = (
    "forecast.cli",
    "forecast.cli._app",
    "forecast.questions.loader",
    "forecast.engine",
    "forecast.kinds.event.model",
    "forecast.kinds.drivers.model",
    "forecast.kinds.tte.model",
    "forecast.render.report",
    "forecast.render.html",
    "forecast.sensitivity",
    "forecast.ledger.evaluate",
    "forecast.ledger.render",
    "forecast.corp",
    "scipy.optimize",
    "scipy.special",
    "pymc",
    "arviz_base",
    "arviz_stats",
    "preliz",
)
"""What ``--help``, ``check``, ``list``, ``run`` and ``score`` import (the rest follows)."""

OPTIONAL = ("psycopg",)
"""What an extra brings when it is installed: the PostgreSQL driver a team ledger opens
(about seventy modules, which every ``--ledger postgresql://`` command would otherwise
compile again at each start)."""


_QUESTION = """\
format: 1
kind: event
title: A question to warm up on
resolution: Resolves yes never; it only makes a run import what runs import.
deadline: 2100-01-01
experts:
  - name: a
    judgement: {probability: 0.2, strength: 10}
base_rate: {successes: 1, trials: 10, weight: 0.5, reference_class: ten cases}
"""


def _one_small_run() -> None:
    """Sample and render one small forecast: sampling imports more modules as it goes."""
    import io
    import tempfile

    from rich.console import Console

    from forecast import engine
    from forecast.inference import SamplerSettings
    from forecast.questions.loader import load_question
    from forecast.render.report import Report

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "warm-up.yaml"
        path.write_text(_QUESTION, encoding="utf-8")
        q = load_question(path)
        f = engine.run(q, SamplerSettings(draws=100, tune=100, chains=1, seed=1))
    Console(file=io.StringIO(), width=100).print(Report(f))


def main() -> int:
    """Import :data:`MODULES`, make one small run, and write the bytecode of every file
    they loaded."""
    for name in MODULES:
        importlib.import_module(name)
    for name in OPTIONAL:
        with contextlib.suppress(ImportError):  # an extra not installed: nothing to compile
            importlib.import_module(name)
    try:
        _one_small_run()
    except Exception as exc:  # the imports above are still compiled
        print(f"warm-up run failed ({exc}); compiling what was imported", file=sys.stderr)
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
