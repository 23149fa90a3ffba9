"""A quantity question as fitted, backend-free numbers: the experts' fits, the pool, data."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, partial
from typing import TYPE_CHECKING

from forecast.errors import FitError
from forecast.kinds.quantity.families import Dist, Support
from forecast.kinds.quantity.fit import JudgementFit, fit_judgement, statements
from forecast.kinds.quantity.grid import Density
from forecast.kinds.quantity.pool import LinearPool, normalise, pooled
from forecast.kinds.quantity.spec import QuantityQuestion
from forecast.kinds.quantity.update import Observations, conjugate
from forecast.questions.experts import given_weights

if TYPE_CHECKING:
    from forecast.kinds.quantity.quadrature import QuantityGrid


@dataclass(frozen=True)
class QuantityInputs:
    """Everything the quantity model needs, as plain numbers."""

    expert_names: tuple[str, ...]
    fits: tuple[JudgementFit, ...]
    weights: tuple[float, ...]
    method: str
    support: Support
    thresholds: tuple[float, ...]
    data: Observations | None

    @property
    def experts(self) -> tuple[Dist, ...]:
        """Each expert's fitted distribution (the family used)."""
        return tuple(f.dist for f in self.fits)

    def with_pool(
        self, method: str | None = None, weights: tuple[float, ...] | None = None
    ) -> QuantityInputs:
        """The same inputs under another pool method or other weights."""
        return QuantityInputs(
            self.expert_names,
            self.fits,
            self.weights if weights is None else weights,
            self.method if method is None else method,
            self.support,
            self.thresholds,
            self.data,
        )

    @cached_property
    def prior(self) -> Density:
        """The experts' pooled distribution."""
        return pooled(self.method, self.experts, self.weights)

    @cached_property
    def closed_form(self) -> Density | None:
        """The distribution after the data in closed form: a linear pool without data, the
        conjugate update of a linear pool of normals or lognormals; None otherwise."""
        if self.data is None:
            return self.prior if isinstance(self.prior, LinearPool) else None
        return conjugate(self.prior, self.data)

    @cached_property
    def grid(self) -> QuantityGrid:
        """The posterior and its variants on the adaptive quadrature grid."""
        from forecast.kinds.quantity.quadrature import Problem, QuantityGrid

        problem = Problem(
            self.support, self.experts, self.weights, self.method, self.data, self.thresholds
        )
        return QuantityGrid.of(problem)

    @cached_property
    def exact_posterior(self) -> Density:
        """The distribution after the data: in closed form when it has one, else by
        quadrature on :attr:`grid`."""
        closed = self.closed_form
        return closed if closed is not None else self.grid.posterior

    @property
    def normalised_weights(self) -> tuple[float, ...]:
        """The weights summing to 1."""
        return normalise(self.weights)


def observations(spec: QuantityQuestion) -> Observations | None:
    """The file's data as plain numbers."""
    if spec.data is None:
        return None
    m = spec.data.measurement
    return Observations(tuple(spec.data.values), m.sd, m.scale == "log")


def prepare(spec: QuantityQuestion, method: str | None = None) -> QuantityInputs:
    """Fit every judgement of a quantity question (``method`` overrides the file's pool).

    Raises
    ------
    FitError
        Placed at the judgement that could not be fitted.
    """
    from forecast.kinds.quantity.fitcache import QuantityFitCache

    support = spec.limits
    cache = QuantityFitCache()
    fits = []
    for i, e in enumerate(spec.experts):
        fixed = e.family or spec.family
        try:
            fits.append(
                cache.fit(
                    statements(e.judgement),
                    support,
                    spec.families,
                    fixed,
                    partial(fit_judgement, e.judgement, support, spec.families, fixed),
                )
            )
        except FitError as exc:
            raise exc.at("experts", i, "judgement") from None
    cache.flush()
    return QuantityInputs(
        tuple(e.name for e in spec.experts),
        tuple(fits),
        given_weights([e.weight for e in spec.experts]),
        method or spec.pool.method,
        support,
        tuple(spec.thresholds),
        observations(spec),
    )
