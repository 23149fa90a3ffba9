"""A command's settings in place of what a question's file says: the pool and the
experts' weights (``--pool``, ``--extremize``, ``--weights``).

Each function returns the questions as they are to be forecast and the warnings to
show; nothing here prints.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, TypeGuard, get_args

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
    from forecast.questions.experts import asks_performance_weights

    if choice is None and not any(asks_performance_weights(q.spec) for q in loaded):
        return loaded, []  # nothing to earn: the ledger is not even imported
    from forecast.ledger.weights import apply

    weighted, warnings = apply(loaded, ledger, force=choice == "performance")
    return weighted, list(warnings)


def with_ledger(loaded: list[LoadedQuestion], ledger: str | None) -> list[LoadedQuestion]:
    """Questions with the ledger ``--ledger`` names, for a kind that reads its outcomes
    (its ``with_ledger``: a network's resolved question nodes); None keeps the default."""
    if ledger is None:
        return loaded
    from forecast import kinds

    out = []
    for q in loaded:
        hook = getattr(kinds.of(q.spec), "with_ledger", None)
        out.append(q if hook is None else dataclasses.replace(q, spec=hook(q.spec, ledger)))
    return out


def with_pool(
    loaded: list[LoadedQuestion], method: PoolMethod | None, d: float | None
) -> tuple[list[LoadedQuestion], list[str]]:
    """Questions with the pool ``method`` and extremizing ``d`` in place of their file's
    (None keeps the file's), as each question's kind allows (its ``with_pool``).
    Questions whose kind pools linearly only are kept as they are, and a warning names
    them."""
    if method is None and d is None:
        return loaded, []
    from forecast import kinds

    out: list[LoadedQuestion] = []
    others: list[str] = []
    for q in loaded:
        spec = kinds.of(q.spec).with_pool(q.spec, method, d)
        if spec is None:
            others.append(q.id)
        else:
            q = dataclasses.replace(q, spec=spec)
        out.append(q)
    warnings = (
        [
            f"--pool and --extremize apply to event questions; {', '.join(others)} "
            "pool their experts linearly"
        ]
        if others
        else []
    )
    return out, warnings


def _is_pool(word: str) -> TypeGuard[PoolMethod]:
    from forecast.questions.choices import PoolMethod

    return word in get_args(PoolMethod)


def _is_weights(word: str) -> TypeGuard[WeightsMethod]:
    from forecast.questions.choices import WeightsMethod

    return word in get_args(WeightsMethod)


def pool_word(word: str) -> PoolMethod:
    """The pool method ``word`` names (ValueError for a word no priors file may say)."""
    if _is_pool(word):
        return word
    raise ValueError(f"no pool method {word!r}")


def weights_word(word: str) -> WeightsMethod:
    """Where the weights ``word`` names come from (ValueError for a word no file may say)."""
    if _is_weights(word):
        return word
    raise ValueError(f"no weights {word!r}")
