"""Fitted quantity judgements cached on disk, as the other kinds' fits are.

A fit is a deterministic function of the judgement's probability statements, the
support, the families tried and the family fixed, so it is kept in a small JSON file
beside the other fits (``FORECAST_CACHE_DIR`` overrides where), keyed by a hash of those
and of SciPy's version. A warm cache spares the least-squares fits and the import of
``scipy.optimize``. A cache that cannot be read or written is ignored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from pathlib import Path

from forecast.jsoncache import JSONCache
from forecast.kinds.quantity.families import FAMILIES, T_DF, Dist, Family, Support
from forecast.kinds.quantity.fit import FamilyFit, JudgementFit, Statement

NAME = "quantity-fits-v1.json"


def _key(
    sts: Sequence[Statement], support: Support, families: Sequence[Family], fixed: Family | None
) -> str:
    blob = json.dumps(
        [
            [list(s) for s in sts],
            [support.lower, support.upper],
            list(families),
            fixed,
            T_DF,
            metadata.version("scipy"),
        ]
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def _family(raw: object) -> Family:
    for f in FAMILIES:
        if f == raw:
            return f
    raise ValueError(f"not a family: {raw!r}")


def _decode(entry: object, support: Support, sts: Sequence[Statement]) -> JudgementFit | None:
    """A cached entry as a fit (None when it is not one)."""
    if not isinstance(entry, Mapping):
        return None
    try:
        fits = tuple(
            FamilyFit(Dist(_family(f), float(a), float(b), support), float(sse))
            for f, a, b, sse in entry["fits"]
        )
        chosen = _family(entry["chosen"])
    except (KeyError, TypeError, ValueError):
        return None
    if all(f.family != chosen for f in fits):
        return None
    return JudgementFit(fits, chosen, tuple(sts))


class QuantityFitCache(JSONCache):
    """The quantity fits of one cache file, read once and written once."""

    def __init__(self, path: Path | None = None) -> None:
        from forecast.elicit.fit import cache_dir

        super().__init__(path or cache_dir() / NAME)

    def fit(
        self,
        sts: Sequence[Statement],
        support: Support,
        families: Sequence[Family],
        fixed: Family | None,
        make: Callable[[], JudgementFit],
    ) -> JudgementFit:
        """The cached fit of these statements, or ``make()`` remembered."""
        key = _key(sts, support, families, fixed)
        hit = _decode(self._entry(key), support, sts)
        if hit is not None:
            return hit
        made = make()
        self._remember(
            key,
            {
                "chosen": made.chosen,
                "fits": [[f.family, f.dist.a, f.dist.b, f.sse] for f in made.fits],
            },
        )
        return made


__all__ = ["NAME", "QuantityFitCache"]
