"""Safe YAML reading with line/column marks, and atomic writing.

Reading uses PyYAML's safe loader only: tags such as ``!!python/object`` are refused.
Every value keeps the position of its node, so validation problems can be reported as
``path:line:col field: message``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from forecast.errors import InputError, Problem
from forecast.textfiles import MAX_BYTES, byte_position, iter_yaml_files, read_text
from forecast.yamlsyntax import syntax_problem

MAX_DEPTH = 50
"""Deepest nesting accepted: real question files nest five or six levels."""

MAX_NODES = 100_000
"""Most values a document may hold once aliases are expanded (stops alias bombs)."""

Loc = tuple[str | int, ...]
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _BadValue(yaml.constructor.ConstructorError):
    """A scalar that looks like a value of some type but is not one (a 13th month)."""

    def __init__(self, node: yaml.Node, message: str, hint: str) -> None:
        super().__init__(None, None, message, node.start_mark)
        self.node = node
        self.hint = hint


class InvalidValue:
    """Stands in for a scalar that could not be read (a 30th of February) once its
    problem is noted, so that the rest of the file is still checked."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return repr(self.text)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """The safe loader, with value errors (a 13th month) reported at their node.

    With ``deferred`` set to a list, such an error is appended to it and the value
    becomes an :class:`InvalidValue`; otherwise it is raised at once.
    """

    deferred: list[_BadValue] | None = None

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            bad = _BadValue(
                node,
                f"{node.value!r} is not a valid date ({exc})",
                "write dates as YYYY-MM-DD, for example 2027-12-31",
            )
            if self.deferred is None:
                raise bad from None
            self.deferred.append(bad)
            return InvalidValue(str(node.value))

    def construct_yaml_int(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            # Python refuses to read integers of more than 4,300 digits (a guard against
            # slow conversions); no judgement needs one.
            digits = sum(ch.isdigit() for ch in str(node.value))
            raise _BadValue(
                node,
                f"a whole number of {digits} digits is too long to be read",
                "write it in scientific notation (1.5e12) or check for a pasting accident",
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _no_binary(loader: _Loader, node: yaml.Node) -> Any:
    """``!!binary`` is refused: a priors file holds text, and bytes would pass as text."""
    raise _BadValue(
        node, "tag !!binary is not allowed", "write the value as plain text, without !!binary"
    )


_Loader.add_constructor("tag:yaml.org,2002:binary", _no_binary)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
# YAML 1.1 reads an exponent without a decimal point (1e-3) as text; YAML 1.2, and every
# user, reads it as a number. Resolve it as one, so that text in quotes stays text.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


class Marks:
    """Positions (1-based line and column) of every node in a YAML document."""

    def __init__(self) -> None:
        self._at: dict[Loc, tuple[int, int]] = {}
        self._key_at: dict[Loc, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        """Problems of values that could not be read (when reading went on past them)."""

    def add(self, loc: Loc, node: yaml.Node, key: yaml.Node | None = None) -> None:
        self._at[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if key is not None:
            self._key_at[loc] = (key.start_mark.line + 1, key.start_mark.column + 1)

    def find(self, loc: tuple[object, ...], *, key: bool = False) -> tuple[int, int] | None:
        """The mark of ``loc`` or of its nearest ancestor that exists in the file.

        With ``key=True`` the mark of the key itself (``bogus`` in ``bogus: 3``) is
        preferred to that of its value. Mapping keys that are not whole numbers are
        matched by their text, so ``0.5`` finds the key written ``0.5``.
        """
        at: Loc = tuple(
            p if isinstance(p, int) and not isinstance(p, bool) else str(p) for p in loc
        )
        while True:
            if key and at in self._key_at:
                return self._key_at[at]
            if at in self._at:
                return self._at[at]
            if not at:
                return None
            at = at[:-1]

    def locate(self, line: int, column: int) -> Loc | None:
        """The location of the value that starts at ``line``:``column`` (1-based)."""
        for loc, at in self._at.items():
            if at == (line, column):
                return loc
        return None


def _scalar_key(node: yaml.Node) -> str | int:
    value = node.value if isinstance(node, yaml.ScalarNode) else str(node.value)
    if isinstance(value, str) and value.lstrip("-").isdigit():
        try:
            return int(value)
        except ValueError:
            return value
    return value


class _Walk:
    """Record the marks of a node tree, finding duplicate keys and runaway structure."""

    def __init__(self, marks: Marks, problems: list[Problem], path: str) -> None:
        self.marks = marks
        self.problems = problems
        self.path = path
        self.count = 0
        self.open: set[int] = set()
        self.seen: set[int] = set()
        self.aliased = False

    def _refuse(self, node: yaml.Node, loc: Loc, message: str, hint: str) -> InputError:
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        field = _dotted(loc) if len(loc) <= 6 else _dotted(loc[:6]) + "..."
        return InputError([Problem(self.path, line, col, field, message, hint)])

    def walk(self, node: yaml.Node, loc: Loc) -> None:
        self.count += 1
        if id(node) in self.seen:
            self.aliased = True  # a node met twice is reached through an alias
        self.seen.add(id(node))
        if self.count > MAX_NODES:
            # Name the top-level entry that blows up, not a node deep inside its expansion.
            line, col = self.marks.find(loc[:1]) or (None, None)
            if self.aliased:
                message = (
                    f"the document holds more than {MAX_NODES} values once aliases are expanded"
                )
                hint = "a priors file holds judgements, not data; avoid aliases (*name) of aliases"
            else:
                message = f"the document holds more than {MAX_NODES} values"
                hint = (
                    "a priors file holds judgements, not data; keep coded cases in a CSV "
                    "file (cases: NAME.csv)"
                )
            raise InputError([Problem(self.path, line, col, _dotted(loc[:1]), message, hint)])
        if len(loc) > MAX_DEPTH:
            raise self._refuse(
                node,
                loc,
                f"nested more than {MAX_DEPTH} levels deep",
                "a priors file nests a few levels; check the indentation and brackets",
            )
        if id(node) in self.open:
            raise self._refuse(
                node,
                loc,
                "an alias refers to the mapping or list that contains it",
                "an anchor (&name) cannot be used (*name) inside itself",
            )
        if isinstance(node, yaml.MappingNode):
            self.open.add(id(node))
            self._mapping(node, loc)
            self.open.discard(id(node))
        elif isinstance(node, yaml.SequenceNode):
            self.open.add(id(node))
            for i, item in enumerate(node.value):
                self.marks.add((*loc, i), item)
                self.walk(item, (*loc, i))
            self.open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> None:
        seen: dict[str | int, str] = {}
        for key_node, value_node in node.value:
            key = _scalar_key(key_node)
            if key in seen:
                self.problems.append(
                    Problem(
                        self.path,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        _dotted((*loc, key)),
                        f"duplicate key (first given at {seen[key]})",
                        "each key may appear once in a mapping",
                    )
                )
            else:
                seen[key] = f"{key_node.start_mark.line + 1}:{key_node.start_mark.column + 1}"
            self.marks.add((*loc, key), value_node, key_node)
            self.walk(value_node, (*loc, key))


def _dotted(loc: Loc) -> str:
    """``('experts', 1, 'judgement')`` -> ``experts[1].judgement``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def dotted(loc: Loc) -> str:
    """Public spelling of a location inside a document."""
    return _dotted(loc)


def load(path: Path, display: str | None = None, *, go_on: bool = False) -> tuple[Any, Marks, str]:
    """Parse one YAML document safely.

    With ``go_on`` a value that cannot be read (an impossible date) does not stop the
    reading: its problem goes to ``marks.problems``, the value becomes an
    :class:`InvalidValue`, and validation can report it with every other problem.

    Returns
    -------
    data, marks, text
        The plain Python data, the marks of every node and the file's text.
    """
    shown = display or str(path)
    text = read_text(path, shown)
    data, marks = loads(text, shown, go_on=go_on)
    return data, marks, text


def _bad_value_problem(exc: _BadValue, marks: Marks, shown: str) -> Problem:
    line, col = exc.node.start_mark.line + 1, exc.node.start_mark.column + 1
    where = marks.locate(line, col)
    return Problem(shown, line, col, _dotted(where or ()), str(exc.problem), exc.hint)


def loads(text: str, shown: str, *, go_on: bool = False) -> tuple[Any, Marks]:
    """Parse YAML text (see :func:`load`)."""
    marks = Marks()
    problems: list[Problem] = []
    loader = _Loader(text)
    deferred: list[_BadValue] = []
    if go_on:
        loader.deferred = deferred
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError(
                [
                    Problem(
                        shown,
                        1,
                        1,
                        "",
                        "file is empty",
                        "start from an example in priors/ or run `forecast elicit`",
                    )
                ]
            )
        marks.add((), node)
        _Walk(marks, problems, shown).walk(node, ())
        if problems:
            raise InputError(problems)
        data = loader.construct_document(node)
        marks.problems = [_bad_value_problem(bad, marks, shown) for bad in deferred]
    except _BadValue as exc:
        raise InputError([_bad_value_problem(exc, marks, shown)]) from None
    except yaml.MarkedYAMLError as exc:
        raise InputError([syntax_problem(exc, shown, text)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(shown, None, None, "", f"invalid YAML: {exc}")]) from None
    except RecursionError:
        raise InputError(
            [Problem(shown, None, None, "", f"nested more than {MAX_DEPTH} levels deep")]
        ) from None
    finally:
        loader.dispose()
    return data, marks


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old or the new file, never half
    (see :func:`forecast.files.atomic_write`)."""
    from forecast import files

    files.atomic_write(path, text)


__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "InvalidValue",
    "Marks",
    "atomic_write",
    "byte_position",
    "dotted",
    "iter_yaml_files",
    "load",
    "loads",
    "read_text",
]
