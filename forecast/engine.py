"""From a loaded question to a :class:`~forecast.results.Forecast`: fit, build, sample."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace
from typing import TYPE_CHECKING

from forecast import kinds, results
from forecast.elicit.fit import located
from forecast.errors import ForecastError
from forecast.inference import SamplerSettings, Timer, sample
from forecast.kinds.protocol import Kind
from forecast.questions.loader import LoadedQuestion

if TYPE_CHECKING:
    import pymc as pm
    from pymc.step_methods import NUTS


def default_seed(sha256: str) -> int:
    """The seed used when none is given: derived from the file, so runs repeat."""
    return int(sha256[:8], 16) % (2**31 - 1)


def settings_for(q: LoadedQuestion, settings: SamplerSettings, seed: int | None) -> SamplerSettings:
    """Settings with the seed filled in for this question."""
    return replace(settings, seed=default_seed(q.sha256) if seed is None else seed)


def check_scenario(q: LoadedQuestion, scenario: str | None) -> None:
    """Refuse a scenario the question does not define."""
    if scenario is None:
        return
    accepts = getattr(kinds.of(q.spec), "accepts_scenario", None)  # queries, not names
    if accepts is not None and accepts(q.spec, scenario):
        return
    named = sorted(kinds.of(q.spec).scenarios(q.spec))
    if scenario not in named:
        raise ForecastError(
            f"{q.id}: no scenario {scenario!r}",
            hint=f"scenarios in {q.path.name}: {', '.join(named)}"
            if named
            else f"{q.path.name} defines no scenarios",
        )


def run(
    q: LoadedQuestion,
    settings: SamplerSettings,
    timer: Timer | None = None,
    *,
    progress: bool = False,
    scenario: str | None = None,
) -> results.Forecast:
    """Forecast one question of any supported kind (``scenario``: a named scenario).

    Every kind goes the same way: fit the judgements (``prepare``), build the PyMC
    model, sample it, and summarise the posterior into a Forecast.
    """
    check_scenario(q, scenario)
    kind = kinds.of(q.spec)
    timer = timer or Timer()
    direct = getattr(kind, "run_directly", None)  # a kind that forecasts without NUTS
    if direct is not None:
        with located(q):
            return _weighted(q, direct(q, settings, timer, scenario=scenario))
    with located(q):
        inputs = kind.prepare(q)
    timer.lap("fit judgements")
    from forecast import methods

    made, passed = methods.forecast(q, inputs, settings, timer, scenario=scenario)
    if made is not None:
        return _weighted(q, made)
    settings = methods.nuts(settings)
    model = kind.build(inputs)
    timer.lap("build model")
    idata = sample(model, settings, progress=progress)
    timer.lap("compile and sample")
    sampled = kind.summarise(q, inputs, idata, settings, timer, scenario=scenario)
    return _weighted(q, _passed(sampled, passed))


def _passed(forecast: results.Forecast, why: tuple[str, ...]) -> results.Forecast:
    """A sampled forecast, saying why ``auto`` passed over the other methods."""
    from forecast import methods

    if not why:
        return forecast
    return replace(forecast, diagnostics=methods.passed_over(forecast.diagnostics, why))


def _weighted(q: LoadedQuestion, forecast: results.Forecast) -> results.Forecast:
    """The forecast, saying how its experts' weights were earned when they were."""
    if q.weighting is not None:
        return replace(forecast, weighting=q.weighting)
    return forecast


class CompiledModels:
    """Forecasts again and again in one process, compiling each event model only once.

    A model is kept per :meth:`~forecast.kinds.protocol.Kind.structure` of its inputs
    (for an event question: experts, pool, evidence items applied and how, base rate or
    not) together with its compiled NUTS step. A question of a structure seen before
    gets its numbers swapped in (``pm.set_data``) and is sampled on the compiled step; a
    new structure is built and compiled once. Kinds whose models are not reused go
    through :func:`run`. ``builds`` counts the compiles.
    """

    def __init__(self, keep: int = 4) -> None:
        self.keep = keep
        self.builds = 0
        self._models: dict[tuple[Hashable, ...], tuple[pm.Model, NUTS, object]] = {}

    def model_for[I, D](
        self, kind: Kind[I, D], inputs: I, settings: SamplerSettings
    ) -> tuple[pm.Model, NUTS]:
        """The model and NUTS step for ``inputs``, built only for a new structure."""
        import pymc as pm

        from forecast.inference import quiet_pymc

        structure = kind.structure(inputs)
        assert structure is not None, f"{kind.name} models are not reused"
        key = (kind.name, *structure, settings.target_accept)
        hit = self._models.pop(key, None)
        if hit is None:
            model = kind.build(inputs, swappable=True)
            with quiet_pymc(), model:
                step = pm.NUTS(target_accept=settings.target_accept)
            hit = (model, step, step.sampling_state)
            self.builds += 1
        else:
            kind.swap_inputs(hit[0], inputs)
        self._models[key] = hit  # the most recently used last
        while len(self._models) > self.keep:
            del self._models[next(iter(self._models))]
        model, step, state = hit
        # Every run starts from the step's state as compiled, whatever ran before.
        step.sampling_state = state
        return model, step

    def run(
        self, q: LoadedQuestion, settings: SamplerSettings, timer: Timer | None = None
    ) -> results.Forecast:
        """Forecast ``q`` like :func:`run`, on a compiled model when one fits."""
        kind = kinds.of(q.spec)
        if getattr(kind, "run_directly", None) is not None:
            return run(q, settings, timer)
        timer = timer or Timer()
        with located(q):
            inputs = kind.prepare(q)
        timer.lap("fit judgements")
        from forecast import methods

        made, passed = methods.forecast(q, inputs, settings, timer)
        if made is not None:
            return _weighted(q, made)
        settings = methods.nuts(settings)
        if kind.structure(inputs) is None:
            model, step = kind.build(inputs), None
        else:
            model, step = self.model_for(kind, inputs, settings)
        timer.lap("build model")
        idata = sample(model, settings, step=step)
        timer.lap("compile and sample")
        return _weighted(q, _passed(kind.summarise(q, inputs, idata, settings, timer), passed))
