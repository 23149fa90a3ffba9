"""A whole sweep: the scenarios of a grid or a scenarios file, planned for each question
and run on an executor into a sink (a file or stdout), with what it came to."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from forecast.errors import UsageError

if TYPE_CHECKING:
    from forecast.inference import SamplerSettings
    from forecast.questions.loader import LoadedQuestion
    from forecast.sweep.executors import Executor
    from forecast.sweep.grid import Scenario


@dataclass(frozen=True)
class Scenarios:
    """The settings a sweep varies (in column order) and its scenarios, as many times
    as they are asked for (once per question)."""

    names: list[str]
    each: Callable[[], Iterable[Scenario]]


def scenarios_of(grid: Sequence[str], scenarios: Path | None) -> Scenarios:
    """The scenarios of ``--grid NAME=V1,V2,...`` options or of a scenarios file (one or
    the other)."""
    from forecast.sweep import grid as grids

    if bool(grid) == bool(scenarios):
        raise UsageError(
            "give --grid NAME=V1,V2,... (one or more) or --scenarios FILE",
            hint="for example --grid prior.strength=0.5,1,2",
        )
    if scenarios is not None:
        listed = grids.read_scenarios(scenarios)
        return Scenarios(
            list(dict.fromkeys(n for s in listed for n in s.names)), lambda: iter(listed)
        )
    parsed = grids.parse_grid(grid)

    def each() -> Iterator[Scenario]:
        return iter(grids.grid_scenarios(parsed))

    return Scenarios([n for n, _ in parsed], each)


def check_method(q: LoadedQuestion, method: str) -> None:
    """Refuse a ``--method`` that question ``q``'s sweep cannot use, located at the
    file's ``kind`` (before anything is written or sampled).

    Raises
    ------
    UsageError
        Naming the file, the line of its ``kind`` and the methods its sweep takes.
    """
    from forecast import kinds
    from forecast.questions.loader import display

    if method == "auto":
        return
    allowed = kinds.of(q.spec).sweep_adapter.methods
    if method in allowed:
        return
    line, col = q.marks.find(("kind",)) or (None, None)
    where = display(q.path) if line is None else f"{display(q.path)}:{line}:{col}"
    raise UsageError(
        f"{where} kind: a {q.spec.kind} question cannot be swept by the {method} method",
        hint=f"its sweep takes --method {', '.join(('auto', *allowed))}",
    )


@dataclass(frozen=True)
class Swept:
    """What a sweep came to: rows written now, rows already there (``--resume``), and
    how long it took."""

    written: int
    skipped: int
    seconds: float


def sweep(
    loaded: list[LoadedQuestion],
    scenarios: Scenarios,
    base: SamplerSettings,
    seed: int | None,
    pool: Executor,
    out: Path | None,
    resume: bool,
    progress: Callable[[int], AbstractContextManager[Callable[[int], None] | None]],
) -> Swept:
    """Forecast every scenario of every question on ``pool``, writing rows to ``out``
    (None: JSON Lines on stdout); ``progress(total)`` is a context giving a tick
    function (or None) for the rows as they come."""
    from forecast import engine
    from forecast.sweep import output, runner
    from forecast.sweep.provenance import Expected

    for q in loaded:
        check_method(q, base.method)
    sink = output.open_sink(out, resume, scenarios.names, Expected.of(loaded, base, seed))
    started = time.perf_counter()
    try:
        plans = [
            runner.plan(q, scenarios.each(), engine.settings_for(q, base, seed), sink.done)
            for q in loaded
        ]
        with progress(sum(p.count for p in plans)) as tick:
            written = int(runner.run(plans, pool, sink, tick))
    finally:
        sink.close()
    return Swept(written, len(sink.done), time.perf_counter() - started)
