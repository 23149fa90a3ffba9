"""The options several commands share, declared once as typer ``Annotated`` aliases.

A command names the alias and its default (``seed: Seed = None``); the flag, its limits
and its help are here. A choice the specification also makes (the pool method, where
the weights come from) takes its words from the specification's own ``Literal``
(:mod:`forecast.questions.choices`), so the command line cannot offer a word a file
cannot say, or miss one it can.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, get_args

import typer

from forecast.methods import METHOD_HELP, Method
from forecast.questions.choices import PoolMethod, WeightsMethod
from forecast.sweep.places import ExecutorName


def choices(name: str, literal: object, *, without: tuple[str, ...] = ()) -> type[StrEnum]:
    """A typer choice (a ``StrEnum`` named ``name``) of the words of a ``Literal``,
    less ``without``."""
    words = [w for w in get_args(literal) if w not in without]
    return StrEnum(name, [(w, w) for w in words])  # type: ignore[return-value]


if TYPE_CHECKING:
    from forecast.questions.loader import LoadedQuestion

if TYPE_CHECKING:  # to the type checker, a choice is its word
    PoolChoice = str
    WeightsChoice = str
    ExecutorChoice = str
else:
    ExecutorChoice = choices("ExecutorChoice", ExecutorName)
    """Where sampling runs: ``--executor``."""
    PoolChoice = choices("PoolChoice", PoolMethod)
    """Pool methods ``--pool`` accepts: every method a file may name."""
    # A file's Cooke weights need its seeds file: --pool keeps them, --weights cannot ask.
    WeightsChoice = choices("WeightsChoice", WeightsMethod, without=("cooke",))
    """Expert weights ``--weights`` accepts."""


class Format(StrEnum):
    """Output formats of the commands that print results."""

    rich = "rich"
    json = "json"
    markdown = "markdown"


LEDGER_HELP = (
    "The ledger: a file, or a postgresql://user@host:port/db URL (default: $FORECAST_LEDGER, "
    "else ledger.sqlite in the user data directory)."
)

Priors = Annotated[
    list[Path], typer.Argument(metavar="PRIORS", help="Priors files or directories of them.")
]
OutputFormat = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
Seed = Annotated[
    int | None,
    typer.Option(
        "--seed", min=0, help="Random seed (default: derived from the file, so runs repeat)."
    ),
]
Draws = Annotated[int, typer.Option("--draws", min=100, help="Draws per chain after tuning.")]
InferenceMethod = Annotated[Method, typer.Option("--method", help=METHOD_HELP)]
"""``--method``: how the forecast is inferred (:mod:`forecast.methods`)."""
Tune = Annotated[int, typer.Option("--tune", min=100, help="Tuning steps per chain.")]
Chains = Annotated[int, typer.Option("--chains", min=1, max=64, help="Number of chains.")]
Jobs = Annotated[
    int,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        max=64,
        help="Sample up to this many at once, in local worker processes (same numbers).",
    ),
]
Strict = Annotated[
    bool, typer.Option("--strict", help="Exit 3 when sampling diagnostics are not all good.")
]
Ledger = Annotated[
    str | None,
    typer.Option("--ledger", envvar="FORECAST_LEDGER", help=LEDGER_HELP, show_envvar=False),
]
Weights = Annotated[
    WeightsChoice | None,
    typer.Option(
        "--weights",
        help="Expert weights: as given in the file, or performance weights earned on the "
        "ledger's resolved questions (default: as the file's pool says).",
    ),
]
Pool = Annotated[
    PoolChoice | None,
    typer.Option("--pool", help="Pool the experts this way instead of as the file says."),
]
Extremize = Annotated[
    float | None,
    typer.Option(
        "--extremize",
        min=0.01,
        max=5.0,
        help="Extremize the pool in log-odds, p* = sigmoid(d · logit p) (1 = off).",
    ),
]
Executor = Annotated[
    ExecutorChoice,
    typer.Option("--executor", help="Where sampling runs: local, or dask (with --scheduler)."),
]
Scheduler = Annotated[
    str | None,
    typer.Option("--scheduler", help="Address of a running Dask scheduler, e.g. tcp://host:8786."),
]
WorkerWait = Annotated[
    float,
    typer.Option(
        "--worker-wait",
        min=1.0,
        metavar="SECONDS",
        help="With --executor dask: stop when the cluster has had no worker this long.",
    ),
]
StaleAfter = Annotated[
    int | None,
    typer.Option(
        "--stale-after",
        min=1,
        metavar="DAYS",
        help="Warn when a file's facts are older than this many days "
        "(default: $FORECAST_STALE_DAYS, else 180).",
    ),
]


def with_weights(
    loaded: list[LoadedQuestion], ledger: str | None, choice: WeightsChoice | None = None
) -> list[LoadedQuestion]:
    """:func:`forecast.overrides.with_weights`, its warnings said on stderr; then the
    ledger for the kinds that read outcomes from it (:func:`forecast.overrides.with_ledger`)."""
    from forecast import overrides

    word = None if choice is None else overrides.weights_word(str(choice))
    weighted, warnings = overrides.with_weights(loaded, ledger, word)
    _warn(warnings)
    return overrides.with_ledger(weighted, ledger)


def with_pool(
    loaded: list[LoadedQuestion], method: PoolChoice | None, d: float | None
) -> list[LoadedQuestion]:
    """:func:`forecast.overrides.with_pool`, its warnings said on stderr."""
    from forecast import overrides

    word = None if method is None else overrides.pool_word(str(method))
    pooled, warnings = overrides.with_pool(loaded, word, d)
    _warn(warnings)
    return pooled


def _warn(warnings: list[str]) -> None:
    from forecast.cli._common import err

    for w in warnings:
        err().print(f"warning: {w}", markup=False, highlight=False, style="yellow")
