"""The one writer of priors files: round-trip YAML that keeps the user's comments and
layout, a check of the result as ``forecast check`` would make it, and one atomic write.

``forecast elicit`` (appending experts, or starting a file) and ``forecast resolve``
(setting ``status``) both edit priors files through it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap


def roundtrip() -> YAML:
    """ruamel.yaml's round-trip reader and writer, set to keep a file as the user wrote it."""
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap a line the user wrote
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def load(text: str) -> Any:
    """The round-trip document of a priors file's text."""
    return roundtrip().load(text)


def dump(doc: object) -> str:
    """The text of a round-trip document."""
    buf = io.StringIO()
    roundtrip().dump(doc, buf)
    return buf.getvalue()


def flow(data: Mapping[str, object]) -> CommentedMap:
    """A mapping (and the lists and mappings in it) written in flow style, on one line."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    out = CommentedMap()
    for k, v in data.items():
        if isinstance(v, Mapping):
            out[k] = flow(v)
        elif isinstance(v, list):
            seq = CommentedSeq(v)
            seq.fa.set_flow_style()
            out[k] = seq
        else:
            out[k] = v
    out.fa.set_flow_style()
    return out


def fresh_date(d: dt.date) -> dt.date:
    """A fresh date object: the writer would tie equal objects together with an anchor."""
    return dt.date.fromordinal(d.toordinal())


def validate_text(text: str, shown: str) -> None:
    """Check the text as ``forecast check`` would (safe loader, full validation).

    Raises
    ------
    InputError
        With every problem found, located in ``shown``.
    """
    from forecast import yamlio
    from forecast.questions.loader import validate

    data, marks = yamlio.loads(text, shown, go_on=True)
    validate(data, marks, shown)


def write(path: Path, text: str) -> None:
    """Write a priors file's new text once it validates; readers see the old file or
    the new one, never half of one (:func:`forecast.files.atomic_write`)."""
    from forecast import files

    validate_text(text, str(path))
    files.atomic_write(path, text)
