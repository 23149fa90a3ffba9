"""A YAML syntax error as one located problem, with a hint for the usual slips."""

from __future__ import annotations

import re

import yaml

from forecast.errors import Problem

_SYNTAX_HINTS = {
    "mapping values are not allowed": "check the indentation, and quote text that holds ': '",
    "tab character": "tabs are not allowed in YAML; indent with spaces",
    "found character '\\t'": "tabs are not allowed in YAML; indent with spaces",
    "did not find expected key": "check the indentation of this line against the one above",
    "found undefined alias": "define the anchor (&name) before using it (*name)",
    "unexpected end of stream": "close the quote or bracket opened earlier",
    "found unhashable key": "keys must be plain text or numbers",
}


def _at(text: str, mark: yaml.Mark | None) -> str:
    """The character a mark points at in ``text`` ('' when there is none)."""
    return text[mark.index] if mark is not None and 0 <= mark.index < len(text) else ""


def syntax_problem(exc: yaml.MarkedYAMLError, shown: str, text: str = "") -> Problem:
    """One located problem for a YAML syntax error, in words an analyst can act on."""
    mark = exc.problem_mark or exc.context_mark
    problem = (exc.problem or exc.context or "").strip()
    context = (exc.context or "").strip() if exc.problem else ""
    if "cannot start any token" in problem and _at(text, exc.problem_mark) == "\t":
        # libyaml does not name the character; named, the tab gets its hint below
        problem, context = "found a tab character that cannot start any token", ""
    hint: str | None = None
    field = ""
    if "could not determine a constructor" in problem or "unacceptable" in problem:
        tag = problem.split("tag", 1)[-1].strip().strip("'")
        tag = tag.replace("tag:yaml.org,2002:", "!!")
        message = f"tag {tag} is not allowed"
        hint = "priors files are read with a safe loader: plain YAML values only"
    elif (
        ("expected ',' or ']'" in problem or "expected ',' or '}'" in problem)
        and exc.context_mark is not None
    ):
        # libyaml notices an unclosed [ or { only where the next line begins; the fix
        # is where it opened.
        cm = exc.context_mark
        what, close = ("list", "]") if "']'" in problem else ("mapping", "}")
        opener = "[" if close == "]" else "{"
        key = _key_before(text, cm)
        of = f" of {key!r}" if key else ""
        message = (
            f"the {what}{of} opened with '{opener}' at {cm.line + 1}:{cm.column + 1} is not "
            f"closed (found {_at(text, exc.problem_mark)!r} at "
            f"{mark.line + 1 if mark else '?'}:{mark.column + 1 if mark else '?'})"
        )
        hint = (
            f"close it with '{close}' on line {cm.line + 1}, and separate its items with ','"
        )
        line = text.splitlines()[cm.line] if cm.line < len(text.splitlines()) else ""
        field = key if key and line[:1] not in (" ", "-") else ""  # a top-level key is its path
        mark = cm
    elif "another document" in problem:
        message = "a priors file holds one YAML document; found a second one here"
        hint = "remove the '---' line and what follows, or move it to its own file"
    elif "maximum nesting depth" in problem:
        from forecast.yamlio import MAX_DEPTH

        message = f"nested more than {MAX_DEPTH} levels deep"
        hint = "a priors file nests a few levels; check the indentation and brackets"
    elif (
        "could not find expected ':'" in problem
        and exc.context_mark is not None
        and mark is not None
        and mark.line == exc.context_mark.line
        and mark.column - exc.context_mark.column >= 1024
    ):
        message = "a key may be at most 1024 characters long, on one line"
        hint = "a long text belongs in a value: key: 'the text'"
        mark = exc.context_mark
    else:
        message = f"invalid YAML: {problem or 'cannot be parsed'}"
        if "plain scalar" in context:
            pass  # says nothing an analyst can use
        elif context and exc.context_mark is not None and exc.context_mark is not mark:
            cm = exc.context_mark
            message += f" ({context} that starts at {cm.line + 1}:{cm.column + 1})"
        elif context:
            message += f" ({context})"
        hint = next((h for k, h in _SYNTAX_HINTS.items() if k in problem), None)
    return Problem(
        shown,
        mark.line + 1 if mark else None,
        mark.column + 1 if mark else None,
        field,
        message,
        hint,
    )


_KEY = re.compile(r"^\s*(?:-\s+)?([^\s:#'\"\[\]{}][^:#\[\]{}]*?)\s*:\s*$")
"""A line up to a flow collection that is a key's value: ``  tags: `` (or ``- tags: ``)."""


def _key_before(text: str, mark: yaml.Mark) -> str | None:
    """The key a flow collection is the value of (``tags`` in ``tags: [a, b``), when the
    collection opens on that key's line; None otherwise."""
    lines = text.splitlines()
    if not 0 <= mark.line < len(lines):
        return None
    found = _KEY.match(lines[mark.line][: mark.column])
    return found.group(1) if found else None


__all__ = ["syntax_problem"]
