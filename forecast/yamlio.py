"""Safe YAML reading with line/column marks, and atomic writing.

Reading uses PyYAML's safe loader only: tags such as ``!!python/object`` are refused.
Every value keeps the position of its node, so validation problems can be reported as
``path:line:col field: message``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from forecast.errors import InputError, Problem

MAX_BYTES = 2_000_000
"""Largest priors file accepted: real question files are a few kilobytes."""

Loc = tuple[str | int, ...]
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """The safe loader, with value errors (a 13th month) reported at their node."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"invalid date {node.value!r}: {exc}", node.start_mark
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


class Marks:
    """Positions (1-based line and column) of every node in a YAML document."""

    def __init__(self) -> None:
        self._at: dict[Loc, tuple[int, int]] = {}
        self._key_at: dict[Loc, tuple[int, int]] = {}

    def add(self, loc: Loc, node: yaml.Node, key: yaml.Node | None = None) -> None:
        self._at[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if key is not None:
            self._key_at[loc] = (key.start_mark.line + 1, key.start_mark.column + 1)

    def find(self, loc: Loc, *, key: bool = False) -> tuple[int, int] | None:
        """The mark of ``loc`` or of its nearest ancestor that exists in the file."""
        loc = tuple(loc)
        while True:
            if key and loc in self._key_at:
                return self._key_at[loc]
            if loc in self._at:
                return self._at[loc]
            if not loc:
                return None
            loc = loc[:-1]


def _scalar_key(node: yaml.Node) -> str | int:
    value = node.value if isinstance(node, yaml.ScalarNode) else str(node.value)
    if isinstance(value, str) and value.lstrip("-").isdigit():
        try:
            return int(value)
        except ValueError:
            return value
    return value


def _walk(node: yaml.Node, loc: Loc, marks: Marks, problems: list[Problem], path: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str | int, int] = {}
        for key_node, value_node in node.value:
            key = _scalar_key(key_node)
            if key in seen:
                problems.append(
                    Problem(
                        path,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        _dotted((*loc, key)),
                        f"duplicate key (first given on line {seen[key]})",
                        "each key may appear once in a mapping",
                    )
                )
            else:
                seen[key] = key_node.start_mark.line + 1
            marks.add((*loc, key), value_node, key_node)
            _walk(value_node, (*loc, key), marks, problems, path)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            marks.add((*loc, i), item)
            _walk(item, (*loc, i), marks, problems, path)


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


def read_text(path: Path, display: str | None = None) -> str:
    """Read a file as UTF-8 text, refusing what cannot be a priors file."""
    shown = display or str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError([Problem(shown, None, None, "", "no such file")]) from None
    except OSError as exc:
        raise InputError([Problem(shown, None, None, "", f"cannot read: {exc.strerror}")]) from None
    if path.is_dir():
        raise InputError([Problem(shown, None, None, "", "is a directory, not a priors file")])
    if size > MAX_BYTES:
        raise InputError(
            [
                Problem(
                    shown,
                    None,
                    None,
                    "",
                    f"file is {size / 1e6:.1f} MB; a priors file may be at most "
                    f"{MAX_BYTES / 1e6:.0f} MB",
                    "a question file holds judgements, not data; keep case data in a CSV",
                )
            ]
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(shown, None, None, "", f"cannot read: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            [
                Problem(
                    shown,
                    line,
                    None,
                    "",
                    f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                    "priors files are UTF-8 YAML",
                )
            ]
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError([Problem(shown, line, None, "", "contains NUL bytes: not a text file")])
    return text.removeprefix("\ufeff")


def load(path: Path, display: str | None = None) -> tuple[Any, Marks, str]:
    """Parse one YAML document safely.

    Returns
    -------
    data, marks, text
        The plain Python data, the marks of every node and the file's text.
    """
    shown = display or str(path)
    text = read_text(path, shown)
    data, marks = loads(text, shown)
    return data, marks, text


def loads(text: str, shown: str) -> tuple[Any, Marks]:
    """Parse YAML text (see :func:`load`)."""
    marks = Marks()
    problems: list[Problem] = []
    loader = _Loader(text)
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
        _walk(node, (), marks, problems, shown)
        if problems:
            raise InputError(problems)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context or "invalid YAML"
        hint = None
        if "could not determine a constructor" in message or "unacceptable" in message:
            tag = message.split("tag", 1)[-1].strip().strip("'")
            tag = tag.replace("tag:yaml.org,2002:", "!!")
            message = f"tag {tag} is not allowed"
            hint = "priors files are read with a safe loader: plain YAML values only"
        else:
            message = f"invalid YAML: {message}"
        raise InputError(
            [
                Problem(
                    shown,
                    mark.line + 1 if mark else None,
                    mark.column + 1 if mark else None,
                    "",
                    message,
                    hint,
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(shown, None, None, "", f"invalid YAML: {exc}")]) from None
    except RecursionError:
        raise InputError(
            [Problem(shown, None, None, "", "nesting is too deep to be a priors file")]
        ) from None
    finally:
        loader.dispose()
    return data, marks


def iter_yaml_files(paths: list[Path]) -> Iterator[Path]:
    """Expand directories into the ``*.yaml``/``*.yml`` files they hold, sorted."""
    for p in paths:
        if p.is_dir():
            yield from sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
        else:
            yield p


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old or the new file, never half."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
