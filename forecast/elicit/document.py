"""The priors file a session writes: the existing one with the experts appended (or
their judgements revised), or a new question."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from forecast import priorsfile
from forecast.elicit.answers import PROBABILITY, Answers, Scale

if TYPE_CHECKING:
    from ruamel.yaml.comments import CommentedMap


def _expert_node(a: Answers, today: dt.date, key: str = "judgement") -> CommentedMap:
    from ruamel.yaml.comments import CommentedMap

    node = CommentedMap()
    node["name"] = a.name
    node.update(a.entry)
    node[key] = priorsfile.flow(a.judgement)
    node["date"] = priorsfile.fresh_date(today)
    return node


def _revise(entry: CommentedMap, a: Answers, today: dt.date, key: str) -> None:
    """Replace an expert's judgement (and what goes with it), keeping the rest of the
    entry (weight, affiliation, comments)."""
    for k in ("family",):
        if k in entry and k not in a.entry:
            del entry[k]
    entry.update(a.entry)
    entry[key] = priorsfile.flow(a.judgement)
    entry["date"] = priorsfile.fresh_date(today)


def _parent(doc: CommentedMap, path: tuple[str, ...]) -> CommentedMap:
    """The mapping that holds the experts' list, which is made when missing."""
    from ruamel.yaml.comments import CommentedSeq

    node = doc
    for k in path[:-1]:
        node = node[k]
    if node.get(path[-1]) is None:
        node[path[-1]] = CommentedSeq()
    return node


def render_file(
    existing: str | None,
    meta: dict[str, object] | None,
    experts: list[Answers],
    today: dt.date,
    scale: Scale = PROBABILITY,
) -> str:
    """The new file's text: the existing one with the experts appended, or a new question.

    Judgements go to the list at ``scale.experts_path`` (``experts``, each under
    ``judgement``; a hazard question's median times to ``hazard.experts``, each under
    ``median_years``). An expert who revises their judgement keeps their entry.
    """
    if existing is not None:
        doc = priorsfile.load(existing)
    else:
        from forecast.elicit.newfile import new_document

        assert meta is not None
        doc = new_document(meta, today, priorsfile.flow, priorsfile.fresh_date)
    target = _parent(doc, scale.experts_path)[scale.experts_path[-1]]
    for a in experts:
        old = [e for e in target if a.revises and e.get("name") == a.name]
        if old:
            _revise(old[0], a, today, scale.key)
        else:
            target.append(_expert_node(a, today, scale.key))
    return priorsfile.dump(doc)
