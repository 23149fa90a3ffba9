"""``forecast elicit``: an elicitation session at the terminal that writes the priors file."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from forecast.cli._common import err, handle_errors, out, print_json
from forecast.errors import ForecastError

if TYPE_CHECKING:
    from rich.console import RenderableType

    from forecast.elicit.answers import Channel
    from forecast.elicit.dialogue import Outcome
    from forecast.jsontypes import JSONValue


class ElicitFormat(StrEnum):
    """Output formats of ``elicit`` (what was written; the session is on stderr)."""

    rich = "rich"
    json = "json"


class TerminalChannel:
    """Prompts and feedback on stderr, answers from stdin.

    On a terminal each question is printed with its default; from a pipe the prompts
    are left out (the answers are lines of stdin) and the feedback still goes to stderr.
    """

    def __init__(self, *, interactive: bool) -> None:
        self.interactive = interactive
        self.console = err()

    def ask(self, key: str, text: str, default: str | None) -> str:
        if self.interactive:
            shown = f" [{default}]" if default else ""
            self.console.print(f"{text}{shown}: ", end="", markup=False, highlight=False)
            self.console.file.flush()
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\r\n")

    def reject(self, key: str, reason: str) -> None:
        self.console.print(
            f"  ✗ {reason}", style="red", markup=False, highlight=False, soft_wrap=True
        )

    def show(self, renderable: RenderableType) -> None:
        self.console.print(renderable)


class AnswersChannel:
    """Answers from a file: a list (in the order asked) or a mapping by question key.

    A list is read like lines typed at the prompt, so a refused answer is followed by
    the next one; in a mapping a refused answer is an error naming the key.
    """

    KEYS = (
        "kind, title, resolution, deadline, horizon, opportunities, every_months, since, "
        "driver, driver_description, odds_ratio, odds_ratio_low, odds_ratio_high, level, "
        "another_driver, unit, support, bounds, thresholds, tags, source, expert, revise, "
        "method, lowest, highest, median, lower_quartile, upper_quartile, bins, chips, "
        "family, probability, strength, accept, another"
    )

    def __init__(self, path: Path) -> None:
        from forecast import yamlio

        data, marks, _ = yamlio.load(path, str(path))
        self.path, self.marks = path, marks
        self.asked: set[str] = set()
        self.console = err()
        if isinstance(data, list):
            self.queue: list[JSONValue] | None = list(data)
            self.mapping: dict[str, JSONValue] = {}
        elif isinstance(data, dict):
            self.queue = None
            self.mapping = {str(k): v for k, v in data.items()}
            self.used: dict[str, int] = {}
        else:
            raise ForecastError(
                f"{path}: answers must be a list or a mapping of question to answer",
                hint=f"keys: {self.KEYS}",
            )

    def ask(self, key: str, text: str, default: str | None) -> str:
        if self.queue is not None:
            if not self.queue:
                raise EOFError
            return _text(self.queue.pop(0))
        self.asked.add(key)
        if key not in self.mapping:
            self._misspelt(key, text)
            if default is not None:
                return default
            raise ForecastError(
                f"{self.path}: no answer for {key!r} ({text})", hint=f"keys: {self.KEYS}"
            )
        value = self.mapping[key]
        if key == "tags" and isinstance(value, list):
            return ", ".join(_text(v) for v in value)
        if isinstance(value, list) and key not in _LISTS:
            # A list under a key answers that question each time it is asked.
            i = self.used.get(key, 0)
            self.used[key] = i + 1
            if i >= len(value):
                raise EOFError
            return _text(value[i])
        return _text(value)

    def _misspelt(self, key: str, text: str) -> None:
        """Refuse a key of the file that was never asked and is close to ``key``, the one
        asked now: most likely a misspelling of it (``medain`` for ``median``)."""
        import difflib

        from forecast.errors import InputError, Problem

        known = set(self.KEYS.split(", "))  # a key asked later is not a misspelling
        unasked = [k for k in self.mapping if k not in self.asked and k not in known]
        close = difflib.get_close_matches(key, unasked, n=1, cutoff=0.75)
        if not close:
            return
        at = self.marks.find((close[0],), key=True)
        line, col = at if at else (None, None)
        raise InputError(
            [
                Problem(
                    str(self.path),
                    line,
                    col,
                    close[0],
                    f"unknown key {close[0]!r} (did you mean {key!r}?)",
                    hint=f"{key!r} answers: {text}; keys: {self.KEYS}",
                )
            ]
        )

    def reject(self, key: str, reason: str) -> None:
        if self.queue is not None:
            self.console.print(f"  ✗ {key}: {reason}", style="red", markup=False, soft_wrap=True)
            return
        raise ForecastError(f"{self.path}: {key}: {reason}")

    def show(self, renderable: RenderableType) -> None:
        self.console.print(renderable)


_LISTS = ("bins", "chips", "opportunities", "bounds", "thresholds")
"""Questions answered by one list of values (other lists answer a question each time)."""


def _text(value: object) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def elicit(
    question: str = typer.Argument(
        ..., metavar="QUESTION", help="The question id: the file name without .yaml."
    ),
    directory: Path = typer.Option(Path("priors"), "--dir", help="Where priors files live."),
    answers: Path | None = typer.Option(
        None, "--answers", help="Take the answers from this YAML file instead of asking."
    ),
    cell: str | None = typer.Option(
        None, "--cell", help="A network's table cell, as sweep names it: ID[parent=yes]."
    ),
    format_: ElicitFormat = typer.Option(
        ElicitFormat.rich,
        "--format",
        "-f",
        help="json: what was written (the file, each expert and their fitted judgement) as "
        "one forecast.elicit/1 object on stdout.",
    ),
) -> None:
    """Elicit an expert's judgement at the terminal and write it to DIR/QUESTION.yaml.

    Asks who the expert is, the lowest and highest plausible probability (taken as the
    1% and 99% points and written with the quartiles), then the median and quartiles (or
    a roulette grid of chips); after each answer it shows the fitted distribution and
    what it implies, and lets the expert revise. A new question also asks for its kind
    (event, scheduled or hazard time-to-event, drivers, or quantity), title, resolution,
    deadline, what the kind needs (horizon and past opportunities, when the clock started,
    each driver's odds ratio and level, or a quantity's unit, support and thresholds),
    tags and a source; for a drivers or time-to-event
    question it first says what is judged (the event with every driver off, at the next
    opportunity, or a hazard question's median time in years). The file is written once, at the
    end; Ctrl-C or end of input leaves it as it was. Answers can also come from a pipe
    (one per line) or from --answers FILE.

    For a network, --cell ID[parent=yes] elicits one table cell (ID alone for a root,
    ID[leak] or ID[cause=PARENT] for a noisy OR), written into that row's experts; a
    categorical node's cell asks each state's probability (summing to 1) and a strength.

    With --format json, stdout gets one object saying what was written: the file, each
    expert elicited, their judgement and its fit (the session itself is on stderr).

    Example: forecast elicit turkiye-joins-consultative-meeting
    """
    from forecast.elicit.dialogue import run_session

    channel: Channel = (
        AnswersChannel(answers) if answers else TerminalChannel(interactive=sys.stdin.isatty())
    )
    try:
        outcome = run_session(question, directory, channel, cell=cell)
    except EOFError:
        raise ForecastError(
            "input ended before the session finished; nothing was written",
            hint="answer every question, or pass them all with --answers FILE",
        ) from None
    if format_ is ElicitFormat.json:
        print_json(_elicited_json(outcome, cell))
        return
    verb = "wrote" if outcome.created else "updated"
    out().print(
        f"{verb} {outcome.path}: {', '.join(outcome.experts)} "
        f"({outcome.total} expert(s) in the file)",
        markup=False,
        highlight=False,
    )


def _elicited_json(outcome: Outcome, cell: str | None) -> dict[str, object]:
    """What ``elicit`` wrote, for ``--format json`` (``forecast.elicit/1``): each expert's
    judgement as written, with its fit and what it implies as ``show`` gives them."""
    from forecast.questions.loader import load_question
    from forecast.render.judgements import JudgementsView, judgements_dict

    q = load_question(outcome.path)
    shown = judgements_dict(JudgementsView.of(q)) if cell is None else {}
    fits: dict[str, object] = {}
    for key in ("experts", "positive_judgements"):
        entries = shown.get(key)
        for e in entries if isinstance(entries, list) else []:
            if isinstance(e, dict):
                name = e.get("name", e.get("id"))
                if isinstance(name, str) and name not in fits:
                    fits[name] = e
    return {
        "schema": "forecast.elicit/1",
        "path": str(outcome.path),
        "question": q.id,
        "kind": q.spec.kind,
        "cell": cell,
        "created": outcome.created,
        "experts": [
            {
                "name": name,
                "judgement": outcome.judgements.get(name),
                "fitted": _fitted(fits.get(name)),
            }
            for name in outcome.experts
        ],
        "total": outcome.total,
    }


def _fitted(entry: object) -> object:
    """The fit and its implications of one expert, as ``show --format json`` has them."""
    if not isinstance(entry, dict):
        return None
    return {k: entry.get(k) for k in ("form", "fit", "implies") if k in entry}


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("elicit")(handle_errors(elicit))
