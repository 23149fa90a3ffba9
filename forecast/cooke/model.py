"""Cooke's classical model: calibration, information, weights and decision makers.

The conventions are those of anduryl (Rongen et al.), the reference implementation, so
its numbers are reproduced to rounding:

* **Intrinsic range** of an item: from the lowest to the highest quantile any expert
  gave (and the realisation, on a seed item), widened by ``overshoot`` times its width
  on each side; on a log background the range is taken on the log of the values.
* **Information** of an expert on an item: the relative information of their
  distribution (the minimum-information one that puts the stated masses between the
  quantiles, uniform within each bin on the item's background scale) with respect to
  the uniform (or log-uniform) background on the intrinsic range. Averaged over the
  items the expert answered: all items, and seed items only.
* **Calibration**: the realisations of the seed items fall in the expert's
  inter-quantile bins with empirical proportions s; with p the stated ones,
  2·N·I(s, p) is asymptotically chi-square with (bins − 1) degrees of freedom, and the
  score is its p-value. N is the smallest number of seed items any expert answered
  (so experts who answered fewer are not favoured), times ``calpower``. A realisation
  equal to a quantile falls in the bin below it.
* **Weights**: global = calibration × seed information, zero below the cut-off
  ``alpha``; item = calibration × that item's information; equal; or user-given.
  Experts who did not answer an item get no weight on it, the rest are renormalised.
* **Decision maker**: per item, the weighted mixture of the experts' piecewise-linear
  CDFs on the background scale (the quantiles of the mixture are read off by linear
  interpolation between the experts' answers), scored as if it were an expert.
* **Optimised alpha**: each expert's calibration is tried as the cut-off, and the one
  whose decision maker has the highest calibration × seed information is kept (a
  decision maker whose own calibration is below its cut-off scores zero).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.special import chdtrc

from forecast.cooke.study import Study

WeightType = Literal["global", "item", "equal", "user"]


@dataclass(frozen=True)
class Settings:
    """How a decision maker is formed. ``alpha`` None means optimised."""

    weights: WeightType = "global"
    alpha: float | None = 0.0
    overshoot: float = 0.1
    calpower: float = 1.0


@dataclass(frozen=True)
class Scores:
    """Every expert's calibration and information on a study."""

    calibration: np.ndarray
    """(experts,) the p-value of the calibration test."""
    information: np.ndarray
    """(experts, items) information per item, NaN where not answered."""
    information_all: np.ndarray
    information_seeds: np.ndarray
    counts: np.ndarray
    """(experts, bins) how many realisations fell in each inter-quantile bin."""
    answered_seeds: np.ndarray
    n_min: int
    lower: np.ndarray
    """(items,) the intrinsic range on the background scale (log on a log item)."""
    upper: np.ndarray

    @property
    def weight(self) -> np.ndarray:
        """Unnormalised global weight before any cut-off: calibration × seed information."""
        result: np.ndarray = self.calibration * self.information_seeds
        return result


@dataclass(frozen=True)
class DecisionMaker:
    """A combination of the experts, with its own scores."""

    weights: WeightType
    alpha: float
    quantiles: np.ndarray
    """(items, levels) the decision maker's quantiles, on the items' own scale."""
    calibration: float
    information_all: float
    information_seeds: float
    information: np.ndarray
    """(items,) its information per item."""
    expert_weights: np.ndarray
    """(experts, items) the normalised weight each expert has on each item."""

    @property
    def score(self) -> float:
        """Calibration × seed information (what the optimisation maximises)."""
        return self.calibration * self.information_seeds


def bin_probabilities(quantiles: tuple[float, ...]) -> np.ndarray:
    """The stated mass of each inter-quantile bin, below the first to above the last."""
    edges = np.concatenate([[0.0], quantiles, [1.0]])
    return np.diff(edges)


def background(study: Study) -> np.ndarray:
    """The answers on the background scale: the log of the values on a log item."""
    values = study.answers.copy()
    logs = study.log_mask
    with np.errstate(invalid="ignore", divide="ignore"):
        values[:, logs, :] = np.log(values[:, logs, :])
    return values


def intrinsic_range(study: Study, overshoot: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper end of each item's intrinsic range, on the background scale."""
    lo = np.nanmin(study.answers, axis=(0, 2))
    hi = np.nanmax(study.answers, axis=(0, 2))
    real = study.realizations
    seed = study.seed_mask
    lo[seed] = np.minimum(lo[seed], real[seed])
    hi[seed] = np.maximum(hi[seed], real[seed])
    logs = study.log_mask
    lo[logs], hi[logs] = np.log(lo[logs]), np.log(hi[logs])
    width = hi - lo
    return lo - overshoot * width, hi + overshoot * width


def information(
    values: np.ndarray, lower: np.ndarray, upper: np.ndarray, quantiles: tuple[float, ...]
) -> np.ndarray:
    """Relative information per (expert, item) of quantiles on the background scale.

    ``values`` (experts, items, levels); NaN where an expert did not answer.
    """
    p = bin_probabilities(quantiles)
    n = values.shape[0]
    edges = np.concatenate(
        [
            np.broadcast_to(lower[None, :, None], (n, lower.size, 1)),
            values,
            np.broadcast_to(upper[None, :, None], (n, upper.size, 1)),
        ],
        axis=2,
    )
    widths = np.diff(edges, axis=2)
    # A bin of no width (a quantile at the end of the range, with no overshoot) is
    # infinitely informative, as in anduryl.
    with np.errstate(divide="ignore"):
        logs = np.log(p / widths)
    result: np.ndarray = np.log(upper - lower)[None, :] + np.sum(p * logs, axis=2)
    return result


def bin_counts(values: np.ndarray, realizations: np.ndarray) -> np.ndarray:
    """(experts, bins) realisations per inter-quantile bin, over answered seed items.

    ``values`` (experts, seed items, levels) on any monotone scale with the
    realisations on the same one; a realisation equal to a quantile counts below it.
    """
    answered = ~np.isnan(values).any(axis=2)
    below = (values < realizations[None, :, None]).sum(axis=2)
    bins = values.shape[2] + 1
    return np.stack([((below == b) & answered).sum(axis=1) for b in range(bins)], axis=1)


def calibration(counts: np.ndarray, p: np.ndarray, n_min: int, calpower: float = 1.0) -> np.ndarray:
    """The calibration score of each row of ``counts`` against stated bin masses ``p``."""
    n = counts.sum(axis=1, keepdims=True)
    s = np.divide(counts, n, out=np.zeros(counts.shape), where=n > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(s > 0, s * np.log(s / p), 0.0)
    statistic = 2.0 * n_min * terms.sum(axis=1) * calpower
    # scipy.special rather than scipy.stats: the same survival function, imported in a
    # third of the time (``forecast cooke`` has to start fast).
    result: np.ndarray = chdtrc(p.size - 1, statistic)
    return result


def _mean_answered(info: np.ndarray, columns: np.ndarray) -> np.ndarray:
    part = info[:, columns]
    with np.errstate(invalid="ignore"):
        result: np.ndarray = np.nanmean(part, axis=1) if part.size else np.full(len(info), np.nan)
    return result


def score(study: Study, overshoot: float = 0.1, calpower: float = 1.0) -> Scores:
    """Calibration and information of every expert of ``study``."""
    lower, upper = intrinsic_range(study, overshoot)
    info = information(background(study), lower, upper, study.quantiles)
    seed = study.seed_mask
    counts = bin_counts(study.answers[:, seed, :], study.realizations[seed])
    answered = counts.sum(axis=1)
    n_min = int(answered.min())
    cal = calibration(counts, bin_probabilities(study.quantiles), n_min, calpower)
    return Scores(
        calibration=cal,
        information=info,
        information_all=_mean_answered(info, np.ones(len(study.items), dtype=bool)),
        information_seeds=_mean_answered(info, seed),
        counts=counts,
        answered_seeds=answered,
        n_min=n_min,
        lower=lower,
        upper=upper,
    )


def expert_weights(
    study: Study, scores: Scores, kind: WeightType, alphas: np.ndarray
) -> np.ndarray:
    """(alphas, experts, items) normalised weights, one set per cut-off in ``alphas``.

    An expert who did not answer an item gets no weight on it; where no expert with
    weight answered an item its weights are NaN (the decision maker has no answer).
    """
    n_exp, n_items = study.answers.shape[:2]
    answered = study.answered()
    cal = scores.calibration
    above = (cal[None, :] >= alphas[:, None]).astype(float)
    if kind == "global":
        raw = (above * cal * scores.information_seeds)[:, :, None] * np.ones(n_items)
    elif kind == "item":
        info = np.nan_to_num(scores.information, nan=0.0)
        raw = (above * cal)[:, :, None] * info[None, :, :]
    elif kind == "equal":
        raw = np.ones((alphas.size, n_exp, n_items))
    else:
        if study.user_weights is None:
            raise ValueError("the study gives no user weights")
        raw = np.asarray(study.user_weights, dtype=float)[None, :, None] * np.ones(
            (alphas.size, 1, n_items)
        )
    raw = np.where(answered[None, :, :], raw, 0.0)
    total = raw.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: np.ndarray = np.where(total > 0, raw / total, np.nan)
    return result


@dataclass(frozen=True)
class Grid:
    """Every expert's CDF on each item, at the points where any of them bends.

    ``points[i]`` are the ends of the intrinsic range and every answer to item ``i``
    (on its background scale), padded to a common length by repeating the upper end;
    ``cdfs[i]`` (points, experts) the experts' CDFs there, linear between their
    quantiles and the ends of the range (zero for an expert who did not answer).
    Leaving out an item leaves the others' grids as they are.
    """

    points: np.ndarray
    """(items, points)"""
    cdfs: np.ndarray
    """(items, points, experts)"""

    def without(self, item: int) -> Grid:
        """The grid without item ``item``."""
        return Grid(np.delete(self.points, item, axis=0), np.delete(self.cdfs, item, axis=0))

    def without_expert(self, expert: int) -> Grid:
        """The grid without expert ``expert``, for the same intrinsic ranges.

        Their answers stay among the points: the other experts' CDFs are straight
        there, so the mixture's quantiles do not change.
        """
        return Grid(self.points, np.delete(self.cdfs, expert, axis=2))


def grid(study: Study, scores: Scores) -> Grid:
    """The experts' CDFs of ``study`` on its intrinsic ranges (see :class:`Grid`)."""
    values = background(study)
    n_exp, n_items, _ = values.shape
    full = np.concatenate([[0.0], study.quantiles, [1.0]])
    lo, hi = scores.lower, scores.upper
    distinct = [np.unique(values[:, i, :][~np.isnan(values[:, i, :])]) for i in range(n_items)]
    width = max(d.size for d in distinct) + 2
    xs = np.repeat(hi[:, None], width, axis=1)
    for i, d in enumerate(distinct):
        xs[i, 0] = lo[i]
        xs[i, 1 : d.size + 1] = d
    knots = np.concatenate(
        [
            np.broadcast_to(lo[None, :, None], (n_exp, n_items, 1)),
            values,
            np.broadcast_to(hi[None, :, None], (n_exp, n_items, 1)),
        ],
        axis=2,
    ).transpose(1, 0, 2)  # (items, experts, knots)
    # Piecewise-linear interpolation of every expert on every item at once (np.interp).
    j = (knots[:, :, None, :] <= xs[:, None, :, None]).sum(axis=3) - 1
    j = np.clip(j, 0, full.size - 2)  # (items, experts, points)
    x0 = np.take_along_axis(knots, j, axis=2)
    x1 = np.take_along_axis(knots, j + 1, axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.clip((xs[:, None, :] - x0) / (x1 - x0), 0.0, 1.0)
    cdf = full[j] + t * (full[j + 1] - full[j])
    cdf = np.where(study.answered().T[:, :, None], cdf, 0.0)
    return Grid(xs, cdf.transpose(0, 2, 1))


def combine(
    study: Study, scores: Scores, weights: np.ndarray, cdfs: Grid | None = None
) -> np.ndarray:
    """(alphas, items, levels) quantiles of the weighted mixtures of the experts' CDFs.

    ``weights`` (alphas, experts, items) as from :func:`expert_weights`; the mixture's
    quantiles are read off it linearly between the points of the :class:`Grid`.
    """
    cdfs = cdfs or grid(study, scores)
    levels = np.asarray(study.quantiles)
    xs = cdfs.points  # (items, points)
    w = np.nan_to_num(weights, nan=0.0)
    mix = np.einsum("ipe,aei->aip", cdfs.cdfs, w)  # (alphas, items, points)
    # The first point where each mixture reaches each level: np.interp's reading of a
    # strictly increasing CDF, for every alpha and item at once.
    j = np.clip((mix[..., None] < levels).sum(axis=2), 1, xs.shape[1] - 1)  # (a, i, levels)
    f0 = np.take_along_axis(mix, j - 1, axis=2)
    f1 = np.take_along_axis(mix, j, axis=2)
    x = np.broadcast_to(xs[None], mix.shape)
    x0 = np.take_along_axis(x, j - 1, axis=2)
    x1 = np.take_along_axis(x, j, axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(f1 > f0, (levels - f0) / (f1 - f0), 1.0)
    out = x0 + t * (x1 - x0)
    out[np.isnan(weights).any(axis=1)] = np.nan
    logs = study.log_mask
    out[:, logs, :] = np.exp(out[:, logs, :])
    result: np.ndarray = out
    return result


def _score_dms(
    study: Study, scores: Scores, quantiles: np.ndarray, calpower: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Calibration, information (all, seeds) and information per item of each DM.

    ``quantiles`` (decision makers, items, levels), each scored as an expert would be.
    """
    values = quantiles.copy()
    logs = study.log_mask
    values[:, logs, :] = np.log(values[:, logs, :])
    info = information(values, scores.lower, scores.upper, study.quantiles)
    seed = study.seed_mask
    counts = bin_counts(quantiles[:, seed, :], study.realizations[seed])
    cal = calibration(counts, bin_probabilities(study.quantiles), scores.n_min, calpower)
    all_items = np.ones(len(study.items), dtype=bool)
    return cal, _mean_answered(info, all_items), _mean_answered(info, seed), info


def decision_maker(
    study: Study, settings: Settings, scores: Scores | None = None, cdfs: Grid | None = None
) -> DecisionMaker:
    """The decision maker of ``study`` with the given weights and cut-off (or optimised).

    ``scores`` and ``cdfs`` may be passed when already computed for ``study``.
    """
    if scores is None:
        scores = score(study, settings.overshoot, settings.calpower)
    kind = settings.weights
    if kind in ("equal", "user"):
        alphas = np.array([0.0])
    elif settings.alpha is None:
        alphas = np.unique(scores.calibration)
    else:
        alphas = np.array([settings.alpha])
    weights = expert_weights(study, scores, kind, alphas)
    dms = combine(study, scores, weights, cdfs)
    cal, info_all, info_seeds, info = _score_dms(study, scores, dms, settings.calpower)
    # A decision maker whose own calibration is below its cut-off scores zero.
    best = int(np.argmax(cal * info_seeds * (cal >= alphas))) if alphas.size > 1 else 0
    return DecisionMaker(
        weights=kind,
        alpha=float(alphas[best]),
        quantiles=dms[best],
        calibration=float(cal[best]),
        information_all=float(info_all[best]),
        information_seeds=float(info_seeds[best]),
        information=info[best],
        expert_weights=weights[best],
    )
