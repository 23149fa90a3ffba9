"""The PyMC model of a quantity: the experts' pooled prior and the observed values.

The quantity ``x`` is sampled through an unbounded coordinate ``z``, standardised so
NUTS starts in the bulk whatever the unit: x = g(c + s z), with g the identity on the
real line, lower + exp(.) above a lower bound, and the scaled logistic on a bounded
support. The pooled prior enters as a potential: log sum_i w_i f_i(x) for the linear
pool, sum_i w_i log f_i(x) for the logarithmic one (normalised or not, the posterior is
the same), each f_i the PyMC density of the expert's fitted family, plus log |dx/dz|.
The observed values are a normal likelihood on the natural or the log scale.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from forecast.kinds.quantity.families import T_DF, Dist
from forecast.kinds.quantity.grid import to_u
from forecast.kinds.quantity.inputs import QuantityInputs

if TYPE_CHECKING:
    import pymc as pm
    from pytensor.tensor import TensorVariable


def _f64(v: float) -> np.float64:
    """A constant PyTensor keeps in double precision (a Python float that float32
    represents exactly, such as 15.0, would otherwise become a float32 constant, and the
    density's arithmetic with it single precision)."""
    return np.float64(v)


def _component_logp(d: Dist, x: TensorVariable) -> TensorVariable:
    """The PyMC log density of one fitted distribution at ``x`` (a tensor)."""
    import pymc as pm
    import pytensor.tensor as pt

    lo, hi = _f64(d.support.lower), _f64(d.support.upper)
    a, b, df = _f64(d.a), _f64(d.b), _f64(T_DF)
    if d.family == "normal":
        return pm.logp(pm.Normal.dist(mu=a, sigma=b), x)
    if d.family == "t":
        return pm.logp(pm.StudentT.dist(nu=df, mu=a, sigma=b), x)
    if d.family == "lognormal":
        return pm.logp(pm.LogNormal.dist(mu=a, sigma=b), x - lo)
    if d.family == "gamma":
        return pm.logp(pm.Gamma.dist(alpha=a, beta=b), x - lo)
    if d.family == "logt":
        y = pt.log(x - lo)
        return pm.logp(pm.StudentT.dist(nu=df, mu=a, sigma=b), y) - y
    width = hi - lo
    return pm.logp(pm.Beta.dist(alpha=a, beta=b), (x - lo) / width) - np.log(width)


def log_prior(inputs: QuantityInputs, x: TensorVariable) -> TensorVariable:
    """The pooled prior's log density at ``x`` (a tensor), up to a constant."""
    import pymc as pm
    import pytensor.tensor as pt

    kept = [(w, d) for w, d in zip(inputs.normalised_weights, inputs.experts, strict=True) if w > 0]
    parts = [_component_logp(d, x) for _, d in kept]
    if inputs.method == "logarithmic":
        return sum((_f64(w) * p for (w, _), p in zip(kept, parts, strict=True)), pt.zeros(()))
    if len(parts) == 1:
        return parts[0]
    return pm.math.logsumexp(
        pt.stack([_f64(math.log(w)) + p for (w, _), p in zip(kept, parts, strict=True)]), axis=0
    )


def _centre(inputs: QuantityInputs) -> tuple[float, float]:
    """The prior's median and half its 50% interval in the sampling coordinate."""
    prior = inputs.prior
    q = [
        float(v)
        for v in np.atleast_1d(to_u(inputs.support, [prior.ppf(p) for p in (0.25, 0.5, 0.75)]))
    ]
    return q[1], max((q[2] - q[0]) / 1.349, 1e-6 * max(1.0, abs(q[1])))


def build(inputs: QuantityInputs, *, swappable: bool = False) -> pm.Model:
    """The PyMC model for a quantity question (the quantity is ``x``).

    With ``swappable`` the observed values are a data container (``observed``), so one
    compiled model serves other values of the same number (:func:`set_values`).
    """
    import pymc as pm
    import pytensor.tensor as pt

    s = inputs.support
    c, scale = (_f64(v) for v in _centre(inputs))
    lower = _f64(s.lower)
    with pm.Model() as model:
        z = pm.Flat("z", initval=0.0)
        u = c + scale * z
        if s.name == "real":
            x, log_jac = u, pt.zeros(())
        elif s.name == "positive":
            x, log_jac = lower + pt.exp(u), u
        else:
            width = _f64(s.upper - s.lower)
            x = lower + width * pm.math.sigmoid(u)
            log_jac = np.log(width) - pt.softplus(-u) - pt.softplus(u)
        x = pm.Deterministic("x", x)
        pm.Potential("prior", log_prior(inputs, x) + log_jac + np.log(scale))
        if inputs.data is not None:
            obs = inputs.data
            loc = pt.log(x) if obs.log else x
            values = pm.Data("observed", obs.transformed) if swappable else obs.transformed
            sd = pm.Data("observed_sd", obs.sd) if swappable else _f64(obs.sd)
            pm.Normal("data", mu=loc, sigma=sd, observed=values)
    return model


def set_values(model: pm.Model, values: np.ndarray) -> None:
    """Swap the observed values of a swappable model (on the scale of its error)."""
    import pymc as pm

    with model:
        pm.set_data({"observed": np.asarray(values, dtype=float)})


def set_sd(model: pm.Model, sd: float) -> None:
    """Swap the measurement error sd of a swappable model."""
    import pymc as pm

    with model:
        pm.set_data({"observed_sd": float(sd)})


def log_densities(inputs: QuantityInputs, x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Per-draw log prior (the pool) and log likelihood (the data) at draws ``x``."""
    lp = np.asarray(inputs.prior.logpdf(x), dtype=float)
    if inputs.data is None:
        return lp, None
    return lp, np.asarray(inputs.data.loglik(x), dtype=float)
