"""Write the bytecode of the modules forecast's commands import: ``make setup`` runs it.

Dependencies are not compiled wholesale (thousands of files that no command loads, a
minute of a cold setup). Python compiles the rest on first import, but does not keep
it when ``PYTHONDONTWRITEBYTECODE`` is set or the environment is read-only, so every
start would compile them again: this writes what start-up and a run import, once.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
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


def _fresh(source: str) -> bool:
    """Whether ``source`` has bytecode cached beside it that is current: the header of a
    timestamp-based ``.pyc`` names the source's modification time and size."""
    try:
        with open(importlib.util.cache_from_source(source), "rb") as fh:
            head = fh.read(16)
        st = os.stat(source)
    except (OSError, NotImplementedError, ValueError):
        return False
    word = [int.from_bytes(head[i : i + 4], "little") for i in (4, 8, 12)]
    return (
        len(head) == 16
        and head[:4] == importlib.util.MAGIC_NUMBER
        and word == [0, int(st.st_mtime) & 0xFFFFFFFF, st.st_size & 0xFFFFFFFF]
    )


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
    written = fresh = 0
    for module in list(sys.modules.values()):
        source = getattr(module, "__file__", None)
        if not source or not source.endswith(".py") or not Path(source).is_file():
            continue
        if _fresh(source):
            fresh += 1  # importing it wrote its bytecode already
            continue
        try:
            py_compile.compile(source, doraise=True, quiet=2)
        except (py_compile.PyCompileError, OSError):
            continue  # a file that cannot be written to is compiled at import, as before
        written += 1
    print(f"byte-compiled {written} modules ({fresh} were already)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
