"""Priors files -> validated question specifications, with every problem located.

:func:`load_question` reads one file safely, validates it with pydantic and, when
anything is wrong, raises :class:`~forecast.errors.InputError` carrying *all* the
problems, each as ``path:line:col field: message``.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from forecast import yamlio
from forecast.errors import InputError, Problem
from forecast.spec.base import FORMAT_VERSION, QuestionMeta
from forecast.spec.event import EventQuestion

KINDS: dict[str, type[QuestionMeta]] = {"event": EventQuestion}
"""Model kinds a priors file may declare, and the specification class of each."""


@dataclass(frozen=True)
class LoadedQuestion:
    """A validated question with where it came from."""

    id: str
    path: Path
    spec: QuestionMeta
    text: str
    sha256: str
    marks: yamlio.Marks


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _message(err: Any) -> tuple[str, str | None]:
    """A plain message (with the value seen) and a hint for one pydantic error."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
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
        return f"must be {sign} {bound} (got {value!r})", None
    if kind == "finite_number":
        return f"must be a finite number (got {value!r})", None
    if kind in {"float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"}:
        want = "a whole number" if kind.startswith("int") else "a number"
        return f"must be {want} (got {value!r})", None
    if kind == "literal_error":
        return f"must be {ctx.get('expected')} (got {value!r})", None
    if kind in {"date_from_datetime_parsing", "date_parsing", "date_type"}:
        return f"must be a date such as 2027-12-31 (got {value!r})", None
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return f"must be a mapping of keys to values (got {type(value).__name__})", None
    if kind in {"list_type", "tuple_type"}:
        return f"must be a list (got {type(value).__name__})", None
    if kind in {"too_short", "too_long"} and isinstance(value, (list, tuple, dict)):
        return err["msg"].replace("Tuple", "list").replace("List", "list"), None
    if kind == "string_too_short":
        return "must not be empty", None
    if kind == "string_type":
        return f"must be text (got {value!r})", None
    if kind == "bool_type" or kind == "bool_parsing":
        return f"must be true or false (got {value!r})", None
    if kind == "string_pattern_mismatch":
        return (
            f"{value!r} is not a valid identifier",
            "use lower-case letters, digits, '-' and '_', starting with a letter or digit",
        )
    if kind == "union_tag_invalid":
        return err["msg"], None
    return err["msg"], None


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``loc`` (None when not a model)."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            if not isinstance(part, str) or part not in current.model_fields:
                return None
            current = current.model_fields[part].annotation
        else:
            current = _inner(current)
        current = _inner(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner(tp: Any) -> Any:
    """Unwrap Optional, unions, lists and dicts down to a model class where there is one."""
    for arg in (*typing.get_args(tp), tp):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    for arg in typing.get_args(tp):
        found = _inner(arg)
        if isinstance(found, type) and issubclass(found, BaseModel):
            return found
    return tp


def _unknown_key(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[str, str | None]:
    parent = _model_at(model, loc[:-1])
    if parent is None:
        return "unknown key", None
    valid = list(parent.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), valid, n=1)
    msg = f"unknown key {loc[-1]!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
    return msg, f"valid keys here: {', '.join(valid)}"


def _problems(
    exc: ValidationError, shown: str, marks: yamlio.Marks, model: type[BaseModel]
) -> list[Problem]:
    out: list[Problem] = []
    seen: set[tuple[Any, ...]] = set()
    for err in exc.errors():
        loc = _clean_loc(err["loc"])
        if _shadowed(err, loc, exc):
            continue
        at = marks.find(loc, key=err["type"] == "extra_forbidden")
        if err["type"] == "extra_forbidden":
            message, hint = _unknown_key(model, loc)
        else:
            message, hint = _message(err)
        key = (loc, message)
        if key in seen:
            continue
        seen.add(key)
        line, col = at if at else (None, None)
        out.append(Problem(shown, line, col, yamlio.dotted(loc), message, hint))
    return sorted(out, key=lambda p: (p.line or 0, p.column or 0))


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the branch labels pydantic adds inside unions ('constrained-float', ...)."""
    return tuple(
        p
        for p in loc
        if not (
            isinstance(p, str)
            and (
                "[" in p
                or p.startswith("constrained-")
                or p in {"float", "int", "str", "MedianInterval"}
            )
        )
    )


def _shadowed(err: Any, loc: tuple[Any, ...], exc: ValidationError) -> bool:
    """True for a union's 'not a number' when the mapping branch reported something deeper."""
    if err["type"] not in {"float_type", "float_parsing"} or not isinstance(
        err.get("input"), dict | list
    ):
        return False
    return any(
        len(other) > len(loc) and other[: len(loc)] == loc
        for other in (_clean_loc(e["loc"]) for e in exc.errors())
    )


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


def validate(data: Any, marks: yamlio.Marks, shown: str) -> QuestionMeta:
    """Validate parsed YAML as a question of its declared kind."""
    if not isinstance(data, dict):
        raise InputError(
            [
                Problem(
                    shown,
                    1,
                    1,
                    "",
                    f"must be a mapping of keys to values, not {type(data).__name__}",
                    "see docs/format.md for the layout",
                )
            ]
        )
    problems: list[Problem] = []
    _check_numbers(data, (), shown, marks, problems)
    if problems:
        raise InputError(problems)
    fmt = data.get("format")
    if fmt != FORMAT_VERSION:
        at = marks.find(("format",)) if "format" in data else (1, 1)
        msg = (
            "required but missing"
            if "format" not in data
            else f"format {fmt!r} is not supported (this forecast reads format {FORMAT_VERSION})"
        )
        hint = (
            f"add 'format: {FORMAT_VERSION}' at the top"
            if "format" not in data
            else "a newer forecast may read it; upgrade with `uv tool upgrade forecast`"
            if isinstance(fmt, int) and fmt > FORMAT_VERSION
            else None
        )
        line, col = at or (None, None)
        raise InputError([Problem(shown, line, col, "format", msg, hint)])
    kind = data.get("kind")
    if kind not in KINDS:
        at = marks.find(("kind",)) if "kind" in data else (1, 1)
        msg = "required but missing" if "kind" not in data else f"unknown kind {kind!r}"
        line, col = at or (None, None)
        raise InputError(
            [Problem(shown, line, col, "kind", msg, f"valid kinds: {', '.join(KINDS)}")]
        )
    model: type[BaseModel] = KINDS[kind]
    try:
        spec = model.model_validate(data)
    except ValidationError as exc:
        raise InputError(_problems(exc, shown, marks, model)) from None
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
    data, marks, text = yamlio.load(path, shown)
    spec = validate(data, marks, shown)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return LoadedQuestion(path.stem, path, spec, text, digest, marks)


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


__all__ = ["KINDS", "EventQuestion", "LoadedQuestion", "load_many", "load_question", "validate"]
