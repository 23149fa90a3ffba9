"""The lines a forecast report gives to classical-model (Cooke) weights."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from forecast.cooke.weights import CookeWeighting


def _g(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3g}"


def cooke_weighting(w: CookeWeighting) -> list[str]:
    """Each expert's calibration, information and weight, and who had no seed answers."""
    alpha = f"alpha {w.alpha:.3g}" + (" (optimised)" if w.optimised else "")
    lines = [
        f"Cooke weights from the seed questions of {w.seeds} (classical model, {alpha}, "
        f"overshoot {w.overshoot:g}): calibration × seed information, zero below alpha, "
        "normalised over this question's experts."
    ]
    for e in w.experts:
        if not e.in_study:
            lines.append(f"  {e.name}: no seed answers in {w.seeds} → weight 0")
            continue
        cut = " (below alpha)" if e.unnormalised == 0 else ""
        lines.append(
            f"  {e.name}: calibration {_g(e.calibration)}, information "
            f"{_g(e.information_seeds)} on {e.answered_seeds} seed items "
            f"({_g(e.information_all)} on all){cut} → weight {e.weight:.2f}"
        )
    others = list(w.unmatched)
    if others:
        lines.append(f"  not experts of this question: {', '.join(others)}")
    return lines
