"""The priors file a session writes: the existing one with the experts appended, or a
new question."""

from __future__ import annotations

import datetime as dt
from typing import Any

from forecast import priorsfile
from forecast.elicit.answers import PROBABILITY, Answers, Scale


def _expert_node(a: Answers, today: dt.date, key: str = "judgement") -> Any:
    from ruamel.yaml.comments import CommentedMap

    node = CommentedMap()
    node["name"] = a.name
    node[key] = priorsfile.flow(a.judgement)
    node["date"] = priorsfile.fresh_date(today)
    return node


def render_file(
    existing: str | None,
    meta: dict[str, Any] | None,
    experts: list[Answers],
    today: dt.date,
    scale: Scale = PROBABILITY,
) -> str:
    """The new file's text: the existing one with the experts appended, or a new question.

    Probability judgements go to ``experts`` (each under ``judgement``); a hazard
    question's median times go to ``hazard.experts`` (each under ``median_years``).
    """
    from ruamel.yaml.comments import CommentedSeq

    if existing is not None:
        doc = priorsfile.load(existing)
        parent = doc if scale.probability else doc["hazard"]
        if parent.get("experts") is None:
            parent["experts"] = CommentedSeq()
    else:
        from forecast.elicit.newfile import new_document

        assert meta is not None
        doc = new_document(meta, today, priorsfile.flow, priorsfile.fresh_date)
    target = doc["experts"] if scale.probability else doc["hazard"]["experts"]
    for a in experts:
        target.append(_expert_node(a, today, scale.key))
    return priorsfile.dump(doc)
