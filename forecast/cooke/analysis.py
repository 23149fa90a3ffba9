"""A whole classical-model analysis of a study, as plain data for every output format.

:func:`analyse` scores the experts, forms the decision maker asked for and the four
standard ones (global and item weights at the given cut-off, global weights with the
cut-off optimised, equal weights), and the robustness tables. :meth:`Analysis.to_dict`
is the ``forecast.cooke/1`` JSON object (docs/json.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from forecast.cooke import robustness
from forecast.cooke.model import DecisionMaker, Scores, Settings, decision_maker, score
from forecast.cooke.study import Study
from forecast.errors import UsageError

SCHEMA = "forecast.cooke/1"


@dataclass(frozen=True)
class Analysis:
    """Scores, decision makers and robustness of one study."""

    study: Study
    settings: Settings
    scores: Scores
    chosen: DecisionMaker
    standard: dict[str, DecisionMaker]
    items_left_out: list[robustness.Row] = field(default_factory=list)
    experts_left_out: list[robustness.Row] = field(default_factory=list)
    source: str = ""

    @property
    def weights(self) -> np.ndarray:
        """Each expert's weight: calibration × seed information, zero below the cut-off."""
        cal = self.scores.calibration
        result: np.ndarray = self.scores.weight * (cal >= self.chosen.alpha)
        return result

    @property
    def normalised(self) -> np.ndarray:
        """:attr:`weights` normalised to sum to one (zeros when all are zero)."""
        w = self.weights
        total = w.sum()
        result: np.ndarray = w / total if total > 0 else np.zeros_like(w)
        return result

    def dm_weights(self) -> np.ndarray | None:
        """Each expert's weight in the decision maker asked for, when it is one per expert.

        On an item some experts did not answer, the others' weights are scaled up to
        sum to one. None for item weights, which differ from item to item.
        """
        kind = self.chosen.weights
        if kind == "item":
            return None
        if kind == "global":
            return self.normalised
        n = len(self.study.experts)
        if kind == "equal":
            return np.full(n, 1.0 / n)
        given = np.asarray(self.study.user_weights or [0.0] * n, dtype=float)
        result: np.ndarray = given / given.sum()
        return result

    def to_dict(self) -> dict[str, object]:
        """The ``forecast.cooke/1`` JSON object."""
        st, sc = self.study, self.scores
        dm_w = self.dm_weights()
        experts = [
            {
                "name": name,
                "answered_seeds": int(sc.answered_seeds[e]),
                "answered_items": int(st.answered()[e].sum()),
                "calibration": float(sc.calibration[e]),
                "information_all": float(sc.information_all[e]),
                "information_seeds": float(sc.information_seeds[e]),
                "weight": float(self.weights[e]),
                "normalised_weight": float(self.normalised[e]),
                "dm_weight": None if dm_w is None else float(dm_w[e]),
                "bins": [int(c) for c in sc.counts[e]],
            }
            for e, name in enumerate(st.experts)
        ]
        items = []
        for i, it in enumerate(st.items):
            lo, hi = sc.lower[i], sc.upper[i]
            if it.scale == "log":
                lo, hi = math.exp(lo), math.exp(hi)
            items.append(
                {
                    "id": it.id,
                    "question": it.question or None,
                    "unit": it.unit or None,
                    "scale": "log" if it.scale == "log" else "uniform",
                    "seed": it.seed,
                    "realization": it.realization,
                    "source": it.source or None,
                    "intrinsic_range": [float(lo), float(hi)],
                    "decision_maker": [float(v) for v in self.chosen.quantiles[i]],
                    "answers": {
                        name: [float(v) for v in st.answers[e, i]]
                        for e, name in enumerate(st.experts)
                        if st.answered()[e, i]
                    },
                }
            )
        return {
            "schema": SCHEMA,
            "study": {
                "source": self.source,
                "name": st.name,
                "quantiles": list(st.quantiles),
                "experts": len(st.experts),
                "seed_items": int(st.seed_mask.sum()),
                "target_items": int((~st.seed_mask).sum()),
                "n_min": sc.n_min,
            },
            "settings": {
                "weights": self.settings.weights,
                "alpha": "optimise" if self.settings.alpha is None else self.settings.alpha,
                "overshoot": self.settings.overshoot,
                "calpower": self.settings.calpower,
            },
            "experts": experts,
            "decision_maker": {**_dm(self.chosen), "weights": self.chosen.weights},
            "decision_makers": {k: _dm(v) for k, v in self.standard.items()},
            "items": items,
            "robustness": {
                "items": [r.to_dict() for r in self.items_left_out],
                "experts": [r.to_dict() for r in self.experts_left_out],
            },
        }


def _dm(dm: DecisionMaker) -> dict[str, object]:
    return {
        "calibration": dm.calibration,
        "information_all": dm.information_all,
        "information_seeds": dm.information_seeds,
        "alpha": dm.alpha,
    }


def _check_alpha(scores: Scores, settings: Settings) -> None:
    if settings.alpha is None or settings.weights not in ("global", "item"):
        return
    best = float(scores.calibration.max())
    if settings.alpha > best:
        raise UsageError(
            f"--alpha {settings.alpha:g} is above every expert's calibration (the highest "
            f"is {best:.4g}), so no expert would have weight",
            hint="use a lower cut-off, or --alpha optimise",
        )


def analyse(study: Study, settings: Settings, *, robust: bool = True, source: str = "") -> Analysis:
    """Score ``study`` and form its decision makers (see the module docstring)."""
    if settings.weights == "user" and study.user_weights is None:
        raise UsageError(
            "--weights user needs a weight for every expert in the study",
            hint="give each expert 'weight:' in the seeds file (Excalibur files have none)",
        )
    if settings.weights == "user" and sum(study.user_weights or ()) <= 0:
        raise UsageError("--weights user: the experts' weights are all zero")
    scores = score(study, settings.overshoot, settings.calpower)
    _check_alpha(scores, settings)
    chosen = decision_maker(study, settings, scores)

    def dm(kind: str, alpha: float | None) -> DecisionMaker:
        wanted = Settings(kind, alpha, settings.overshoot, settings.calpower)  # type: ignore[arg-type]
        return chosen if wanted == settings else decision_maker(study, wanted, scores)

    alpha = settings.alpha
    standard = {
        "global": dm("global", alpha),
        "global_optimised": dm("global", None),
        "item": dm("item", alpha),
        "equal": dm("equal", 0.0),
    }
    if study.user_weights is not None and sum(study.user_weights) > 0:
        standard["user"] = dm("user", 0.0)
    return Analysis(
        study,
        settings,
        scores,
        chosen,
        standard,
        robustness.items_left_out(study, settings) if robust else [],
        robustness.experts_left_out(study, settings) if robust else [],
        source,
    )
