"""A command's settings in place of what a question's file says: the pool and the
experts' weights (``--pool``, ``--extremize``, ``--weights``).

Each function returns the questions as they are to be forecast and the warnings to
show; nothing here prints.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from forecast.questions.choices import PoolMethod, WeightsMethod
    from forecast.questions.loader import LoadedQuestion


def with_weights(
    loaded: list[LoadedQuestion], ledger: str | None, choice: WeightsMethod | None = None
) -> tuple[list[LoadedQuestion], list[str]]:
    """Questions with performance weights where their file or ``choice`` asks for them.

    ``given`` keeps the weights as written even where the file asks for performance
    weights; ``performance`` earns them on the ledger for every question; None does as
    each file says. The ledger is not opened when no question needs it.
    """
    if choice == "given":
        return loaded, []
    from forecast.questions.event import asks_performance_weights

    if choice is None and not any(asks_performance_weights(q.spec) for q in loaded):
        return loaded, []  # nothing to earn: the ledger is not even imported
    from forecast.ledger.weights import apply

    weighted, warnings = apply(loaded, ledger, force=choice == "performance")
    return weighted, list(warnings)


def with_pool(
    loaded: list[LoadedQuestion], method: PoolMethod | None, d: float | None
) -> tuple[list[LoadedQuestion], list[str]]:
    """Questions with the pool ``method`` and extremizing ``d`` in place of their file's
    (None keeps the file's). Only event questions have a choice of pool: the others are
    kept as they are, and a warning names them."""
    if method is None and d is None:
        return loaded, []
    from forecast.questions.event import EventQuestion, Pool

    others = [q.id for q in loaded if not isinstance(q.spec, EventQuestion)]
    warnings = (
        [
            f"--pool and --extremize apply to event questions; {', '.join(others)} "
            "pool their experts linearly"
        ]
        if others
        else []
    )
    out: list[LoadedQuestion] = []
    for q in loaded:
        if isinstance(q.spec, EventQuestion):
            was = q.spec.pool
            pool = Pool.model_validate(
                {
                    "method": method if method is not None else was.method,
                    "extremize": d if d is not None else was.extremize,
                    "weights": was.weights,
                    "seeds": was.seeds,
                    "alpha": was.alpha,
                }
            )
            q = dataclasses.replace(q, spec=q.spec.model_copy(update={"pool": pool}))
        out.append(q)
    return out, warnings
