"""How a priors file stands against the ledger: edited since its latest recorded
forecast, or resolved in one and not in the other."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from forecast.ledger import Latest
    from forecast.questions.loader import LoadedQuestion

_STATUS = re.compile(r"^status:.*(?:\n|$)", re.MULTILINE)


def changed_since(q: LoadedQuestion, latest: Latest) -> bool:
    """Whether the priors file differs from the one the forecast was made from, other
    than in its ``status`` line (which `forecast resolve` sets)."""
    if latest.priors_sha256 == q.sha256:
        return False
    return _STATUS.sub("", q.text) != _STATUS.sub("", latest.priors_text)


def status_disagreements(
    loaded: list[LoadedQuestion], latest: dict[str, Latest], outcomes: dict[str, str]
) -> list[str]:
    """A warning for each question whose priors file is resolved while the ledger, which
    has its forecasts, records another outcome or none (`resolve` was stopped between
    its two writes), saying how to make them agree."""
    said = []
    for q in loaded:
        status = q.spec.status
        if status == "open" or q.id not in latest or outcomes.get(q.id) == status:
            continue
        recorded = outcomes.get(q.id)
        ledger_says = f"records {recorded}" if recorded else "has no outcome"
        said.append(
            f"{q.id}: the priors file says status: {status} but the ledger "
            f"{ledger_says}; run `forecast resolve {q.id} {status} --date DAY` to record it"
        )
    return said
