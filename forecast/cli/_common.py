"""Shared pieces of the commands: consoles, error rendering, output formats."""

from __future__ import annotations

import functools
import json
import math
import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import typer

from forecast.cli.options import Format as Format
from forecast.errors import ForecastError, InputError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from forecast.questions.loader import LoadedQuestion
    from forecast.staleness import StaleWarning

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class _State:
    debug: bool = False


STATE = _State()


def out() -> Console:
    """The console for data (stdout); honours NO_COLOR and non-terminal output.

    It prints text from files as text: no markup, no control characters
    (:class:`~forecast.render.safe.SafeConsole`)."""
    from forecast.render.safe import SafeConsole

    return SafeConsole(file=sys.stdout)


def err() -> Console:
    """The console for progress, warnings and errors (stderr), as safe as :func:`out`.
    Messages are not wrapped: a log or a terminal shows each as one line."""
    from forecast.render.safe import SafeConsole

    return SafeConsole(file=sys.stderr, soft_wrap=True)


def plain(text: str) -> Text:
    """``text`` as rich Text, for the renderables that read a string as markup whatever
    the console says (a spinner's status): a file named ``[link=...].yaml`` stays a name."""
    from rich.text import Text

    return Text(text)


def echo_lines(lines: list[str], *, stderr: bool = False) -> None:
    """Print problem lines unwrapped (coloured on a terminal), hints dimmed."""
    console = err() if stderr else out()
    for line in lines:
        style = "dim" if line.startswith("  hint") else ("red" if stderr else None)
        console.print(line, markup=False, highlight=False, soft_wrap=True, style=style)


def finite(obj: object) -> object:
    """``obj`` with NaN and infinities replaced by None: JSON has no spelling for them."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [finite(v) for v in obj]
    return obj


_C1 = re.compile("[\x7f-\x9f]")


def print_json(obj: object) -> None:
    """One JSON object on one line of stdout (JSON Lines); a value that could not be
    computed (NaN) is written as null."""
    text = json.dumps(finite(obj), ensure_ascii=False, allow_nan=False, default=str)
    # JSON escapes C0 controls itself; C1 controls (a one-character escape sequence on
    # some terminals) may only occur inside strings, where \u escapes mean the same.
    text = _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def report_error(exc: ForecastError) -> None:
    """Print a domain error once: input problems one per line, others as ``Error: ...``."""
    if isinstance(exc, InputError):
        echo_lines(exc.lines(), stderr=True)
        return
    console = err()
    # One line each, however long: scripts read the message, terminals wrap it themselves.
    console.print(
        f"Error: {exc.message}", markup=False, highlight=False, style="bold red", soft_wrap=True
    )
    if exc.hint:
        console.print(
            f"  hint: {exc.hint}", markup=False, highlight=False, style="dim", soft_wrap=True
        )


def handle_errors[**P, R](fn: Callable[P, R]) -> Callable[P, R]:
    """Turn ForecastError into a clean message and its exit code; tracebacks only with --debug."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except ForecastError as exc:
            if STATE.debug:
                traceback.print_exc()
            report_error(exc)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err().print("Interrupted.", style="yellow")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # The reader went away (`forecast run ... | head`): what it wanted it has.
            # Point stdout at nothing so the final flush cannot fail again.
            import os

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except Exception as exc:
            if STATE.debug:
                raise
            err().print(
                f"Error: internal error: {type(exc).__name__}: {exc}",
                markup=False,
                highlight=False,
                style="bold red",
            )
            err().print("  hint: run with --debug for the traceback and report it", style="dim")
            raise typer.Exit(1) from None

    return wrapper


def load_some(paths: list[Path]) -> tuple[list[LoadedQuestion], list[InputError]]:
    """Load priors files (or directories of them); refuse a set that holds none at all."""
    from forecast.errors import InputError, Problem
    from forecast.questions.loader import load_many

    ok, bad = load_many(paths)
    if not ok and not bad:
        where = ", ".join(str(p) for p in paths)
        found = "no priors files (*.yaml or *.yml) found"
        raise InputError([Problem(where, None, None, "", found)])
    return ok, bad


def stale_warnings(
    loaded: list[LoadedQuestion], days: int | None, *, show: bool = True
) -> dict[str, list[StaleWarning]]:
    """Each question's staleness warnings (see :mod:`forecast.staleness`), by id; printed
    on stderr unless ``show`` is false."""
    from forecast import staleness

    on, limit = staleness.today(), staleness.stale_days(days)
    found = {q.id: staleness.warnings_for(q, on=on, days=limit) for q in loaded}
    if show:
        for warnings in found.values():
            for w in warnings:
                warn_lines(w.lines())
    return found


def warn_lines(lines: list[str]) -> None:
    """Print warning lines on stderr, unwrapped; the reasons and hints below them dimmed."""
    console = err()
    for line in lines:
        style = "dim" if line.startswith("  ") else "yellow"
        console.print(line, markup=False, highlight=False, soft_wrap=True, style=style)
