"""Proper scores of a quantity's forecast once its value is known: CRPS and the log score.

Both come from ``scoringrules`` on the forecast's ensemble: the exact posterior's
quantiles at the levels (i + 0.5) / n, a faithful sample of the distribution that the
recorded JSON keeps (``quantity.ensemble``). CRPS is in the quantity's unit (0 is
perfect); the log score is scoringrules' negative log density at the value, from a
kernel density estimate of the ensemble (lower is better).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from forecast.kinds.quantity.grid import Density

ENSEMBLE = 200
"""Quantiles of the exact posterior kept in the JSON (and the ledger) for scoring."""


def ensemble(dist: Density, n: int = ENSEMBLE) -> list[float]:
    """``n`` quantiles of ``dist`` at equally spaced levels (i + 0.5) / n."""
    levels = (np.arange(n) + 0.5) / n
    return [float(v) for v in np.asarray(dist.ppf(levels), dtype=float)]


def of_value(document: Mapping[str, object], value: float) -> dict[str, float] | None:
    """CRPS and the log score of a recorded forecast (its JSON) at the resolved value."""
    import scoringrules as sr

    q = document.get("quantity")
    members = q.get("ensemble") if isinstance(q, Mapping) else None
    if not isinstance(members, list) or not members:
        return None
    ens = np.asarray(members, dtype=float)
    return {
        "crps": float(sr.crps_ensemble(value, ens)),
        "log_score": float(sr.logs_ensemble(value, ens)),
        "median": float(np.median(ens)),
    }
