"""Classical-model weights for a question's experts, from a seeds file they answered.

A priors file asks for them with ``pool: {weights: cooke, seeds: FILE}`` (and
optionally ``alpha``: a cut-off, or ``optimise``). The experts of the question are
matched to the study's experts by name. Each gets its global weight, calibration ×
seed information (zero below alpha), normalised over the question's experts; an expert
of the question who is not in the study (or answered none of its seed items) gets
weight zero, and the report says so. The weights replace those the file gives.

The seeds file is found relative to the priors file and must lie inside its folder or
inside a folder listed in ``$FORECAST_SEEDS_PATH``.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forecast.errors import InputError, Problem

if TYPE_CHECKING:
    from forecast.cooke.study import Study

SEEDS_PATH_ENV = "FORECAST_SEEDS_PATH"


@dataclass(frozen=True)
class CookeExpert:
    """One expert of the question and the classical-model weight they earned."""

    name: str
    in_study: bool
    calibration: float | None
    information_all: float | None
    information_seeds: float | None
    answered_seeds: int
    unnormalised: float
    """Calibration × seed information, zero below alpha (zero when not in the study)."""
    weight: float
    """Normalised over the question's experts."""

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return {
            "name": self.name,
            "in_study": self.in_study,
            "answered_seeds": self.answered_seeds,
            "calibration": self.calibration,
            "information_all": self.information_all,
            "information_seeds": self.information_seeds,
            "unnormalised_weight": self.unnormalised,
            "weight": self.weight,
        }


@dataclass(frozen=True)
class CookeWeighting:
    """Classical-model weights for one question's experts, and where they came from."""

    seeds: str
    alpha: float
    optimised: bool
    overshoot: float
    calpower: float
    experts: tuple[CookeExpert, ...]
    unmatched: tuple[str, ...]
    """Experts of the study who are not experts of the question."""

    def weights(self) -> dict[str, float]:
        """Normalised weight by expert name."""
        return {e.name: e.weight for e in self.experts}

    def to_dict(self) -> dict[str, object]:
        """The ``weighting`` object of ``forecast.run/1`` for classical-model weights."""
        return {
            "method": "cooke",
            "seeds": self.seeds,
            "alpha": self.alpha,
            "alpha_optimised": self.optimised,
            "overshoot": self.overshoot,
            "calpower": self.calpower,
            "experts": [e.to_dict() for e in self.experts],
            "study_experts_not_in_question": list(self.unmatched),
        }


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def earn(
    study: Study,
    names: list[str],
    alpha: float | None,
    *,
    seeds: str = "",
    overshoot: float = 0.1,
    calpower: float = 1.0,
) -> CookeWeighting:
    """Classical-model weights of the experts ``names`` from ``study``.

    ``alpha`` None optimises the cut-off as ``forecast cooke --alpha optimise`` does.
    """
    from forecast.cooke.model import Settings, decision_maker, score

    scores = score(study, overshoot, calpower)
    cut = alpha
    if cut is None:
        cut = decision_maker(study, Settings("global", None, overshoot, calpower), scores).alpha
    index = {name: e for e, name in enumerate(study.experts)}
    raw = scores.weight * (scores.calibration >= cut)
    total = sum(float(raw[index[n]]) for n in names if n in index)
    experts = []
    for name in names:
        e = index.get(name)
        if e is None:
            experts.append(CookeExpert(name, False, None, None, None, 0, 0.0, 0.0))
            continue
        experts.append(
            CookeExpert(
                name,
                True,
                _finite(scores.calibration[e]),
                _finite(scores.information_all[e]),
                _finite(scores.information_seeds[e]),
                int(scores.answered_seeds[e]),
                float(raw[e]),
                float(raw[e]) / total if total > 0 else 0.0,
            )
        )
    unmatched = tuple(n for n in study.experts if n not in set(names))
    return CookeWeighting(
        seeds, float(cut), alpha is None, overshoot, calpower, tuple(experts), unmatched
    )


def _seeds_file(priors: Path, name: str, where: Problem) -> Path:
    """The seeds file ``name`` of a priors file, confined to safe folders."""
    candidate = priors.parent / name
    real = Path(os.path.realpath(candidate))
    allowed = [Path(os.path.realpath(priors.parent))]
    allowed += [
        Path(os.path.realpath(Path(p).expanduser()))
        for p in os.environ.get(SEEDS_PATH_ENV, "").split(os.pathsep)
        if p.strip()
    ]
    if not any(real.is_relative_to(folder) for folder in allowed):
        raise InputError(
            [
                dataclasses.replace(
                    where,
                    message=f"the seeds file {name!r} is outside the folder of the priors "
                    "file; it was not read",
                    hint=f"put it beside the priors file, or name its folder in {SEEDS_PATH_ENV}",
                )
            ]
        )
    return candidate


def _experts_of(spec: Any) -> tuple[str, list[Any]]:
    """The field holding the question's experts and the experts (a hazard's are nested)."""
    hazard = getattr(spec, "hazard", None)
    if hazard is not None and not getattr(spec, "experts", None):
        return "hazard", list(hazard.experts)
    return "experts", list(spec.experts)


def attach(q: Any, shown: str) -> Any:
    """The loaded question ``q`` with its experts' weights taken from its seeds file.

    Raises
    ------
    InputError
        For a seeds file that is missing, outside the allowed folders or invalid (its
        own problems, at its lines), or one in which no expert of the question earns
        any weight (placed on the priors file's ``pool.seeds`` key).
    """
    from forecast.cooke import load

    pool = q.spec.pool
    line, col = q.marks.find(("pool", "seeds")) or (None, None)
    where = Problem(shown, line, col, "pool.seeds", "")
    path = _seeds_file(q.path, pool.seeds, where)
    if not path.exists() and not path.with_suffix(".rls").exists():
        raise InputError(
            [dataclasses.replace(where, message=f"no seeds file {pool.seeds!r} beside this file")]
        )
    study = load(path, str(Path(shown).parent / pool.seeds))
    field, experts = _experts_of(q.spec)
    names = [e.name for e in experts]
    alpha = None if pool.alpha == "optimise" else float(pool.alpha)
    w = earn(study, names, alpha, seeds=str(Path(shown).parent / pool.seeds))
    if not any(e.weight > 0 for e in w.experts):
        found = [e.name for e in w.experts if e.in_study]
        message = (
            f"no expert of this question is in the seeds file (it has {', '.join(study.experts)})"
            if not found
            else f"every expert of this question has weight zero at alpha {w.alpha:.4g}"
        )
        raise InputError(
            [
                dataclasses.replace(
                    where,
                    message=message,
                    hint="experts are matched by name; lower alpha, or weigh them otherwise",
                )
            ]
        )
    by_name = w.weights()
    new = [e.model_copy(update={"weight": by_name[e.name]}) for e in experts]
    if field == "hazard":
        spec = q.spec.model_copy(
            update={"hazard": q.spec.hazard.model_copy(update={"experts": new})}
        )
    else:
        spec = q.spec.model_copy(update={"experts": new})
    return dataclasses.replace(q, spec=spec, weighting=w)
