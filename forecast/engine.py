"""From a loaded question to a :class:`~forecast.results.Forecast`: fit, build, sample."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from forecast import results
from forecast.inference import SamplerSettings, Timer, diagnose, sample
from forecast.spec import LoadedQuestion
from forecast.spec.event import EventQuestion


def default_seed(sha256: str) -> int:
    """The seed used when none is given: derived from the file, so runs repeat."""
    return int(sha256[:8], 16) % (2**31 - 1)


def settings_for(q: LoadedQuestion, settings: SamplerSettings, seed: int | None) -> SamplerSettings:
    """Settings with the seed filled in for this question."""
    return replace(settings, seed=default_seed(q.sha256) if seed is None else seed)


def run_event(
    q: LoadedQuestion,
    settings: SamplerSettings,
    timer: Timer | None = None,
    *,
    progress: bool = False,
) -> results.Forecast:
    """Sample an event question and summarise it."""
    from forecast.models import event

    timer = timer or Timer()
    spec = q.spec
    assert isinstance(spec, EventQuestion)
    inputs = event.prepare(spec)
    timer.lap("fit judgements")
    model = event.build(inputs)
    timer.lap("build model")
    idata = sample(model, settings, progress=progress)
    timer.lap("compile and sample")
    return summarise_event(q, inputs, idata, settings, timer)


def summarise_event(
    q: LoadedQuestion,
    inputs: Any,
    idata: Any,
    settings: SamplerSettings,
    timer: Timer | None = None,
) -> results.Forecast:
    """Posterior of an event model -> Forecast (used with real or fabricated draws)."""
    spec = q.spec
    assert isinstance(spec, EventQuestion)
    post = idata["posterior"]
    names = ["p", "q"] + (["llr"] if "llr" in post else [])
    seconds = float(idata["posterior"].attrs.get("sampling_time", 0.0) or 0.0)
    diag = diagnose(idata, names, seconds)
    q_chain = np.asarray(post["q"].values, dtype=float)
    q_flat = q_chain.reshape(-1)
    p_flat = np.asarray(post["p"].values, dtype=float).reshape(-1)
    prior = inputs.prior
    llr_cols: list[tuple[str, np.ndarray]] = []
    uncertain = [e for e in inputs.applied if not e.fitted.fixed]
    if uncertain:
        llr = np.asarray(post["llr"].values, dtype=float).reshape(-1, len(uncertain))
    col = 0
    for e in inputs.applied:
        if e.fitted.fixed:
            shift = np.full_like(p_flat, e.fitted.params["mu"])
        else:
            shift = llr[:, col]
            col += 1
        llr_cols.append((f"evidence: {e.id}", shift))
    steps = results.event_steps(prior.mean(), p_flat, llr_cols, inputs.base_rate is not None)
    br = spec.base_rate
    forecast = results.Forecast(
        question_id=q.id,
        title=spec.title,
        kind=spec.kind,
        deadline=spec.deadline,
        status=spec.status,
        resolution=spec.resolution,
        probability=float(q_flat.mean()),
        mcse=results.mcse_mean(q_chain),
        intervals=results.intervals_of(q_flat),
        prior_probability=prior.mean(),
        prior_interval=results.Interval(0.95, prior.ppf(0.025), prior.ppf(0.975)),
        steps=tuple(steps),
        experts=tuple(
            results.expert_view(e.name, e.judgement.form, w, f)
            for e, w, f in zip(spec.experts, prior.weights, inputs.experts, strict=True)
        ),
        evidence=tuple(results.evidence_view(e) for e in inputs.evidence),
        base_rate=None
        if br is None
        else {
            "successes": br.successes,
            "trials": br.trials,
            "weight": br.weight,
            "reference_class": br.reference_class,
            "effective_trials": br.weight * br.trials,
        },
        diagnostics=diag,
        provenance=results.provenance(str(q.path), q.sha256, settings),
    )
    if timer is not None:
        timer.lap("summarise")
    return forecast


def run(
    q: LoadedQuestion,
    settings: SamplerSettings,
    timer: Timer | None = None,
    *,
    progress: bool = False,
) -> results.Forecast:
    """Forecast one question of any supported kind."""
    if q.spec.kind == "event":
        return run_event(q, settings, timer, progress=progress)
    raise NotImplementedError(q.spec.kind)  # pragma: no cover - the loader rejects others
