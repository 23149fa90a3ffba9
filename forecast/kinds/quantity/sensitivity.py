"""How much a quantity's forecast depends on each input, all by quadrature (no refit).

The posterior is one-dimensional, so every variant is computed exactly on a grid: the
experts' prior or the observed values counted half and double (power-scaling: the
density raised to 0.5 or 2), the other pool, and each expert left out. Each row gives
the median and P(X > t) for the first threshold, measured from the headline.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from forecast.kinds.quantity.grid import Density
from forecast.kinds.quantity.inputs import QuantityInputs
from forecast.kinds.quantity.pool import normalise

SCALES = (0.5, 2.0)
INFLUENCE = 0.05
"""An expert whose removal moves P(X > t) by more than this (5 pp) is flagged."""


@dataclass(frozen=True)
class Row:
    """The forecast with one input changed."""

    label: str
    kind: str  # "power-scaling", "pool" or "drop-one"
    median: float
    delta_median: float
    probability: float | None
    delta: float | None
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return dict(self.__dict__)


def _row(
    label: str,
    kind: str,
    dist: Density,
    ref: tuple[float, float | None],
    t: float | None,
    note: str = "",
) -> Row:
    median = float(dist.ppf(0.5))
    p = None if t is None else float(1 - dist.cdf(t))
    delta = None if p is None or ref[1] is None else p - ref[1]
    return Row(label, kind, median, median - ref[0], p, delta, note)


def rows(inputs: QuantityInputs, data_label: str = "observed values") -> tuple[Row, ...]:
    """Every sensitivity row, measured from the exact headline, each a variant of the
    posterior on the quantity's quadrature grid (:attr:`QuantityInputs.grid`)."""
    from forecast.kinds.quantity.quadrature import Variant

    grid = inputs.grid
    head = inputs.exact_posterior
    t = inputs.thresholds[0] if inputs.thresholds else None
    ref = (float(head.ppf(0.5)), None if t is None else float(1 - head.cdf(t)))
    main = grid.main
    out: list[Row] = []
    if inputs.data is not None:
        for label, prior in (("experts' prior", True), (data_label, False)):
            for alpha in SCALES:
                how = "counted half" if alpha < 1 else "counted double"
                powers = (alpha, 1.0) if prior else (1.0, alpha)
                v = Variant(main.method, main.weights, *powers)
                out.append(_row(f"{label} {how}", "power-scaling", grid.density(v), ref, t))
    if len(inputs.experts) > 1:
        for method in ("linear", "logarithmic"):
            note = "the pool used" if method == inputs.method else ""
            v = Variant(method, main.weights)
            out.append(_row(f"{method} pool", "pool", grid.density(v), ref, t, note))
        for i, name in enumerate(inputs.expert_names):
            if sum(1 for j, w in enumerate(inputs.weights) if j != i and w > 0) == 0:
                continue
            w = normalise(tuple(0.0 if j == i else v for j, v in enumerate(inputs.weights)))
            r = _row(f"without {name}", "drop-one", grid.density(Variant(main.method, w)), ref, t)
            flagged = r.delta is not None and abs(r.delta) > INFLUENCE
            out.append(replace(r, note="influential expert") if flagged else r)
    return tuple(out)
