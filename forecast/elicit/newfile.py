"""A new question: what a session asks before the first expert, and the file it starts.

Every kind the loader accepts can be started: an event by a deadline; a scheduled
time-to-event question (past opportunity dates, optionally repeating); a continuous
hazard question (when the clock started); and a drivers question (each driver's id,
description, odds ratio and level). The experts' judgements are then elicited as for
an existing file of that kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from forecast import kinds
from forecast.elicit.answers import (
    Channel,
    Scale,
    ask,
    parse_choice,
    parse_date,
    parse_source,
    parse_tags,
    parse_text,
)

if TYPE_CHECKING:
    from ruamel.yaml.comments import CommentedMap

Meta = dict[str, object]
"""What a new file's questions have been answered so far (open: each kind reads its own)."""


def _kind_prompt() -> str:
    labels = list(kinds.forms().values())
    return f"Kind: {', '.join(labels[:-1])}, or {labels[-1]}"


def ask_new(channel: Channel, today: dt.date) -> Meta:
    """The new question's kind and fields, as they will be written (each kind asks for
    what it needs after the deadline)."""
    forms = kinds.forms()
    kind = ask(channel, "kind", _kind_prompt(), parse_choice({f: f for f in forms}), "event")
    meta: Meta = {
        "kind": kind,
        "title": ask(channel, "title", "Title (the event, by when)", parse_text),
        "resolution": ask(
            channel,
            "resolution",
            "Resolution: what would a stranger check to say yes or no?",
            parse_text,
        ),
        "deadline": ask(
            channel, "deadline", "Deadline (YYYY-MM-DD)", lambda r: parse_date(r, today)
        ),
    }
    kinds.by_form(kind).ask_new(kind, channel, today, meta)
    meta["tags"] = ask(
        channel, "tags", "Tags, separated by commas (Enter for none)", parse_tags, ""
    )
    meta["source"] = ask(
        channel,
        "source",
        "A source the question rests on: a title, then its URL if any (Enter for none)",
        parse_source,
        "",
    )
    return meta


def judged(meta: Meta) -> tuple[str, Scale]:
    """What the first expert judges in the new question, and on which scale."""
    return kinds.by_form(str(meta["kind"])).judged(meta)


def new_document(
    meta: Meta,
    today: dt.date,
    flow: Callable[[Mapping[str, object]], object],
    date: Callable[[dt.date], object],
) -> CommentedMap:
    """The new file's document, with an empty list where the experts go.

    ``flow`` writes a mapping in flow style, ``date`` copies a date for the writer.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    kind = kinds.by_form(str(meta["kind"]))
    doc = CommentedMap()
    doc["format"] = 1
    doc["kind"] = kind.name
    for k in ("title", "resolution", "deadline"):
        doc[k] = meta[k]
    kind.new_head(meta, doc, today, date)
    doc["status"] = "open"
    doc["created"] = date(today)
    if meta.get("tags"):
        tags = CommentedSeq(meta["tags"])
        tags.fa.set_flow_style()
        doc["tags"] = tags
    source = meta.get("source")
    if isinstance(source, dict):
        doc["sources"] = CommentedSeq([flow(source)])
    kind.new_body(meta, doc, flow, date)
    doc.yaml_set_start_comment(
        f"{meta['title']}\nStarted with `forecast elicit` on {today.isoformat()}."
    )
    return doc
