"""Sampling, sampler settings and convergence diagnostics."""

from __future__ import annotations

import contextlib
import logging
import os
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NotRequired, TypedDict

import numpy as np

from forecast.errors import SamplingError

if TYPE_CHECKING:
    import pymc as pm
    from pymc.step_methods import NUTS
    from xarray import DataTree

RHAT_MAX = 1.01
ESS_MIN = 400


@dataclass(frozen=True)
class SamplerSettings:
    """How to sample: draws and tuning steps per chain, chains, seed."""

    draws: int = 1000
    tune: int = 1000
    chains: int = 4
    seed: int = 0
    target_accept: float = 0.9
    method: str = "auto"
    """How to infer: ``auto``, ``exact``, ``importance`` or ``nuts`` (see
    :mod:`forecast.methods`); in a forecast's provenance, the method that was used."""

    @property
    def name(self) -> str:
        """The sampler's name for provenance."""
        return SAMPLER_NAMES.get(self.method, "pymc-nuts")


SAMPLER_NAMES = {"exact": "exact-quadrature", "importance": "psis-importance", "nuts": "pymc-nuts"}
"""The ``provenance.sampler`` of each method."""


class DiagnosticsJSON(TypedDict):
    """The ``diagnostics`` object of ``forecast.run/1`` (``docs/json.md``)."""

    rhat_max: float
    ess_bulk_min: float
    ess_tail_min: float
    divergences: int
    draws: int
    chains: int
    sampling_seconds: float
    ok: bool
    warnings: list[str]
    method: str
    passed_over: NotRequired[list[str]]
    enumerated: NotRequired[int | None]
    quadrature_error: NotRequired[float | None]
    grid_points: NotRequired[int | None]
    pareto_k: NotRequired[float | None]
    importance_ess: NotRequired[float | None]


@dataclass(frozen=True)
class Diagnostics:
    """Convergence diagnostics over the quantities that make the forecast."""

    rhat_max: float
    ess_bulk_min: float
    ess_tail_min: float
    divergences: int
    draws: int
    chains: int
    sampling_seconds: float
    warnings: tuple[str, ...] = field(default=())
    method: str = "nuts"
    """The inference method that made the forecast: ``exact``, ``importance`` or ``nuts``."""
    quadrature_error: float | None = None
    """exact: the largest change of the forecast and its intervals on a grid half as fine."""
    grid_points: int | None = None
    """exact: points of the quadrature grid in logit p."""
    pareto_k: float | None = None
    """importance: the Pareto k of the smoothed weights (trusted up to 0.7)."""
    importance_ess: float | None = None
    """importance: the effective sample size of the weights."""
    enumerated: int | None = None
    """The joint states enumerated for the headline (a network: exact, whatever made the
    intervals); None for a quadrature or a sampled headline."""
    passed_over: tuple[str, ...] = ()
    """Why ``--method auto`` did not make the forecast by an earlier method (``exact:
    quadrature error estimate 2e-05 > 1e-06 ...``); empty when the first one made it."""

    @property
    def closed_form(self) -> bool:
        """An exact posterior in closed form: its quadrature error estimate is 0 exactly
        (as ``quadrature_error`` is documented), not a grid's small number."""
        return self.method == "exact" and self.enumerated is None and self.quadrature_error == 0.0

    @property
    def ok(self) -> bool:
        """True when nothing is worse than the thresholds."""
        return not self.warnings

    def to_dict(self) -> DiagnosticsJSON:
        """Plain data for JSON."""
        out: DiagnosticsJSON = {
            "rhat_max": self.rhat_max,
            "ess_bulk_min": self.ess_bulk_min,
            "ess_tail_min": self.ess_tail_min,
            "divergences": self.divergences,
            "draws": self.draws,
            "chains": self.chains,
            "sampling_seconds": self.sampling_seconds,
            "ok": self.ok,
            "warnings": list(self.warnings),
            "method": self.method,
            "passed_over": list(self.passed_over),
        }
        if self.enumerated is not None:
            out["enumerated"] = self.enumerated
        if self.method == "exact" and self.enumerated is None:
            out["quadrature_error"] = self.quadrature_error
            out["grid_points"] = self.grid_points
        elif self.method == "importance":
            out["pareto_k"] = self.pareto_k
            out["importance_ess"] = self.importance_ess
        return out

    def error_note(self, mcse: float) -> str:
        """How precise the headline is: its Monte Carlo error, or the quadrature error."""
        if self.enumerated is not None:
            return f"exact (enumeration of {self.enumerated} joint states)"
        if self.closed_form:
            return "exact (closed form)"
        if self.method == "exact":
            return f"exact (quadrature error {self.quadrature_error or 0.0:.0e})"
        return f"Monte Carlo error ±{100.0 * mcse:.2g} pp"

    def summary(self) -> str:
        """One line for reports: the method and its diagnostic."""
        if self.enumerated is not None and self.method == "exact":
            return (
                f"exact (enumeration of {self.enumerated} joint states) · intervals from "
                f"{self.draws} draws of the cells' prior, no evidence to weight them by"
            )
        if self.closed_form:
            return "exact (closed form: the posterior is a known distribution, no quadrature)"
        if self.method == "exact":
            return (
                f"exact (quadrature on {self.grid_points} points) · error estimate "
                f"{self.quadrature_error or 0.0:.1e} (a grid half as fine)"
            )
        if self.method == "importance":
            return (
                f"importance sampling (PSIS) · Pareto k {self.pareto_k:.2f} · "
                f"ESS {self.importance_ess:.0f} of {self.chains * self.draws} draws"
            ) + self._passed()
        return (
            f"R-hat {self.rhat_max:.3f} · bulk ESS {self.ess_bulk_min:.0f} · "
            f"tail ESS {self.ess_tail_min:.0f} · {self.divergences} divergences · "
            f"{self.chains}×{self.draws} draws"
        ) + self._passed()

    def _passed(self) -> str:
        """Why ``auto`` sampled (or used importance) rather than an earlier method."""
        if not self.passed_over:
            return ""
        return f" · {self.method}, since " + "; ".join(self.passed_over)


@contextlib.contextmanager
def quiet_pymc() -> Iterator[None]:
    """Silence PyMC's and PyTensor's log chatter; our report says what matters."""
    loggers = [logging.getLogger(n) for n in ("pymc", "pytensor", "pymc.sampling.mcmc")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, lv in zip(loggers, levels, strict=True):
            lg.setLevel(lv)


def sample(
    model: pm.Model,
    settings: SamplerSettings,
    *,
    progress: bool = False,
    step: NUTS | None = None,
) -> DataTree:
    """Run NUTS on ``model`` and return the ArviZ ``DataTree``.

    Chains run one after another in this process: for the small models of a question
    file that is faster than starting worker processes. ``step``: a NUTS step already
    compiled for ``model`` (see :class:`forecast.engine.CompiledModels`), reused
    instead of compiling a new one.
    """
    import pymc as pm

    how: dict[str, object] = (
        {"target_accept": settings.target_accept} if step is None else {"step": step}
    )
    try:
        with quiet_pymc(), model:
            return pm.sample(
                draws=settings.draws,
                tune=settings.tune,
                chains=settings.chains,
                cores=1,
                random_seed=settings.seed,
                progressbar=progress,
                compute_convergence_checks=False,
                **how,
            )
    except (ValueError, RuntimeError, FloatingPointError) as exc:
        raise SamplingError(
            f"sampling failed: {exc}",
            hint="run `forecast show` to check the fitted judgements; --debug shows details",
        ) from exc


def _worst(values: list[float], pick: Callable[[list[float]], float], default: float) -> float:
    """The worst finite value (NaN when every value is NaN), or ``default`` when none."""
    if not values:
        return default
    finite = [v for v in values if np.isfinite(v)]
    return float(pick(finite)) if finite else float("nan")


def diagnose(idata: DataTree, var_names: list[str], seconds: float) -> Diagnostics:
    """R-hat, bulk and tail ESS (ArviZ) and divergences, with warnings and advice."""
    import arviz_stats as azs

    post = idata["posterior"]
    rhats: list[float] = []
    bulk: list[float] = []
    tail: list[float] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in var_names:
            arr = np.asarray(post[name].values, dtype=float)
            arr = arr.reshape(arr.shape[0], arr.shape[1], -1)
            for i in range(arr.shape[2]):
                x = arr[:, :, i]
                if np.ptp(x) == 0:
                    continue
                rhats.append(float(azs.rhat(x, chain_axis=0, draw_axis=1)))
                bulk.append(float(azs.ess(x, chain_axis=0, draw_axis=1, method="bulk")))
                tail.append(float(azs.ess(x, chain_axis=0, draw_axis=1, method="tail", prob=0.05)))
    stats = idata["sample_stats"]
    div_name = "diverging" if "diverging" in stats else "divergences"
    divergences = int(np.asarray(stats[div_name].values).sum()) if div_name in stats else 0
    chains, draws = post.sizes["chain"], post.sizes["draw"]
    rhat_max = _worst(rhats, max, 1.0)
    ess_bulk = _worst(bulk, min, float(chains * draws))
    ess_tail = _worst(tail, min, float(chains * draws))
    notes: list[str] = []
    if chains < 2:
        rhat_max = float("nan")
        notes.append(
            f"R-hat needs at least 2 chains (got {chains}): convergence cannot be checked; "
            "use --chains 4"
        )
    elif not np.isfinite(rhat_max) or rhat_max > RHAT_MAX:
        notes.append(
            f"R-hat {rhat_max:.4f} > {RHAT_MAX}: chains disagree; "
            "try more --draws or check for a multi-modal pool"
        )
    if ess_bulk < ESS_MIN:
        notes.append(f"bulk ESS {ess_bulk:.0f} < {ESS_MIN}: try more --draws")
    if ess_tail < ESS_MIN:
        notes.append(
            f"tail ESS {ess_tail:.0f} < {ESS_MIN}: intervals are unreliable; try more --draws"
        )
    if divergences:
        notes.append(
            f"{divergences} divergent transitions: the posterior may be biased; "
            "check for extreme judgements (probabilities near 0 or 1)"
        )
    return Diagnostics(
        rhat_max, ess_bulk, ess_tail, divergences, draws, chains, seconds, tuple(notes)
    )


def since_process_start() -> tuple[float, bool]:
    """Seconds since this process started, and whether that is wall time: from
    ``/proc/self/stat``'s start time (in clock ticks since boot, 10 ms on most systems)
    against the boot-time clock; where there is no ``/proc``, the CPU time used so far
    (interpreter start-up and imports are mostly CPU)."""
    try:
        stat = Path("/proc/self/stat").read_text(encoding="ascii")
        start = int(stat[stat.rindex(")") + 2 :].split()[19])  # field 22, starttime
        elapsed = time.clock_gettime(time.CLOCK_BOOTTIME) - start / os.sysconf("SC_CLK_TCK")
        return max(0.0, elapsed), True
    except (OSError, ValueError, IndexError, AttributeError):
        return time.process_time(), False


class Timer:
    """Wall-clock phases for the ``--timings`` breakdown, from the process's start."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self._t = time.perf_counter()
        self.startup, self.startup_is_wall = since_process_start()
        """Seconds from the process's start to this timer: the interpreter, imports and
        option parsing, before the first phase."""

    def breakdown(self) -> list[tuple[str, float]]:
        """Every phase in order, led by the start-up and closed by what came after the
        last phase (printing the summary), then the total: the lines add up to it."""
        head = "start-up and imports" + ("" if self.startup_is_wall else " (CPU)")
        rows = [(head, self.startup), *self.phases.items()]
        rest = time.perf_counter() - self._t
        if rest >= 0.005:
            rows.append(("after the last phase", rest))
        return [*rows, ("total", sum(secs for _, secs in rows))]

    def lap(self, name: str) -> None:
        """Close the current phase under ``name``."""
        now = time.perf_counter()
        self.phases[name] = self.phases.get(name, 0.0) + now - self._t
        self._t = now
