"""Text from files and users, made safe to print: one place every renderer goes through.

A title, a name or a description comes from a priors file, a cases file, the ledger or
the prompt, and may hold anything. Printed raw it could clear the screen, set the
window title or plant a hyperlink (terminal escape sequences), restyle the report
(rich markup such as ``[link=...]``), or, in a markdown report, run as HTML.

* :class:`SafeConsole` is the console of every command: it reads no markup or emoji
  codes in what it prints, and drops control characters from every piece of text it
  writes (rich's own styles and cursor moves are made after, so they are untouched).
* :func:`printable` drops control characters from a string (for output that does not
  go through a console).
* :func:`md` escapes a string for markdown: HTML, the characters that make links,
  images and emphasis, and the table separator.
* :func:`code` is a markdown code span no backtick in the text can close.
* :func:`table` is a markdown table whose every cell (headings too) went through :func:`md`.
* :func:`block` is a fenced text block (a range graph) no line in it can close.

Reports make no links of their own, so escaping ``[``, ``]`` and ``<`` leaves no way for
a user's ``[text](javascript:...)`` or ``<javascript:...>`` to become one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.segment import Segment

if TYPE_CHECKING:
    from rich.console import ConsoleOptions, RenderableType

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 controls but newline and tab, DEL, and C1 controls (U+0080-U+009F, where 0x9B is
a one-character escape sequence introducer on some terminals)."""

_MARKDOWN = re.compile(r"([\\`*_\[\]<>&|!~#{}])")
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def printable(text: str) -> str:
    """``text`` without control characters (newlines and tabs are kept)."""
    return _CONTROL.sub("", text)


def md(text: object) -> str:
    """``text`` safe anywhere in markdown, a table cell included, as the same words.

    HTML's ``<``, ``>`` and ``&`` become entities (so no tag or entity of the user's
    is live); the characters that open links, images, code and emphasis are escaped with
    a backslash; newlines become spaces (a cell is one line); control characters go.
    """

    def one(m: re.Match[str]) -> str:
        ch = m.group(1)
        return _ENTITIES.get(ch) or "\\" + ch

    return _MARKDOWN.sub(one, printable(str(text)).replace("\r", " ").replace("\n", " "))


def code(text: object) -> str:
    """``text`` as a markdown code span whose fence no backtick in it can close."""
    body = printable(str(text)).replace("\n", " ")
    longest = max((len(r) for r in re.findall("`+", body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def table(
    head: Iterable[object], rows: Iterable[Iterable[object]], numeric: Iterable[int] = ()
) -> list[str]:
    """The lines of a markdown table; every heading and cell is escaped with :func:`md`.

    Columns whose index is in ``numeric`` are right-aligned.
    """
    cols = [md(h) for h in head]
    right = set(numeric)
    rule = "|".join("---:" if i in right else "---" for i in range(len(cols)))
    lines = ["| " + " | ".join(cols) + " |", f"|{rule}|"]
    lines += ["| " + " | ".join(md(c) for c in row) + " |" for row in rows]
    return lines


def block(lines: Iterable[object]) -> list[str]:
    """``lines`` as a fenced markdown text block, shown as written and never live.

    Control characters go; the fence is longer than any run of backticks in the text,
    so no line of it can end the block early.
    """
    body = [printable(str(line)).replace("\r", " ").replace("\n", " ") for line in lines]
    longest = max((len(r) for line in body for r in re.findall("`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, *body, fence]


class SafeConsole(Console):
    """A console that prints user text as text: no markup, no emoji codes, no controls."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("markup", False)
        kwargs.setdefault("emoji", False)
        super().__init__(*args, **kwargs)

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        """Rich's segments, control characters dropped from their text.

        Control characters take no cell, so dropping them after layout moves nothing;
        segments that are rich's own cursor and screen controls are passed through.
        """
        for seg in super().render(renderable, options):
            if seg.control is None and _CONTROL.search(seg.text):
                yield Segment(printable(seg.text), seg.style)
            else:
                yield seg


__all__ = ["SafeConsole", "block", "code", "md", "printable", "table"]
