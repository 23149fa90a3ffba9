"""The exact method for quantity questions: its density against PyMC's, its numbers
against closed forms and SciPy's quadrature, its power-scaling against ArviZ and the
normal-normal closed form, its fallback, and a long NUTS run."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, stats

from forecast.errors import UsageError
from forecast.inference import SamplerSettings
from forecast.kinds.quantity import model
from forecast.kinds.quantity import quadrature as quad
from forecast.kinds.quantity.families import Dist, Family, Support
from forecast.kinds.quantity.fit import FamilyFit, JudgementFit
from forecast.kinds.quantity.inputs import QuantityInputs, prepare
from forecast.kinds.quantity.power import power_scaling, power_scaling_exact
from forecast.kinds.quantity.sensitivity import rows
from forecast.kinds.quantity.update import Observations
from tests.conftest import PRIORS

REAL, POSITIVE, BOUNDED = Support(), Support(0.0), Support(0.0, 5000.0)
EXPERTS: dict[Family, Dist] = {
    "normal": Dist("normal", 100.0, 20.0, REAL),
    "t": Dist("t", 130.0, 15.0, REAL),
    "gamma": Dist("gamma", 2.5, 0.003, POSITIVE),
    "lognormal": Dist("lognormal", 6.5, 0.6, POSITIVE),
    "logt": Dist("logt", 7.2, 0.3, POSITIVE),
    "beta": Dist("beta", 2.0, 5.0, BOUNDED),
}
TUNGSTEN = PRIORS / "us-finance-kazakhstan-tungsten.yaml"


def _inputs(
    dists: tuple[Dist, ...],
    data: Observations | None,
    method: str = "linear",
    weights: tuple[float, ...] | None = None,
    thresholds: tuple[float, ...] = (),
) -> QuantityInputs:
    fits = tuple(JudgementFit((FamilyFit(d, 0.0),), d.family, ()) for d in dists)
    names = tuple(f"e{i}" for i in range(len(dists)))
    w = weights or (1.0,) * len(dists)
    return QuantityInputs(names, fits, w, method, dists[0].support, thresholds, data)


def _configs() -> dict[str, QuantityInputs]:
    out: dict[str, QuantityInputs] = {}
    natural = {
        "real": Observations((120.0, 135.0), 15.0, False),
        "positive": Observations((900.0, 700.0), 250.0, False),
        "bounded": Observations((1500.0,), 400.0, False),
    }
    groups: dict[str, tuple[Dist, ...]] = {
        "real": (EXPERTS["normal"], EXPERTS["t"]),
        "positive": (EXPERTS["gamma"], EXPERTS["lognormal"], EXPERTS["logt"]),
        "bounded": (EXPERTS["beta"], Dist("beta", 4.0, 3.0, BOUNDED)),
    }
    for support, dists in groups.items():
        options: dict[str, Observations | None] = {"none": None, "natural": natural[support]}
        if support == "positive":
            options["log"] = Observations((900.0, 700.0), 0.5, True)
        for method in ("linear", "logarithmic"):
            for name, obs in options.items():
                out[f"{support}-{method}-{name}"] = _inputs(
                    dists, obs, method, (1.0, 2.0, 0.5)[: len(dists)]
                )
    for family, d in EXPERTS.items():
        support = {"normal": "real", "t": "real", "beta": "bounded"}.get(family, "positive")
        out[f"{family}-alone"] = _inputs((d,), natural[support])
    return out


CONFIGS = _configs()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_grid_density_is_pymcs_compile_logp(name: str) -> None:
    """The log density the grid integrates, in its coordinate u, equals the PyMC model's
    in z = (u - c) / scale at 1,000 random points over the grid's range to 1e-8 (relative
    where the log density is below -1: far in a gamma's tail it reaches -1e15, where a
    double's last digit is 0.1), up to a constant: log scale and the last digits of a
    normalising constant (SciPy's and PyMC's log Beta function differ by 1.6e-8); a
    constant does not change the normalised posterior."""
    inputs = CONFIGS[name]
    m = model.build(inputs)
    logp = m.compile_logp()
    c, scale = model._centre(inputs)
    grid = inputs.grid
    rng = np.random.default_rng(11)
    u = np.sort(rng.uniform(grid.table.u[0], grid.table.u[-1], 1000))
    ours = quad.tabulate(grid.problem, u).log_post(grid.main)
    theirs = np.array([float(logp({"z": np.asarray((v - c) / scale)})) for v in u])
    theirs -= math.log(scale)
    assert np.all(np.isfinite(ours))
    gaps = ours - theirs
    assert abs(gaps[0]) < 1e-6
    assert np.all(np.abs(gaps - gaps[0]) < 1e-8 * np.maximum(1.0, np.abs(theirs)))


def _normal_posterior(m: float, s: float, y: np.ndarray, sd: float) -> tuple[float, float]:
    prec = 1 / s**2 + len(y) / sd**2
    return (m / s**2 + y.sum() / sd**2) / prec, 1 / math.sqrt(prec)


@pytest.mark.parametrize("log", [False, True])
def test_grid_posterior_matches_the_conjugate_closed_form(log: bool) -> None:
    """Normal prior with natural-scale error; lognormal prior with log-scale error."""
    if log:
        prior = Dist("lognormal", 6.5, 0.6, POSITIVE)
        obs = Observations((900.0, 700.0, 1100.0), 0.4, True)
    else:
        prior = Dist("normal", 100.0, 20.0, REAL)
        obs = Observations((130.0, 150.0), 15.0, False)
    mean, sd = _normal_posterior(prior.a, prior.b, obs.transformed, obs.sd)
    grid = _inputs((prior,), obs, thresholds=(120.0,)).grid
    assert grid.error < 1e-6
    post = grid.posterior
    levels = np.array([0.001, 0.025, 0.25, 0.5, 0.75, 0.975, 0.999])
    z = stats.norm.ppf(levels, mean, sd)
    expected = np.exp(z) if log else z
    assert np.max(np.abs(np.asarray(post.ppf(levels)) - expected) / np.abs(expected)) < 1e-7
    xs = expected
    assert np.max(np.abs(np.asarray(post.cdf(xs)) - levels)) < 1e-8


def test_grid_posterior_of_a_mixed_pool_matches_scipy_quad() -> None:
    """Gamma, lognormal and log-t experts, a linear and a logarithmic pool, log-scale data."""
    obs = Observations((900.0, 700.0), 0.5, True)
    dists = (EXPERTS["gamma"], EXPERTS["lognormal"], EXPERTS["logt"])
    for method in ("linear", "logarithmic"):
        inputs = _inputs(dists, obs, method, (1.0, 1.0, 0.5), (500.0, 1000.0))
        w = inputs.normalised_weights

        def unnorm(x: float, w: tuple[float, ...] = w, method: str = method) -> float:
            parts = [float(d.logpdf(x)) for d in dists]
            if method == "linear":
                prior = math.log(sum(wi * math.exp(p) for wi, p in zip(w, parts, strict=True)))
            else:
                prior = sum(wi * p for wi, p in zip(w, parts, strict=True))
            lik = sum(stats.norm.logpdf(math.log(v), math.log(x), 0.5) for v in obs.values)
            return math.exp(prior + lik + 12)

        def integral(lo: float, hi: float) -> float:
            return float(integrate.quad(unnorm, lo, hi, limit=500, points=[700, 900])[0])

        total = integral(1e-9, 1e4) + float(integrate.quad(unnorm, 1e4, np.inf, limit=200)[0])
        post = inputs.grid.posterior
        for t in (300.0, 500.0, 800.0, 1000.0, 1500.0):
            assert float(post.cdf(t)) == pytest.approx(integral(1e-9, t) / total, abs=1e-8)


def test_power_scaling_on_the_grid_matches_the_normal_normal_closed_form() -> None:
    prior = Dist("normal", 10.0, 2.0, REAL)
    obs = Observations((13.0, 14.5, 12.0), 3.0, False)
    inputs = _inputs((prior,), obs, thresholds=(12.0,))
    y = obs.transformed

    def closed(a_prior: float, a_lik: float) -> float:
        prec = a_prior / 4 + a_lik * 3 / 9
        mean = (a_prior * 10 / 4 + a_lik * y.sum() / 9) / prec
        return float(stats.norm.sf(12.0, mean, 1 / math.sqrt(prec)))

    s = power_scaling_exact(inputs, inputs.grid, 12.0, "data", 4000)
    expected = [closed(0.5, 1), closed(2, 1), closed(1, 0.5), closed(1, 2)]
    assert [m.forecast for m in s.moves] == pytest.approx(expected, abs=1e-8)
    sens = {r.label: r.probability for r in rows(inputs, "data")}
    assert sens["experts' prior counted half"] == pytest.approx(closed(0.5, 1), abs=1e-8)
    assert sens["data counted double"] == pytest.approx(closed(1, 2), abs=1e-8)


def test_power_scaling_on_the_grid_agrees_with_arviz_on_exact_draws() -> None:
    """ArviZ's sensitivity values on 40,000 draws of the exact posterior (PSIS and empirical
    CDFs) against the grid's (re-weighting and exact CDFs)."""
    dists = (EXPERTS["gamma"], EXPERTS["lognormal"], EXPERTS["logt"])
    inputs = _inputs(dists, Observations((900.0, 700.0), 0.5, True), thresholds=(1000.0,))
    from forecast.kinds.quantity.exact import draws

    x = draws(inputs, 4, 10_000, 3)
    sampled = power_scaling(inputs, x, 1000.0, "data")
    exact = power_scaling_exact(inputs, inputs.grid, 1000.0, "data", 4000)
    for a, b in zip(sampled.quantities, exact.quantities, strict=True):
        assert a.name == b.name
        assert b.prior == pytest.approx(a.prior, rel=0.1, abs=0.005)
        assert b.likelihood == pytest.approx(a.likelihood, rel=0.1, abs=0.005)
    for a, b in zip(sampled.moves, exact.moves, strict=True):
        assert b.forecast == pytest.approx(a.forecast, abs=0.01)


def test_auto_takes_exact_and_json_says_so(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from forecast.cli import app

    r = CliRunner().invoke(app, ["run", str(TUNGSTEN), "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    d = doc["diagnostics"]
    assert d["method"] == "exact" and d["ok"] and d["quadrature_error"] <= 1e-6
    assert d["grid_points"] >= quad.START and doc["mcse"] == 0.0
    assert doc["provenance"]["sampler"] == "exact-quadrature"
    assert doc["quantity"]["median"] == doc["quantity"]["exact"]["median"]


def test_an_unresolved_grid_falls_back_under_auto_and_refuses_exact(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from forecast import kinds
    from forecast.questions.loader import load_question

    monkeypatch.setattr(quad, "TOLERANCE", 1e-300)
    monkeypatch.setattr(quad, "MOST", quad.START)
    q = load_question(TUNGSTEN)
    kind = kinds.get("quantity")
    settings = SamplerSettings(method="exact")
    from forecast.methods import Declined

    with pytest.raises(Declined, match="the quadrature error"):
        kind.forecast_exact(q, kind.prepare(q), settings, auto=True)
    with pytest.raises(UsageError, match="no exact forecast: the quadrature error"):
        kind.forecast_exact(q, kind.prepare(q), settings)


def test_grid_error_estimate_is_an_upper_bound_of_the_true_error() -> None:
    """On the conjugate lognormal case the grid's own estimate is at least its real error."""
    prior = Dist("lognormal", 6.5, 0.6, POSITIVE)
    obs = Observations((900.0, 700.0), 0.4, True)
    inputs = _inputs((prior,), obs, thresholds=(600.0, 900.0))
    mean, sd = _normal_posterior(6.5, 0.6, obs.transformed, 0.4)
    post = inputs.grid.posterior
    true = float(
        np.max(
            np.abs(
                post.cdf(np.array([600.0, 900.0])) - stats.norm.cdf(np.log([600, 900]), mean, sd)
            )
        )
    )
    assert true <= max(inputs.grid.error, 1e-12)


@pytest.mark.slow
def test_exact_agrees_with_a_long_nuts_run_within_3_mcse() -> None:
    import arviz_stats as azs

    from forecast import engine
    from forecast.questions.loader import load_question

    q = load_question(TUNGSTEN)
    settings = SamplerSettings(draws=5000, tune=1000, chains=4, seed=5, method="nuts")
    sampled = engine.run(q, settings)
    exact = engine.run(q, SamplerSettings(method="exact"))
    x = sampled.draws["x"].reshape(4, -1)
    inputs = prepare(q.spec)  # type: ignore[arg-type]
    for t in inputs.thresholds:
        above = (x > t).astype(float)
        mcse = float(azs.mcse(above, chain_axis=0, draw_axis=1, method="mean"))
        p = float(1 - inputs.exact_posterior.cdf(t))
        assert abs(above.mean() - p) <= 3 * mcse, (t, above.mean(), p, mcse)
    assert abs(sampled.probability - exact.probability) <= 3 * sampled.mcse


def test_the_exact_quantity_path_imports_neither_pymc_pytensor_nor_arviz(tmp_path: Path) -> None:
    """`forecast run` on a quantity question, twice with one fit cache in the test's
    folder (the second run's cache is warm), loads none of them, nor xarray; the warm
    run loads neither scipy.stats nor scipy.optimize."""
    import os
    import subprocess
    import sys

    code = (
        "import atexit, sys\n"
        "heavy = ('pymc', 'pytensor', 'arviz', 'arviz_base', 'arviz_stats', 'xarray')\n"
        "atexit.register(lambda: print('LOADED', sorted({m.split('.')[0] for m in sys.modules"
        " if m.split('.')[0] in heavy}), file=sys.stderr))\n"
        "atexit.register(lambda: print('SCIPY', sorted({m for m in sys.modules"
        " if m in ('scipy.stats', 'scipy.optimize')}), file=sys.stderr))\n"
        "from forecast.cli import main\n"
        "main()\n"
    )
    env = {**os.environ, "FORECAST_CACHE_DIR": str(tmp_path / "cache")}
    for warm in (False, True):
        proc = subprocess.run(
            [sys.executable, "-c", code, "run", str(TUNGSTEN), "--format", "json"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["diagnostics"]["method"] == "exact"
        assert "LOADED []" in proc.stderr, proc.stderr
        assert ("SCIPY []" in proc.stderr) == warm, proc.stderr
        assert (tmp_path / "cache" / "quantity-fits-v1.json").is_file()


def test_cached_fits_are_the_fits(tmp_path: Path) -> None:
    """A warm cache gives back every family's parameters and fit error as fitted."""
    from forecast.kinds.quantity.fit import fit_judgement, statements
    from forecast.kinds.quantity.fitcache import QuantityFitCache
    from forecast.kinds.quantity.spec import QuantityQuestion
    from forecast.questions.loader import load_question

    spec = load_question(TUNGSTEN).spec
    assert isinstance(spec, QuantityQuestion)
    fresh = [fit_judgement(e.judgement, spec.limits, spec.families) for e in spec.experts]
    cold = QuantityFitCache(tmp_path / "fits.json")
    for e, f in zip(spec.experts, fresh, strict=True):
        made = cold.fit(statements(e.judgement), spec.limits, spec.families, None, lambda f=f: f)
        assert made is f

    def fail() -> JudgementFit:
        raise AssertionError("the cache missed")

    cold.flush()
    warm = QuantityFitCache(tmp_path / "fits.json")
    for e, f in zip(spec.experts, fresh, strict=True):
        got = warm.fit(statements(e.judgement), spec.limits, spec.families, None, fail)
        assert got.chosen == f.chosen and got.statements == f.statements
        assert [(g.dist, g.sse) for g in got.fits] == [(g.dist, g.sse) for g in f.fits]
