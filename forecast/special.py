"""The special functions an exact forecast needs, in NumPy and the standard library.

``scipy.special`` takes about 0.2 s to import (it loads ``scipy.linalg`` and SciPy's
array-API layer), a third of an exact event forecast. These are the few functions the
quadrature, the pools and the fitted distributions evaluate, with SciPy's names and
conventions; the tests compare each with ``scipy.special`` on random arguments
(agreement to about 1e-13 relative, 1e-15 for most).

* ``expit``, ``log_expit``, ``logsumexp``: the usual stable forms (SciPy's branches).
* ``ndtr`` and ``ndtri``: ``math.erfc`` and ``statistics.NormalDist.inv_cdf`` (Wichura's
  AS 241), element by element.
* ``betaln``: ``math.lgamma``; ``digamma`` and ``trigamma``: the recurrence up to 10
  and the asymptotic series there.
* ``betainc`` (the regularised incomplete beta function): its continued fraction by
  the modified Lentz method, on the side of the mean where it converges fast, the other
  side by symmetry; ``betaincinv`` by a bracketed root in logit x
  (:func:`forecast.methods.roots.bracketed`), refined by Newton's method.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

_EPS = 2.220446049250313e-16
_STD = statistics.NormalDist()


_SHAPES = (1e-3, 1e5)
"""The Beta shapes for which the incomplete beta function here is checked against
``scipy.special`` (to 1e-10 absolute, 1e-9 relative); outside them SciPy evaluates it
(its import is worth paying for such shapes: beyond 1e5 the continued fraction's
rounding reaches 1e-9)."""


class _Unresolved(ArithmeticError):
    """A value these functions cannot give to full precision: SciPy is asked instead."""


def _or_scipy(fn: Callable[[float], float], name: str, *params: float) -> Callable[[float], float]:
    """``fn``, or ``scipy.special.<name>(*params, v)`` for a value ``fn`` cannot resolve
    (a continued fraction that does not converge, a quantile below the smallest double),
    and SciPy's outright for shapes outside :data:`_SHAPES`."""

    def scipys(v: float) -> float:
        from scipy import special as scipy_special

        return float(getattr(scipy_special, name)(*params, v))

    if not all(_SHAPES[0] <= p <= _SHAPES[1] for p in params):
        return scipys

    def guarded(v: float) -> float:
        try:
            return fn(v)
        except (_Unresolved, ValueError):
            return scipys(v)

    return guarded


def _elementwise(fn: Callable[..., float]) -> Callable[..., np.ndarray]:
    """``fn`` on scalars, applied element by element (a 0-d result stays an array)."""
    ufunc = np.frompyfunc(fn, 1, 1)

    def apply(x: ArrayLike) -> np.ndarray:
        return np.asarray(ufunc(np.asarray(x, dtype=float)), dtype=float)

    return apply


def expit(x: ArrayLike) -> np.ndarray:
    """The logistic function 1 / (1 + e^-x), without overflow."""
    x = np.asarray(x, dtype=float)
    with np.errstate(over="ignore"):
        e = np.exp(-np.abs(x))
    return np.asarray(np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)))


def log_expit(x: ArrayLike) -> np.ndarray:
    """log expit(x), accurate in both tails."""
    x = np.asarray(x, dtype=float)
    return np.asarray(np.where(x < 0, x, 0.0) - np.log1p(np.exp(-np.abs(x))))


def logsumexp(a: ArrayLike, axis: int | None = None) -> np.ndarray:
    """log Σ exp(a) along ``axis`` (all of ``a`` when None)."""
    a = np.asarray(a, dtype=float)
    top = np.max(a, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(a - top), axis=axis, keepdims=True)) + top
    return np.asarray(out.squeeze(axis=axis) if axis is not None else out.reshape(()))


def _ndtr(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def _ndtri(p: float) -> float:
    if p <= 0.0:
        return -math.inf if p == 0.0 else math.nan
    if p >= 1.0:
        return math.inf if p == 1.0 else math.nan
    return _STD.inv_cdf(p)


ndtr = _elementwise(_ndtr)
"""The standard Normal CDF Φ(z)."""

ndtri = _elementwise(_ndtri)
"""The standard Normal quantile function Φ⁻¹(p) (-inf at 0, inf at 1, NaN outside)."""


def _stirling_rest(x: float) -> float:
    """log Γ(x) - ((x - 1/2) log x - x + log √(2π)), for x >= 8 (its asymptotic series)."""
    inv = 1.0 / x
    inv2 = inv * inv
    return inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (1 / 1680 - inv2 / 1188))))


def betaln(a: float, b: float) -> float:
    """log B(a, b) = log Γ(a) + log Γ(b) - log Γ(a + b), for a, b > 0.

    When one is at least 8, by Stirling's series with the large terms cancelled
    analytically (log Γ of a + b would lose digits to the subtraction).
    """
    a, b = sorted((float(a), float(b)))
    s = a + b
    if b < 8.0:
        return math.lgamma(a) + math.lgamma(b) - math.lgamma(s)
    if a < 8.0:  # log Γ(b) - log Γ(a + b) by Stirling's series, its large terms cancelled
        big = (b - 0.5) * math.log1p(-a / s) - a * math.log(s) + a
        return math.lgamma(a) + big + _stirling_rest(b) - _stirling_rest(s)
    main = (a - 0.5) * math.log(a / s) + (b - 0.5) * math.log(b / s) - 0.5 * math.log(s)
    rest = _stirling_rest(a) + _stirling_rest(b) - _stirling_rest(s)
    return 0.5 * math.log(2 * math.pi) + main + rest


# Bernoulli numbers B_2k / (2k), for the asymptotic series of digamma and trigamma.
_B2K = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)


def _digamma(x: float) -> float:
    if x <= 0.0:
        return math.nan
    shift = 0.0
    while x < 10.0:
        shift -= 1.0 / x
        x += 1.0
    inv2 = 1.0 / (x * x)
    series, power = 0.0, inv2
    for k, b in enumerate(_B2K, start=1):
        series += b / (2 * k) * power
        power *= inv2
    return shift + math.log(x) - 0.5 / x - series


def _trigamma(x: float) -> float:
    if x <= 0.0:
        return math.nan
    shift = 0.0
    while x < 10.0:
        shift += 1.0 / (x * x)
        x += 1.0
    inv = 1.0 / x
    inv2 = inv * inv
    series, power = 0.0, inv2 * inv
    for b in _B2K:
        series += b * power
        power *= inv2
    return shift + inv + 0.5 * inv2 + series


digamma = _elementwise(_digamma)
"""ψ(x), for x > 0."""

trigamma = _elementwise(_trigamma)
"""ψ'(x), for x > 0 (SciPy's ``polygamma(1, x)``)."""


def _continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b) (modified Lentz), for x below (a + 1) / (a + b + 2)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        for num in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            step = d * c
            h *= step
        if abs(step - 1.0) < 1e-15:
            return h
    raise _Unresolved(f"I_x({a:g}, {b:g}) at x = {x:g}: the continued fraction did not converge")


def _betainc(a: float, b: float, x: float, y: float | None = None) -> float:
    """I_x(a, b); ``y`` is 1 - x when the caller knows it more precisely than 1 - x."""
    if not (a > 0 and b > 0) or math.isnan(x):
        return math.nan
    y = 1.0 - x if y is None else y
    if x <= 0.0:
        return 0.0
    if y <= 0.0:  # x is 1, or so near it that only y = 1 - x keeps its digits
        return 1.0
    log_x = math.log1p(-y) if y < 0.5 else math.log(x)
    log_front = a * log_x + b * math.log(y) - betaln(a, b)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _continued_fraction(b, a, y) / b


def betainc(a: float, b: float, x: ArrayLike) -> np.ndarray:
    """The regularised incomplete beta function I_x(a, b) (the Beta(a, b) CDF at x)."""
    return _elementwise(_or_scipy(lambda v: _betainc(a, b, v), "betainc", a, b))(x)


def betaincc(a: float, b: float, x: ArrayLike) -> np.ndarray:
    """1 - I_x(a, b), computed as I_{1-x}(b, a) so that it keeps its digits near 0."""
    return _elementwise(
        _or_scipy(
            lambda v: _betainc(b, a, 1.0 - v, v) if 0.0 < v < 1.0 else 1.0 - _betainc(a, b, v),
            "betaincc",
            a,
            b,
        )
    )(x)


def _inverse(a: float, b: float, p: float, upper: bool) -> float:
    """The x with I_x(a, b) = p (``upper``: with 1 - I_x(a, b) = p), for p in [0, 1]."""
    from forecast.methods.roots import bracketed

    if math.isnan(p) or not 0.0 <= p <= 1.0:
        return math.nan
    if p > 0.5:  # solve for the smaller tail: its probability keeps its digits
        p, upper = 1.0 - p, not upper
    if p == 0.0:
        return 1.0 if upper else 0.0

    def f(t: float) -> float:
        x, y = _expit(t), _expit(-t)
        if upper:  # 1 - I_x(a, b) = I_{1-x}(b, a)
            return p - _betainc(b, a, y, x)
        return _betainc(a, b, x, y) - p

    t = bracketed(f, -745.0, 745.0, xtol=1e-13)
    # Newton's method in t on the same equation, a step or two to the last bits.
    log_c = -betaln(a, b)
    for _ in range(3):
        x, y = _expit(t), _expit(-t)
        if not (x > 0.0 and y > 0.0):
            break
        # d/dt I_x(a, b) = density(x) x (1 - x) = x^a (1 - x)^b / B(a, b)
        slope = math.exp(log_c + a * math.log(x) + b * math.log(y))
        if not slope > 0 or not math.isfinite(slope):
            break
        step = f(t) / slope
        t -= step
        if abs(step) <= 4 * _EPS * max(1.0, abs(t)):
            break
    return _expit(t)


def _expit(t: float) -> float:
    """expit of one number, as :func:`expit` computes it."""
    if t >= 0:
        return 1.0 / (1.0 + math.exp(-t))
    e = math.exp(t)
    return e / (1.0 + e)


def betaincinv(a: float, b: float, q: ArrayLike) -> np.ndarray:
    """The inverse of I_x(a, b) in x (the Beta(a, b) quantile function at q)."""
    return _elementwise(_or_scipy(lambda v: _inverse(a, b, v, False), "betaincinv", a, b))(q)


def betainccinv(a: float, b: float, q: ArrayLike) -> np.ndarray:
    """The x with 1 - I_x(a, b) = q (the Beta(a, b) quantile at 1 - q, to full relative
    precision in both tails)."""
    return _elementwise(_or_scipy(lambda v: _inverse(a, b, v, True), "betainccinv", a, b))(q)


def xlogy(x: ArrayLike, y: ArrayLike) -> np.ndarray:
    """x log y, 0 where x is 0."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(x == 0, 0.0, x * np.log(y)))


def xlog1py(x: ArrayLike, y: ArrayLike) -> np.ndarray:
    """x log(1 + y), 0 where x is 0."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(x == 0, 0.0, x * np.log1p(y)))


__all__ = [
    "betainc",
    "betaincc",
    "betainccinv",
    "betaincinv",
    "betaln",
    "digamma",
    "expit",
    "log_expit",
    "logsumexp",
    "ndtr",
    "ndtri",
    "trigamma",
    "xlog1py",
    "xlogy",
]
