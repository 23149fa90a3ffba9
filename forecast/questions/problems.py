"""Pydantic's validation errors as the problems a user reads: located, in plain words.

Each error becomes one :class:`~forecast.errors.Problem` at the key to change, with a
hint where one helps (a percentage written as a fraction, an unquoted ``yes``, a key
that is close to a known one). A union of question parts reports the branch the file
meant, not every branch.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import types
import typing

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from forecast import yamlio
from forecast.errors import Problem


def show(value: object) -> str:
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


def _message(err: ErrorDetails) -> tuple[str, str | None]:
    """A plain message (with the value seen) and a hint for one pydantic error."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    got = show(value)
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


def _number_hint(err: ErrorDetails) -> str | None:
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
        loc = err.get("loc") or ()
        if loc and loc[-1] == "mass" and value < 10:
            # A mass of 1.5 is not 1.5% (an interval 1.5% sure): more likely 0.9 or 0.95.
            return (
                "mass is how sure the expert is that the value lies in the interval, "
                "a number below 1: 0.9 for 90% sure"
            )
        return f"this is a number from 0 to 1: for {value:g}% write {_as_fraction(float(value))}"
    return None


def _field_hint(err: ErrorDetails, loc: yamlio.Loc) -> str | None:
    """A hint for a refused value of a field whose rule the message alone does not
    explain (a base rate's weight of 0, an empty title)."""
    kind, value = err["type"], err.get("input")
    if loc[-2:] == ("base_rate", "weight") and kind in {"greater_than", "greater_than_equal"}:
        return (
            "the weight says how much the reference class counts, in (0, 1]: 1 counts its "
            "cases in full, 0.5 as half as many; to leave the base rate out, remove base_rate"
        )
    if value is None and kind in {"string_type", "string_too_short"}:
        what = "the question's title" if loc[-1:] == ("title",) else "the text"
        return f"write {what} after '{loc[-1]}:', on the same line (an empty value reads as null)"
    if kind == "string_too_short" and loc[-1:] == ("title",):
        return "write the question's title after 'title:', such as: title: Türkiye joins by 2028"
    return None


def _step(tp: object, part: int | str) -> object:
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


def _as_model(tp: object) -> type[BaseModel] | None:
    """The model class an annotation validates mappings with (through Optional, unions)."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    if typing.get_origin(tp) in (typing.Annotated, typing.Union, types.UnionType):
        for arm in typing.get_args(tp):
            found = _as_model(arm)
            if found is not None:
                return found
    return None


def _model_at(model: type[BaseModel], loc: yamlio.Loc) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``loc`` (None when not a model)."""
    current: object = model
    for part in loc:
        current = _step(current, part)
        if current is None:
            return None
    return _as_model(current)


def _owner(loc: yamlio.Loc) -> str:
    """What the mapping at ``loc`` is, in words: ``experts[0]`` is "the expert"."""
    if len(loc) >= 2 and isinstance(loc[-1], int) and isinstance(loc[-2], str):
        name = loc[-2]
        return f"the {name[:-1] if name.endswith('s') else name} ({yamlio.dotted(loc)})"
    return yamlio.dotted(loc) or "the top level of the file"


def _unknown_key(model: type[BaseModel], loc: yamlio.Loc) -> tuple[str, str | None]:
    parent = _model_at(model, loc[:-1])
    if parent is None:
        return f"unknown key {loc[-1]!r}", None
    key = loc[-1]
    outer = _model_at(model, loc[:-2]) if len(loc) >= 2 else None
    if (
        isinstance(key, str)
        and key not in parent.model_fields
        and outer is not None
        and key in outer.model_fields
    ):
        # A key written one level too deep (an expert's weight inside the judgement).
        where = _owner(loc[:-2])
        return (
            f"unknown key {key!r} here: {key!r} belongs to {where}, one level up",
            f"move '{key}:' out of '{loc[-2]}', beside the other keys of {where}",
        )
    valid = list(parent.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), valid, n=1)
    msg = f"unknown key {loc[-1]!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
    return msg, f"valid keys here: {', '.join(valid)}"


def located_problems(
    exc: ValidationError, shown: str, marks: yamlio.Marks, model: type[BaseModel]
) -> list[Problem]:
    out: list[Problem] = []
    seen: set[tuple[yamlio.Loc, str]] = set()
    for err, loc, on_key in _union_resolved(exc.errors()):
        key_mark = on_key or err["type"] == "extra_forbidden"
        at = marks.find(loc, key=key_mark)
        if err["type"] == "extra_forbidden":
            message, hint = _unknown_key(model, loc)
        else:
            message, hint = _message(err)
            hint = hint or _number_hint(err) or (_field_hint(err, loc) if loc else None)
            if on_key:
                message = f"key {message}"
        key = (loc, message)
        if key in seen:
            continue
        seen.add(key)
        line, col = at if at else (None, None)
        out.append(Problem(shown, line, col, yamlio.dotted(loc), message, hint))
    return sorted(out, key=lambda p: (p.line or 0, p.column or 0))


def _is_label(part: int | str) -> bool:
    """True for the branch labels pydantic adds inside unions ('constrained-float', ...)."""
    return isinstance(part, str) and (
        "[" in part
        or part.startswith("constrained-")
        or part in {"float", "int", "str", "bool", "MedianInterval"}
    )


def _clean_loc(loc: yamlio.Loc) -> yamlio.Loc:
    """Drop the branch labels pydantic adds inside unions ('constrained-float', ...)."""
    return tuple(p for p in loc if not _is_label(p))


def _branch(loc: yamlio.Loc) -> tuple[yamlio.Loc, str] | None:
    """(where the union is, which arm) for an error inside a union, else None."""
    for i, part in enumerate(loc):
        if isinstance(part, str) and _is_label(part) and part != "[key]":
            return _clean_loc(loc[:i]), part
    return None


def _union_resolved(errors: list[ErrorDetails]) -> list[tuple[ErrorDetails, yamlio.Loc, bool]]:
    """Each error with its clean location and whether it is about a mapping key.

    yamlio.Loc a value may take several forms (a number or a mapping), an arm that failed
    only because the value is of another type is dropped when another arm got further;
    when every arm failed on the type, the arms are merged into one "must be a or b".
    """
    branches = [_branch(e["loc"]) for e in errors]
    out: list[tuple[ErrorDetails, yamlio.Loc, bool]] = []
    merged: dict[yamlio.Loc, ErrorDetails] = {}
    wanted: dict[yamlio.Loc, list[str]] = {}
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
            if _EXPECTED[err["type"]] not in wanted[where]:
                wanted[where].append(_EXPECTED[err["type"]])
            continue
        wanted[where] = [_EXPECTED[err["type"]]]
        merged[where] = {"type": "union_type", "loc": where, "msg": "", "input": err.get("input")}
        out.append((merged[where], where, False))
    for where, item in merged.items():
        item["ctx"] = {"wanted": wanted[where]}
        item["msg"] = f"must be {' or '.join(wanted[where])} (got {show(item['input'])})"
    return out


def check_numbers(
    data: object, loc: yamlio.Loc, shown: str, marks: yamlio.Marks, problems: list[Problem]
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
            check_numbers(v, (*loc, k), shown, marks, problems)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            check_numbers(v, (*loc, i), shown, marks, problems)


def inside(field: str, outer: str) -> bool:
    """Whether the dotted ``field`` is ``outer`` or lies inside it."""
    return field == outer or field.startswith((outer + ".", outer + "["))


__all__ = ["check_numbers", "inside", "located_problems", "show"]
