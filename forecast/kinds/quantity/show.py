"""What ``forecast show`` displays of a quantity: every family's fit and the pooled prior."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from forecast.kinds.quantity import summary
from forecast.kinds.quantity.inputs import QuantityInputs
from forecast.kinds.quantity.report import amounts, value

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult


@dataclass(frozen=True)
class Shown:
    """The fitted judgements of a quantity question, without sampling."""

    inputs: QuantityInputs

    def _rows(self) -> list[tuple[str, str, str, str, str, str]]:
        out = []
        i = self.inputs
        for name, w, fit in zip(i.expert_names, i.normalised_weights, i.fits, strict=True):
            for fam in fit.fits:
                d = fam.dist
                out.append(
                    (
                        name,
                        f"{w:.2f}",
                        d.describe(),
                        value(float(d.ppf(0.5))),
                        amounts(float(d.ppf(0.05)), float(d.ppf(0.95))),
                        f"{fam.sse:.2g}" + ("  ← used" if fam.family == fit.chosen else ""),
                    )
                )
        return out

    def _pooled(self) -> str:
        s = summary.of_distribution(self.inputs.prior, self.inputs.thresholds)
        band = s.interval(0.95)
        above = ", ".join(
            f"P(X > {value(e.threshold)}) = {100 * e.probability:.1f}%" for e in s.exceedances
        )
        return (
            f"Pooled ({self.inputs.method}): median {value(s.median)}, 95% "
            f"{amounts(band.lower, band.upper)}; {above}"
        )

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.table import Table
        from rich.text import Text

        from forecast.render.layout import Fit

        t = Table(
            title="Judgements and their fits, every family", title_justify="left", show_edge=False
        )
        for col in ("expert", "weight", "fit", "median", "90% interval", "fit error"):
            t.add_column(col, justify="left" if col in ("expert", "fit") else "right", no_wrap=True)
        for row in self._rows():
            t.add_row(*row)
        yield Fit(t)
        yield Text(f"\n{self._pooled()}", style="bold")

    def markdown(self) -> str:
        """The same view as markdown."""
        from forecast.render.safe import md

        lines = [
            "| expert | weight | fit | median | 90% interval | fit error |",
            "|---|---:|---|---:|---:|---:|",
            *("| " + " | ".join(md(c) for c in row) + " |" for row in self._rows()),
            "",
            md(self._pooled()),
        ]
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        i = self.inputs
        return {
            "experts": [
                {
                    "name": n,
                    "weight": w,
                    "family": f.chosen,
                    "fit": f.dist.to_dict(),
                    "fit_error": f.best.sse,
                    "families": [
                        {"family": x.family, "fit_error": x.sse, "fit": x.dist.to_dict()}
                        for x in f.fits
                    ],
                }
                for n, w, f in zip(i.expert_names, i.normalised_weights, i.fits, strict=True)
            ],
            "pooled": summary.of_distribution(i.prior, i.thresholds).to_dict(),
        }


def shown(inputs: QuantityInputs) -> Shown:
    """The view ``forecast show`` renders."""
    return Shown(inputs)
