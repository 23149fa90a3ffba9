"""An elicitation dialogue: the questions in their order, with feedback after each answer.

The dialogue is independent of any user interface. It talks through a
:class:`~forecast.elicit.answers.Channel` (a terminal, a piped stdin, or a file of
answers) and:

* asks who the expert is, then the extremes first (lowest and highest plausible
  probability: asking for the range before the middle avoids anchoring on a first
  number), then the median and quartiles, or a roulette grid of chips;
* after every answer shows the distribution fitted so far, what it implies and how
  well it fits (:mod:`forecast.render.elicit`), and lets the expert revise before
  accepting;
* for a new question asks its kind, title, resolution, deadline and what the kind needs
  (see :mod:`forecast.elicit.newfile`);
* adds experts to an existing question of any kind, saying first what is judged (the
  event by the deadline; with every driver off; at the next opportunity; or, for a
  continuous-hazard question, the median time to the event in years, elicited the same
  way on a positive scale and written under ``hazard.experts``; for a quantity, the
  amount in its unit, fitted to every family of its support, with the family offered);
* revises the judgement of an expert already in the file when their name is given
  again and the expert says so, keeping the rest of their entry;
* writes ``DIR/QUESTION.yaml`` once, at the end, through the one priors-file writer
  (:mod:`forecast.priorsfile`): an existing file keeps everything in it, comments
  included, and the result is validated by the same loader as ``forecast check``
  before it is written atomically. Stopping at any prompt leaves the file exactly as
  it was.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from forecast import priorsfile
from forecast.elicit.answers import (
    PROBABILITY,
    Answers,
    Channel,
    Invalid,
    Scale,
    ask,
    ask_kept,
    ask_yes,
    parse_choice,
    parse_name,
    repeated,
)
from forecast.elicit.document import render_file
from forecast.elicit.judgement import elicit_quartiles, elicit_roulette, provisional, show_fit
from forecast.errors import UsageError
from forecast.render.elicit import adding_expert, new_question, to_judge

if TYPE_CHECKING:
    from forecast.questions.base import QuestionMeta

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,119}$")
"""A question id: the priors file's name, short enough for every file system."""


def _name(channel: Channel, taken: set[str], revisable: set[str]) -> tuple[str, bool]:
    """The expert's name, and whether their judgement in the file is to be revised."""
    while True:
        name = ask(channel, "expert", "Who is the expert (name or role)?", parse_name(taken))
        if name not in revisable:
            return name, False
        if ask_yes(
            channel,
            "revise",
            f"{name} is already in the file: revise their judgement? [y]es / [n]o "
            "(then give another name)",
        ):
            return name, True


def elicit_expert(
    channel: Channel,
    taken: set[str],
    subject: str | None = None,
    scale: Scale = PROBABILITY,
    revisable: set[str] | None = None,
) -> Answers:
    """Ask one expert for their judgement, with feedback, until they accept it.

    ``subject``: what is judged, shown before the first number is asked; ``scale``:
    a probability (quartiles or roulette), a positive quantity such as years
    (quartiles) or an amount (quartiles or roulette); ``revisable``: names already in
    the file whose judgement the expert may replace (the others in ``taken`` are refused).
    """
    name, revises = _name(channel, taken - (revisable or set()), revisable or set())
    if subject:
        channel.show(to_judge(scale, subject))
    method = "quartiles"
    if scale.roulette:
        method = ask(
            channel,
            "method",
            "Judge by [q]uartiles or by [r]oulette chips?",
            parse_choice({"quartiles": "quartiles", "roulette": "roulette"}),
            "quartiles",
        )
    what = scale.short
    prev: dict[str, str] = {}
    while True:
        low = ask_kept(
            channel,
            prev,
            "lowest",
            f"Lowest plausible {what} (taken as your 1% point: a 1 in 100 chance it is lower)",
            lambda r: scale.parse(r, hi=scale.top, what=f"lowest plausible {what}"),
        )
        high = ask_kept(
            channel,
            prev,
            "highest",
            f"Highest plausible {what} (taken as your 99% point: a 1 in 100 chance it is higher)",
            lambda r: _above(scale.parse(r), low, what),  # noqa: B023 - used at once
        )
        extremes = (low, high)
        if method == "quartiles":
            show_fit(
                channel, provisional(extremes, {}, scale), extremes, [], final=False, scale=scale
            )
            judgement = elicit_quartiles(channel, extremes, prev, scale)
            stated = judgement["quantiles"]
            marks = [float(v) for v in stated.values()] if isinstance(stated, dict) else []
        else:
            judgement = elicit_roulette(channel, extremes, prev, scale)
            marks = []
        fitted = show_fit(channel, judgement, extremes, marks, final=True, scale=scale)
        entry = {} if fitted is None else scale.settle(channel, fitted)
        if accepted(channel):
            if fitted is not None:
                return Answers(name, judgement, fitted, extremes, entry=entry, revises=revises)
            channel.reject("accept", "this judgement cannot be fitted; revise it")


def accepted(channel: Channel) -> bool:
    """Whether the expert accepts the judgement as fed back, or revises it."""
    choice = ask(
        channel,
        "accept",
        "Accept this judgement? [y]es, or [r]evise (Enter keeps each earlier answer)",
        parse_choice({"yes": "yes", "revise": "revise"}),
        "yes",
    )
    return choice == "yes"


def _above(v: float, low: float, what: str = "probability") -> float:
    if not v > low:
        raise Invalid(f"the highest plausible {what} must be above the lowest, {low:g} (got {v:g})")
    return v


class Part(Protocol):
    """A part of a question its experts judge (a network's table cell): what is judged,
    on which scale, the names already there, its own questions when it asks other than
    :func:`elicit_expert` does, and the file with the answers added."""

    @property
    def subject(self) -> str: ...

    @property
    def scale(self) -> Scale: ...

    @property
    def taken(self) -> Iterable[str]: ...

    def ask(self, channel: Channel, taken: set[str]) -> Answers | None:
        """One expert's answers asked the part's own way (a categorical cell's
        distribution), or None: :func:`elicit_expert` asks."""
        ...

    def render(self, existing: str, answers: Sequence[Answers], today: dt.date) -> str: ...


@dataclass
class Outcome:
    """What a session wrote."""

    path: Path
    created: bool
    experts: list[str]
    total: int
    judgements: dict[str, dict[str, object]] = field(default_factory=dict)
    """Each elicited expert's judgement as written, by name."""


def subject(spec: QuestionMeta, today: dt.date | None = None) -> tuple[str, Scale]:
    """What an expert judges in a question of its kind, and on which scale (``today``:
    to tell a past "next" opportunity from a future one)."""
    from forecast import kinds

    return kinds.of(spec).subject(spec, today)


def run_session(
    question: str,
    directory: Path,
    channel: Channel,
    *,
    today: dt.date | None = None,
    cell: str | None = None,
) -> Outcome:
    """Elicit one or more experts for ``question`` and write ``directory/question.yaml``.

    ``cell``: the part of the question the experts judge, for a kind whose experts
    judge parts (a network's table cell; its kind's ``elicit_target`` says where).

    Raises
    ------
    UsageError
        For a question id that cannot be a file name.
    InputError
        When the existing file is invalid, or the result would be.
    EOFError, KeyboardInterrupt
        When input ends or the user stops; nothing is written.
    """
    from forecast import yamlio
    from forecast.questions.loader import load_question

    if today is None:
        from forecast.staleness import today as clock

        today = clock()
    if not _ID.match(question):
        raise UsageError(
            f"{question[:40]!r}{'...' if len(question) > 40 else ''} is not a question id",
            hint="use at most 120 lower-case letters, digits, '-' and '_', e.g. turkiye-joins-ots",
        )
    path = directory / f"{question}.yaml"
    existing: str | None = None
    meta: dict[str, object] | None = None
    taken: set[str] = set()
    revisable: set[str] = set()  # names whose judgement may be revised (not a part's)
    place: Part | None = None
    if path.exists():
        from forecast import kinds

        loaded = load_question(path)
        existing = loaded.text
        hook = getattr(kinds.of(loaded.spec), "elicit_target", None)  # experts judge a part
        if hook is not None:
            place = hook(loaded, cell)
            what, scale, taken = place.subject, place.scale, set(place.taken)
        else:
            if cell is not None:
                raise UsageError(f"--cell {cell}: {question} has no cells (not a network)")
            what, scale = subject(loaded.spec, today)
            taken = _names(loaded.spec, scale.experts_path)
            revisable = set(taken)
        channel.show(adding_expert(loaded.spec.title, path, taken))
    else:
        if cell is not None:
            raise UsageError(f"--cell {cell}: no network {path} to elicit a cell of")
        if not directory.is_dir():
            raise UsageError(f"{directory} is not a directory", hint="create it or pass --dir")
        channel.show(new_question(path))
        from forecast.elicit.newfile import ask_new, judged

        meta = ask_new(channel, today)
        what, scale = judged(meta)

    def once(so_far: list[Answers]) -> Answers:
        names = taken | {a.name for a in so_far}
        own = place.ask(channel, names) if place is not None else None
        if own is not None:
            return own
        return elicit_expert(channel, names, what, scale, revisable - {a.name for a in so_far})

    done = repeated(channel, "another", "Elicit another expert now? [y]es / [n]o", once)
    # Re-read just before writing: an edit saved during the session is kept.
    if path.exists():
        existing = yamlio.read_text(path, str(path))
    if place is not None and existing is not None:
        priorsfile.write(path, place.render(existing, done, today))
    else:
        priorsfile.write(path, render_file(existing, meta, done, today, scale))
    total = len(taken | {a.name for a in done})
    written = {a.name: dict(a.judgement) for a in done}
    return Outcome(path, existing is None, [a.name for a in done], total, written)


def _names(spec: object, path: tuple[str, ...]) -> set[str]:
    """The names of a loaded specification's experts, at ``path``."""
    node = spec
    for key in path:
        node = getattr(node, key, None)
    return {e.name for e in node} if isinstance(node, list) else set()
