"""Priors files -> validated question specifications, with every problem located.

:func:`load_question` reads one file safely, validates it with pydantic and, when
anything is wrong, raises :class:`~forecast.errors.InputError` carrying *all* the
problems, each as ``path:line:col field: message``. A drivers question's cases file is
read and checked with it (:mod:`forecast.questions.cases`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ValidationError

from forecast import yamlio
from forecast.errors import InputError, Problem
from forecast.questions.base import FORMAT_VERSION, QuestionMeta
from forecast.questions.experts import asks_cooke_weights
from forecast.questions.problems import check_numbers, inside, located_problems, show

if TYPE_CHECKING:
    from forecast.cooke.weights import CookeWeighting
    from forecast.ledger.weights import Weighting


@dataclass(frozen=True)
class LoadedQuestion:
    """A validated question with where it came from."""

    id: str
    path: Path
    spec: QuestionMeta
    text: str
    sha256: str
    marks: yamlio.Marks
    weighting: Weighting | CookeWeighting | None = None
    """Weights earned for its experts, when they replace the weights in the file:
    performance weights (a ``forecast.ledger.weights.Weighting``) or classical-model
    weights from a seeds file (a ``forecast.cooke.weights.CookeWeighting``)."""


def display(path: Path) -> str:
    """A path as a user gave it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except (ValueError, RuntimeError, OSError):  # outside it, or a link loop: as given
        return str(path)


def validate(data: object, marks: yamlio.Marks, shown: str) -> QuestionMeta:
    """Validate parsed YAML as a question of its declared kind.

    Problems the reading noted and went on past (``marks.problems``: an impossible date)
    are reported with the others, in line order; a key with such a value gets no second
    problem from validation.
    """
    root = marks.find(()) or (1, 1)
    unread = list(marks.problems)

    def fail(problems: list[Problem]) -> InputError:
        covered = [p.field for p in unread]
        rest = [p for p in problems if not any(inside(p.field, f) for f in covered)]
        both = sorted([*unread, *rest], key=lambda p: (p.line or 0, p.column or 0))
        return InputError(both)

    if not isinstance(data, dict):
        raise fail(
            [
                Problem(
                    shown,
                    *root,
                    "",
                    f"must be a mapping of keys to values (got {show(data)})",
                    "a priors file starts 'format: 1', 'kind: event', 'title: ...'; "
                    "see docs/format.md and the examples in priors/",
                )
            ]
        )
    problems: list[Problem] = []
    check_numbers(data, (), shown, marks, problems)
    if problems:
        raise fail(problems)
    fmt = data.get("format")
    if fmt != FORMAT_VERSION:
        at = marks.find(("format",)) if "format" in data else root
        msg = (
            "required but missing"
            if "format" not in data
            else f"format {fmt!r} is not supported (this forecast reads format {FORMAT_VERSION})"
            if isinstance(fmt, int) and not isinstance(fmt, bool)
            else f"must be the number {FORMAT_VERSION} (got {show(fmt)})"
        )
        hint = (
            f"add 'format: {FORMAT_VERSION}' at the top"
            if "format" not in data
            else "a newer forecast may read it; upgrade with `uv tool upgrade forecast`"
            if isinstance(fmt, int) and fmt > FORMAT_VERSION
            else None
        )
        line, col = at or (None, None)
        raise fail([Problem(shown, line, col, "format", msg, hint)])
    from forecast import kinds

    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in kinds.REGISTRY:
        at = marks.find(("kind",)) if "kind" in data else root
        msg = (
            "required but missing"
            if "kind" not in data
            else f"unknown kind {kind!r}"
            if isinstance(kind, str)
            else f"must be text (got {show(kind)})"
        )
        line, col = at or (None, None)
        valid = f"valid kinds: {', '.join(kinds.names())}"
        if kind == "seeds":  # a study of seed questions, not a question
            msg = "a seeds file (Cooke's seed questions), not a question"
            valid = f"score its experts with `forecast cooke {shown}`; keep it out of priors/"
        raise fail([Problem(shown, line, col, "kind", msg, valid)])
    model: type[BaseModel] = kinds.get(kind).spec
    try:
        spec = model.model_validate(data)
    except ValidationError as exc:
        raise fail(located_problems(exc, shown, marks, model)) from None
    if unread:  # a value that could not be read passed validation (free text, say)
        raise fail([])
    assert isinstance(spec, QuestionMeta)
    return spec


def load_question(path: Path | str) -> LoadedQuestion:
    """Read and validate one priors file.

    Raises
    ------
    InputError
        With every problem found, each located by file, line, column and field.
    """
    path = Path(path)
    shown = display(path)
    data, marks, text = yamlio.load(path, shown, go_on=True)
    spec = validate(data, marks, shown)
    from forecast import kinds

    spec = kinds.of(spec).with_files(spec, path, shown, marks)
    link = getattr(kinds.of(spec), "check_links", None)  # files the question names
    if link is not None:
        link(spec, path, shown, marks)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    loaded = LoadedQuestion(path.stem, path, spec, text, digest, marks)
    if asks_cooke_weights(spec):
        from forecast.cooke.weights import attach

        return attach(loaded, shown)  # the weights of the seeds file it names
    return loaded


def load_many(paths: list[Path]) -> tuple[list[LoadedQuestion], list[InputError]]:
    """Load every file (directories expanded), collecting errors instead of stopping."""
    ok: list[LoadedQuestion] = []
    bad: list[InputError] = []
    for p in yamlio.iter_yaml_files(paths):
        try:
            ok.append(load_question(p))
        except InputError as exc:
            bad.append(exc)
    return ok, bad


__all__ = ["LoadedQuestion", "load_many", "load_question", "validate"]
