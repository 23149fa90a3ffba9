"""The report's plots as PNG images, drawn with matplotlib (Agg) and ArviZ.

Each plot reads only a :class:`~forecast.results.Forecast` (its draws, steps, experts
and ``extra`` data), so a report can be drawn from a fresh run or from fabricated
posteriors. A plot whose data the forecast does not carry is left out. Matplotlib and
ArviZ are imported when a plot is drawn, never by the command line's start-up.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from forecast.render import fmt

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from forecast.effects import SwingView
    from forecast.elicit.distributions import Mixture
    from forecast.elicit.pool import PooledPrior
    from forecast.render.kinds import CurvePoint
    from forecast.results import Forecast
    from forecast.scoring import Bin

DPI = 110
WIDTH = 7.0  # inches
PRIOR_POINTS = 4000

_UP, _DOWN, _NEUTRAL, _PRIOR, _POST = "#2a9d5c", "#c8443a", "#6c7a89", "#4c72b0", "#dd8452"


@dataclass(frozen=True)
class Plot:
    """One drawn plot: a file-name stem, a caption and the PNG bytes."""

    name: str
    title: str
    png: bytes


@contextmanager
def _style() -> Iterator[None]:
    """Plain text everywhere: a ``$`` in an expert's name is not mathematics."""
    import matplotlib

    with matplotlib.rc_context(
        {
            "text.parse_math": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 11,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "font.size": 9,
        }
    ):
        yield


def _figure(height: float) -> tuple[Figure, Axes]:
    """A figure on the Agg canvas, outside pyplot's global state."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def _percent_axis(ax: Axes, axis: str = "x") -> None:
    from matplotlib.ticker import FuncFormatter

    # Ticks sit at round values, so they read as such: 0%, 25%, 100% (fmt.pct would say
    # ">99.999%" at 1, as a forecast should, but an axis end is exactly 100%).
    formatter = FuncFormatter(lambda v, _pos: f"{round(100 * v, 6):g}%" if 0 <= v <= 1 else "")
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)


def _wrap(label: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def _pooled_prior(f: Forecast) -> Mixture | PooledPrior:
    """The experts' pooled prior on p as the run pooled it (linear unless said)."""
    from forecast.elicit.distributions import Mixture

    pools = f.pools
    method = pools.method if pools is not None else "linear"
    d = pools.extremize if pools is not None else 1.0
    experts = [e.fitted for e in f.experts]
    weights = [max(e.weight, 0.0) for e in f.experts]
    if method == "linear" and d == 1.0:
        return Mixture(tuple(experts), tuple(weights))
    from forecast.elicit.pool import PooledPrior, PoolSpec

    return PooledPrior.of(experts, weights, PoolSpec(method, d))


def _prior_points(prior: Mixture | PooledPrior, n: int = PRIOR_POINTS) -> np.ndarray:
    """Evenly spaced quantiles of the prior: a sample with no Monte Carlo noise."""
    from forecast.elicit.distributions import Mixture

    if isinstance(prior, Mixture):
        parts = []
        for c, w in zip(prior.components, prior.weights, strict=True):
            k = max(1, round(w * n))
            parts.append(np.asarray(c.ppf((np.arange(k) + 0.5) / k), dtype=float))
        return np.concatenate(parts)
    return np.asarray(prior.ppf((np.arange(n) + 0.5) / n), dtype=float)


def prior_posterior(f: Forecast) -> Figure | None:
    """The propensity before evidence: the experts' pooled prior against the posterior."""
    p = f.draws.get("p")
    if p is None or not len(f.experts) or any(e.fitted.family != "beta" for e in f.experts):
        return None
    import matplotlib

    matplotlib.use("Agg")
    import arviz_plots as azp
    from arviz_base import from_dict

    prior = _prior_points(_pooled_prior(f))
    dt = from_dict(
        {
            "posterior": {"p": np.asarray(p, dtype=float).reshape(1, -1)},
            "prior": {"p": prior.reshape(1, -1)},
        }
    )
    pc = azp.plot_prior_posterior(
        dt, var_names=["p"], backend="matplotlib", figure_kwargs={"figsize": (WIDTH, 3.2)}
    )
    fig = pc.get_viz("figure")
    ax = pc.get_target("p", {})
    ax.set_title("Propensity before evidence: prior and posterior")
    names = {"prior": "experts' pooled prior", "posterior": "posterior"}
    handles, labels = [], []
    for legend in list(fig.legends):
        for h, t in zip(legend.legend_handles, legend.get_texts(), strict=False):
            handles.append(h)
            labels.append(names.get(t.get_text(), t.get_text()))
        legend.remove()
    if handles:
        ax.legend(handles, labels, frameon=False, loc="center right")
    ax.set_xlabel("propensity p")
    ax.axvline(f.probability, color=_NEUTRAL, linestyle=":", linewidth=1)
    ax.annotate(
        f"forecast after evidence {fmt.pct(f.probability)}",
        (f.probability, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(3, -12),
        textcoords="offset points",
        color=_NEUTRAL,
    )
    ax.set_xlim(left=0)
    _percent_axis(ax)
    fig.set_layout_engine("constrained")
    return fig


def experts(f: Forecast) -> Figure | None:
    """Each expert's fitted judgement as a density, with the pool they make."""
    shown = [e for e in f.experts if e.fitted.family == "beta"]
    if not shown:
        return None
    pooled = _pooled_prior(f) if len(shown) == len(f.experts) else None
    hi = max(float(e.fitted.ppf(0.999)) for e in shown)
    x = np.linspace(1e-4, min(1.0, hi * 1.05) - 1e-4, 600)
    fig, ax = _figure(3.2)
    for e in shown:
        label = f"{e.name} (weight {e.weight:.2f}): {e.fitted.describe()}"
        ax.plot(x, e.fitted.frozen().pdf(x), linewidth=1.6, label=_wrap(label, 50))
    if pooled is not None and len(shown) > 1:
        dens = np.gradient(np.asarray(pooled.cdf(x), dtype=float), x)
        ax.plot(x, dens, color="black", linestyle="--", linewidth=1.4, label="pooled prior")
    ax.set_title("Each expert's judgement (fitted)")
    ax.set_xlabel("propensity p")
    ax.set_yticks([])
    ax.set_xlim(0, x[-1])
    ax.set_ylim(bottom=0)
    _percent_axis(ax)
    ax.legend(frameon=False, fontsize=8)
    return fig


def waterfall(f: Forecast) -> Figure | None:
    """What moved the forecast: the pooled prior, then each input's change, in order."""
    steps = list(f.steps)
    if not steps:
        return None
    labels = [_wrap(s.label) for s in steps] + ["forecast"]
    fig, ax = _figure(0.9 + 0.42 * len(labels))
    y = np.arange(len(labels))[::-1]
    start = steps[0]
    ax.barh(y[0], start.after, color=_PRIOR, height=0.6)
    ax.text(start.after, y[0], f" {fmt.pct(start.after)}", va="center")
    for i, s in enumerate(steps[1:], start=1):
        lo, width = min(s.before, s.after), abs(s.delta)
        color = _UP if s.delta > 0 else _DOWN if s.delta < 0 else _NEUTRAL
        ax.barh(y[i], max(width, 1e-4), left=lo, color=color, height=0.6)
        ax.plot([s.before, s.before], [y[i - 1] - 0.3, y[i] + 0.3], color="#999", lw=0.8)
        ax.text(max(s.before, s.after), y[i], f" {fmt.pp(s.delta)}", va="center")
    ax.barh(y[-1], f.probability, color=_POST, height=0.6)
    ax.text(f.probability, y[-1], f" {fmt.pct(f.probability)}", va="center", weight="bold")
    ax.set_yticks(y, labels)
    ax.set_xlim(0, min(1.0, max(max(s.before, s.after) for s in steps) * 1.25 + 0.02))
    _percent_axis(ax)
    ax.set_title("What moved it (applied in this order)")
    return fig


def curve(f: Forecast, points: Sequence[CurvePoint]) -> Figure | None:
    """P(event by each date) with its 80% band, and the deadline."""
    if not points:
        return None
    import datetime as dt

    days = np.array([dt.date.fromisoformat(c.date) for c in points], dtype="datetime64[D]")
    deadline = np.datetime64(f.deadline.isoformat(), "D")
    mean = [c.probability for c in points]
    lo = [c.lo for c in points]
    hi = [c.hi for c in points]
    fig, ax = _figure(3.2)
    ax.fill_between(days, lo, hi, color=_PRIOR, alpha=0.25, linewidth=0, label="80% band")
    ax.plot(days, mean, color=_PRIOR, marker="o", markersize=3, label="P(by date)")
    ax.axvline(deadline, color=_DOWN, linestyle=":", linewidth=1)  # type: ignore[arg-type]
    ax.annotate(
        f"deadline {f.deadline.isoformat()}: {fmt.pct(f.probability)}",
        (deadline, 0.98),
        xycoords=("data", "axes fraction"),
        xytext=(4, -10),
        textcoords="offset points",
        color=_DOWN,
    )
    ax.set_ylim(0, min(1.0, max(hi) * 1.15 + 0.01))
    _percent_axis(ax, "y")
    ax.set_title("P(the event by each date)")
    ax.legend(frameon=False, loc="upper left")
    return fig


def tornado(f: Forecast, swings: Sequence[SwingView]) -> Figure | None:
    """Each driver's swing: the forecast with the driver off and on."""
    if not swings:
        return None
    rows = sorted(swings, key=lambda s: abs(s.swing))
    fig, ax = _figure(0.9 + 0.45 * len(rows))
    y = np.arange(len(rows))
    for i, s in enumerate(rows):
        off, on = s.off, s.on
        color = _UP if on >= off else _DOWN
        ax.barh(i, abs(on - off), left=min(on, off), color=color, height=0.6)
        ax.text(max(on, off), i, f" {fmt.pp(on - off)}", va="center")
    ax.axvline(f.probability, color=_NEUTRAL, linestyle=":", linewidth=1)
    ax.set_yticks(y, [_wrap(s.driver, 28) for s in rows])
    _percent_axis(ax)
    ax.set_xlabel("forecast with the driver off → on")
    ax.set_title("Drivers: how far each one swings the forecast")
    return fig


def sensitivity(f: Forecast) -> Figure | None:
    """The sensitivity table as bars: how many points each change moves the forecast."""
    from forecast import sensitivity as sens

    table = sens.table(f)
    if table is None or not table.rows:
        return None
    rows = [r for r in table.rows if r.note != "the pool used" and np.isfinite(r.delta)]
    if not rows:
        return None
    fig, ax = _figure(0.9 + 0.36 * len(rows))
    y = np.arange(len(rows))[::-1]
    colors = {"power-scaling": _PRIOR, "pool": _POST, "drop-one": _NEUTRAL}
    for yi, r in zip(y, rows, strict=True):
        ax.barh(yi, 100 * r.delta, color=colors.get(r.kind, _NEUTRAL), height=0.6)
        ax.text(
            100 * r.delta,
            yi,
            f" {fmt.pp(r.delta)} ",
            va="center",
            ha="left" if r.delta >= 0 else "right",
            fontsize=8,
        )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, [_wrap(r.label, 40) for r in rows])
    span = max(0.5, max(abs(100 * r.delta) for r in rows))
    ax.set_xlim(-span * 1.5, span * 1.5)
    ax.set_xlabel(f"change in percentage points from {fmt.pct(f.probability)}")
    ax.set_title("Sensitivity: how far the forecast moves")
    return fig


def calibration(bins: Sequence[Bin]) -> Figure | None:
    """Observed frequency against forecast probability over resolved questions."""
    used = [b for b in bins if b.n]
    if not used:
        return None
    fig, ax = _figure(3.6)
    ax.plot([0, 1], [0, 1], color="#999", linestyle="--", linewidth=1, label="perfect")
    rows = [(b.mean_forecast, b.observed, b.observed_lo, b.observed_hi) for b in used]
    x, obs, lo, hi = np.array(rows, dtype=float).T  # a bin with questions has every number
    err = [obs - lo, hi - obs]
    ax.errorbar(x, obs, yerr=err, fmt="o", color=_PRIOR, capsize=3, label="observed (90%)")
    for xi, oi, b in zip(x, obs, used, strict=True):
        ax.annotate(f"n={b.n}", (xi, oi), xytext=(5, 3), textcoords="offset points", fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    _percent_axis(ax)
    _percent_axis(ax, "y")
    ax.set_xlabel("forecast")
    ax.set_ylabel("how often it happened")
    ax.set_title("Calibration over resolved questions")
    ax.legend(frameon=False, loc="upper left")
    return fig


_PLOTS: tuple[tuple[str, str, Callable[[Forecast], Figure | None]], ...] = (
    (
        "prior-posterior",
        "Experts' pooled prior and the posterior of the propensity",
        prior_posterior,
    ),
    ("experts", "Each expert's fitted judgement", experts),
    ("waterfall", "What moved the forecast, step by step", waterfall),
)
"""The plots of every kind before the kind's own (:meth:`~forecast.kinds.protocol.Kind.plots`)."""

_LAST: tuple[tuple[str, str, Callable[[Forecast], Figure | None]], ...] = (
    ("sensitivity", "Sensitivity: how far the forecast moves", sensitivity),
)
"""The plots of every kind after the kind's own."""

CURVE_TITLE = "P(the event by each date)"
TORNADO_TITLE = "Drivers: how far each one swings the forecast"


CALIBRATION_TITLE = "Calibration over resolved questions"


def calibration_plot(bins: Sequence[Bin]) -> Plot | None:
    """The ledger-wide calibration plot as a PNG (None when no bin holds a forecast)."""
    with _style():
        fig = calibration(bins)
        if fig is None:
            return None
        try:
            return Plot("calibration", CALIBRATION_TITLE, _png(fig))
        finally:
            _close(fig)


def figures(jobs: Sequence[tuple[str, str, Callable[[], Figure | None]]]) -> list[Plot]:
    """The figures each job draws (None: nothing to draw), as PNG images in the report's
    style."""
    out: list[Plot] = []
    with _style():
        for name, title, job in jobs:
            fig = job()
            if fig is None:
                continue
            try:
                out.append(Plot(name, title, _png(fig)))
            finally:
                _close(fig)
    return out


def draw(f: Forecast) -> list[Plot]:
    """Every plot the forecast has data for, as PNG images, in report order."""
    from forecast import kinds

    first = figures([(name, title, partial(fn, f)) for name, title, fn in _PLOTS])
    last = figures([(name, title, partial(fn, f)) for name, title, fn in _LAST])
    return first + kinds.get(f.kind).plots(f) + last


def _close(fig: Figure) -> None:
    """Release a figure, including one pyplot made for ArviZ."""
    import sys

    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close(fig)
