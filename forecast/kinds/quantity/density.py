"""A quantity model's log density in NumPy: the same terms as its PyMC model.

:func:`forecast.kinds.quantity.model.build` is the definition; this is the same density
on the quantity's own scale, in SciPy, for the quadrature grid and the sensitivity:
the pooled prior as the model's potential writes it (log sum_i w_i f_i(x) for the
linear pool, sum_i w_i log f_i(x) for the logarithmic one, unnormalised), and the
observed values' normal log likelihood with its constants. A test checks both against
``model.compile_logp()`` at random points.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import special

from forecast.kinds.quantity.families import Dist
from forecast.kinds.quantity.update import Observations


def components(experts: Sequence[Dist], x: np.ndarray) -> np.ndarray:
    """Each expert's log density at ``x``, shaped (expert, point)."""
    x = np.asarray(x, dtype=float)
    return np.stack([np.asarray(d.logpdf(x), dtype=float) for d in experts])


def pooled(method: str, weights: Sequence[float], parts: np.ndarray) -> np.ndarray:
    """The pool's log density from the experts' (``parts``, (expert, point)), as the
    model's potential has it; ``weights`` sum to 1, an expert of weight 0 is left out."""
    w = np.asarray(weights, dtype=float)
    kept = w > 0
    if method == "logarithmic":
        return np.asarray(np.sum(w[kept, None] * parts[kept], axis=0))
    if int(kept.sum()) == 1:
        return np.asarray(parts[kept][0])
    out = special.logsumexp(np.log(w[kept])[:, None] + parts[kept], axis=0)
    return np.asarray(out, dtype=float)


def log_likelihood(obs: Observations | None, x: np.ndarray) -> np.ndarray | None:
    """The observed values' log likelihood at ``x`` (None without observed values)."""
    if obs is None:
        return None
    return np.asarray(obs.loglik(x), dtype=float)


__all__ = ["components", "log_likelihood", "pooled"]
