"""Priors files -> validated question specifications, with every problem located.

:func:`load_question` reads one file safely, validates it with pydantic and, when
anything is wrong, raises :class:`~forecast.errors.InputError` carrying *all* the
problems, each as ``path:line:col field: message``. A drivers question's cases file is
read and checked with it (:mod:`forecast.questions.cases`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import math
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from forecast import yamlio
from forecast.errors import InputError, Problem
from forecast.questions.base import FORMAT_VERSION, QuestionMeta
from forecast.questions.cases import Origin, locate, read_cases
from forecast.questions.drivers import DriversQuestion
from forecast.questions.event import EventQuestion, asks_cooke_weights


@dataclass(frozen=True)
class LoadedQuestion:
    """A validated question with where it came from."""

    id: str
    path: Path
    spec: QuestionMeta
    text: str
    sha256: str
    marks: yamlio.Marks
    weighting: Any = None
    """Weights earned for its experts, when they replace the weights in the file:
    performance weights (a ``forecast.ledger.weights.Weighting``) or classical-model
    weights from a seeds file (a ``forecast.cooke.weights.CookeWeighting``)."""


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _show(value: Any) -> str:
    """A value as the user wrote it in YAML, briefly."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dt.date):
        return value.isoformat()
    return type(value).__name__


_EXPECTED = {
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "dict_type": "a mapping of keys to values",
    "list_type": "a list",
    "tuple_type": "a list",
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}
"""Pydantic's type errors, as what the key expects."""

_YES_NO_HINT = "YAML reads unquoted yes, no, on and off as true or false; quote them: 'yes'"


def _message(err: Any) -> tuple[str, str | None]:
    """A plain message (with the value seen) and a hint for one pydantic error."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    got = _show(value)
    if kind == "missing":
        return "required but missing", None
    if kind == "extra_forbidden":
        return "unknown key", None
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        sign = {
            "greater_than_equal": ">=",
            "greater_than": ">",
            "less_than_equal": "<=",
            "less_than": "<",
        }[kind]
        bound = next(iter(ctx.values()))
        return f"must be {sign} {bound} (got {got})", None
    if kind == "finite_number":
        return f"must be a finite number (got {got})", None
    if kind == "bool_not_number":
        return err["msg"], "YAML reads unquoted yes, no, on and off as true or false"
    if kind in _EXPECTED:
        hint = _YES_NO_HINT if isinstance(value, bool) else None
        return f"must be {_EXPECTED[kind]} (got {got})", hint
    if kind == "literal_error":
        hint = _YES_NO_HINT if isinstance(value, bool) else None
        return f"must be {ctx.get('expected')} (got {got})", hint
    if kind in {
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
        "date_parsing",
        "date_type",
    }:
        return f"must be a date such as 2027-12-31 (got {got})", None
    if kind == "too_short" and isinstance(value, (list, tuple, dict)):
        n = ctx.get("min_length")
        items = "item" if n == 1 else "items"
        return f"must have at least {n} {items} (got {ctx.get('actual_length')})", None
    if kind == "too_long" and isinstance(value, (list, tuple, dict)):
        n = ctx.get("max_length")
        items = "item" if n == 1 else "items"
        return f"must have at most {n} {items} (got {ctx.get('actual_length')})", None
    if kind == "string_too_short":
        return "must not be empty", None
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters long", None
    if kind == "string_pattern_mismatch":
        return (
            f"{got} is not a valid identifier",
            "use lower-case letters, digits, '-' and '_', starting with a letter or digit",
        )
    return err["msg"], None


_PERCENT = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?|[-+]?\.\d+)\s*%\s*$")


def _as_fraction(percent: float) -> str:
    """``15`` -> ``'0.15'``: a percentage written as the number it stands for."""
    return f"{percent / 100:.10g}"


def _number_hint(err: Any) -> str | None:
    """What was probably meant by a number refused as a probability: ``15%`` for 0.15,
    ``1.5`` (above 1, up to 100) for 1.5%."""
    value = err.get("input")
    if isinstance(value, str) and (m := _PERCENT.match(value)):
        meant = _as_fraction(float(m.group(1)))
        return f"write {meant}: this is a number from 0 to 1, not a percentage"
    ctx = err.get("ctx") or {}
    bound = next(iter(ctx.values()), None) if ctx else None
    if (
        err["type"] in {"less_than_equal", "less_than"}
        and bound == 1
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and 1 < value <= 100
    ):
        return f"this is a number from 0 to 1: for {value:g}% write {_as_fraction(float(value))}"
    return None


def _step(tp: Any, part: Any) -> Any:
    """The annotation one step (a key or an index) inside ``tp``; None when there is none."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _step(typing.get_args(tp)[0], part)
    if origin is typing.Union or origin is types.UnionType:
        for arm in typing.get_args(tp):
            found = _step(arm, part)
            if found is not None:
                return found
        return None
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(part) if isinstance(part, str) else None
        return field.annotation if field is not None else None
    if origin in (list, tuple) and isinstance(part, int):
        args = [a for a in typing.get_args(tp) if a is not Ellipsis]
        return args[min(part, len(args) - 1)] if args else None
    if origin is dict:
        return typing.get_args(tp)[1]
    return None


def _as_model(tp: Any) -> type[BaseModel] | None:
    """The model class an annotation validates mappings with (through Optional, unions)."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    if typing.get_origin(tp) in (typing.Annotated, typing.Union, types.UnionType):
        for arm in typing.get_args(tp):
            found = _as_model(arm)
            if found is not None:
                return found
    return None


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``loc`` (None when not a model)."""
    current: Any = model
    for part in loc:
        current = _step(current, part)
        if current is None:
            return None
    return _as_model(current)


def _unknown_key(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[str, str | None]:
    parent = _model_at(model, loc[:-1])
    if parent is None:
        return f"unknown key {loc[-1]!r}", None
    valid = list(parent.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), valid, n=1)
    msg = f"unknown key {loc[-1]!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
    return msg, f"valid keys here: {', '.join(valid)}"


def _problems(
    exc: ValidationError, shown: str, marks: yamlio.Marks, model: type[BaseModel]
) -> list[Problem]:
    out: list[Problem] = []
    seen: set[tuple[Any, ...]] = set()
    for err, loc, on_key in _union_resolved(exc.errors()):
        key_mark = on_key or err["type"] == "extra_forbidden"
        at = marks.find(loc, key=key_mark)
        if err["type"] == "extra_forbidden":
            message, hint = _unknown_key(model, loc)
        else:
            message, hint = _message(err)
            hint = hint or _number_hint(err)
            if on_key:
                message = f"key {message}"
        key = (loc, message)
        if key in seen:
            continue
        seen.add(key)
        line, col = at if at else (None, None)
        out.append(Problem(shown, line, col, yamlio.dotted(loc), message, hint))
    return sorted(out, key=lambda p: (p.line or 0, p.column or 0))


def _is_label(part: Any) -> bool:
    """True for the branch labels pydantic adds inside unions ('constrained-float', ...)."""
    return isinstance(part, str) and (
        "[" in part
        or part.startswith("constrained-")
        or part in {"float", "int", "str", "bool", "MedianInterval"}
    )


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the branch labels pydantic adds inside unions ('constrained-float', ...)."""
    return tuple(p for p in loc if not _is_label(p))


def _branch(loc: tuple[Any, ...]) -> tuple[tuple[Any, ...], str] | None:
    """(where the union is, which arm) for an error inside a union, else None."""
    for i, part in enumerate(loc):
        if _is_label(part) and part != "[key]":
            return _clean_loc(loc[:i]), part
    return None


def _union_resolved(errors: list[Any]) -> list[tuple[Any, tuple[Any, ...], bool]]:
    """Each error with its clean location and whether it is about a mapping key.

    Where a value may take several forms (a number or a mapping), an arm that failed
    only because the value is of another type is dropped when another arm got further;
    when every arm failed on the type, the arms are merged into one "must be a or b".
    """
    branches = [_branch(e["loc"]) for e in errors]
    out: list[tuple[Any, tuple[Any, ...], bool]] = []
    merged: dict[tuple[Any, ...], Any] = {}
    for err, branch in zip(errors, branches, strict=True):
        on_key = "[key]" in err["loc"]
        if err["type"] == "extra_forbidden":
            # The last part is the user's own key, whatever it looks like ('a[0]').
            out.append((err, (*_clean_loc(err["loc"][:-1]), err["loc"][-1]), on_key))
            continue
        if branch is None or err["type"] not in _EXPECTED:
            out.append((err, _clean_loc(err["loc"]), on_key))
            continue
        where, arm = branch
        further = any(
            b is not None and b[0] == where and b[1] != arm and e["type"] not in _EXPECTED
            for e, b in zip(errors, branches, strict=True)
        )
        if further:
            continue
        if where in merged:
            wanted = merged[where]["ctx"]["wanted"]
            if _EXPECTED[err["type"]] not in wanted:
                wanted.append(_EXPECTED[err["type"]])
            continue
        merged[where] = {
            "type": "union_type",
            "loc": where,
            "input": err.get("input"),
            "ctx": {"wanted": [_EXPECTED[err["type"]]]},
        }
        out.append((merged[where], where, False))
    for item in merged.values():
        item["msg"] = f"must be {' or '.join(item['ctx']['wanted'])} (got {_show(item['input'])})"
    return out


def _check_numbers(
    data: Any, loc: tuple[Any, ...], shown: str, marks: yamlio.Marks, problems: list[Problem]
) -> None:
    """Flag NaN and infinity anywhere, whatever the field (YAML spells them .nan, .inf)."""
    if isinstance(data, float) and not math.isfinite(data):
        at = marks.find(loc)
        line, col = at if at else (None, None)
        problems.append(
            Problem(shown, line, col, yamlio.dotted(loc), f"must be a finite number (got {data})")
        )
    elif isinstance(data, dict):
        for k, v in data.items():
            _check_numbers(v, (*loc, k), shown, marks, problems)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            _check_numbers(v, (*loc, i), shown, marks, problems)


def _inside(field: str, outer: str) -> bool:
    """Whether the dotted ``field`` is ``outer`` or lies inside it."""
    return field == outer or field.startswith((outer + ".", outer + "["))


def validate(data: Any, marks: yamlio.Marks, shown: str) -> QuestionMeta:
    """Validate parsed YAML as a question of its declared kind.

    Problems the reading noted and went on past (``marks.problems``: an impossible date)
    are reported with the others, in line order; a key with such a value gets no second
    problem from validation.
    """
    root = marks.find(()) or (1, 1)
    unread = list(marks.problems)

    def fail(problems: list[Problem]) -> InputError:
        covered = [p.field for p in unread]
        rest = [p for p in problems if not any(_inside(p.field, f) for f in covered)]
        both = sorted([*unread, *rest], key=lambda p: (p.line or 0, p.column or 0))
        return InputError(both)

    if not isinstance(data, dict):
        raise fail(
            [
                Problem(
                    shown,
                    *root,
                    "",
                    f"must be a mapping of keys to values (got {_show(data)})",
                    "a priors file starts 'format: 1', 'kind: event', 'title: ...'; "
                    "see docs/format.md and the examples in priors/",
                )
            ]
        )
    problems: list[Problem] = []
    _check_numbers(data, (), shown, marks, problems)
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
            else f"must be the number {FORMAT_VERSION} (got {_show(fmt)})"
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
            else f"must be text (got {_show(kind)})"
        )
        line, col = at or (None, None)
        valid = f"valid kinds: {', '.join(kinds.names())}"
        raise fail([Problem(shown, line, col, "kind", msg, valid)])
    model: type[BaseModel] = kinds.get(kind).spec
    try:
        spec = model.model_validate(data)
    except ValidationError as exc:
        raise fail(_problems(exc, shown, marks, model)) from None
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
    shown = _display(path)
    data, marks, text = yamlio.load(path, shown, go_on=True)
    spec = validate(data, marks, shown)
    if isinstance(spec, DriversQuestion) and isinstance(spec.cases, str):
        spec = _with_cases_file(spec, path, shown, marks)
    from forecast import kinds

    link = getattr(kinds.of(spec), "check_links", None)  # files the question names
    if link is not None:
        link(spec, path, shown, marks)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    loaded = LoadedQuestion(path.stem, path, spec, text, digest, marks)
    if asks_cooke_weights(spec):
        from forecast.cooke.weights import attach

        return attach(loaded, shown)  # the weights of the seeds file it names
    return loaded


def _with_cases_file(
    spec: DriversQuestion, path: Path, shown: str, marks: yamlio.Marks
) -> DriversQuestion:
    """The question with the cases of the file it names, found next to the priors file."""
    assert isinstance(spec.cases, str)
    line, col = marks.find(("cases",)) or (None, None)
    origin = Origin(shown, line, col)
    file = locate(path, spec.cases, origin)
    ids = [d.id for d in spec.drivers]
    return spec.with_file_cases(read_cases(file, ids, _display(file), origin))


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


__all__ = ["EventQuestion", "LoadedQuestion", "load_many", "load_question", "validate"]
