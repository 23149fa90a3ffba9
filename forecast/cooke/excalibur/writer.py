"""Writing a study in the Excalibur format (values to six significant digits)."""

from __future__ import annotations

import math
from pathlib import Path

from forecast import yamlio
from forecast.cooke.excalibur.reader import MISSING
from forecast.cooke.study import Study


def _e(value: float) -> str:
    """A value as Excalibur writes it: ``1.31100E+0001`` (six significant digits)."""
    if math.isnan(value):
        value = MISSING
    mantissa, exponent = f"{value:.5E}".split("E")
    return f"{mantissa}E{int(exponent):+05d}"


def dumps(study: Study) -> tuple[str, str]:
    """The ``.dtt`` and ``.rls`` texts of ``study`` (values to six significant digits)."""
    levels = "  ".join(f"{round(100 * q):2d}" for q in study.quantiles)
    dtt = [f"* CLASS ASCII OUTPUT FILE. NQ= {len(study.quantiles):3d}   QU=  {levels}"]
    for e, expert in enumerate(study.experts):
        for i, item in enumerate(study.items):
            # The question's text goes in the .rls only: in the .dtt a text starting
            # with a number could be read as one more quantile.
            values = " ".join(f"{_e(v):>14s}" for v in study.answers[e, i])
            dtt.append(
                f"{e + 1:5d} {expert:>8s} {i + 1:4d} {item.id:>14s} {item.scale.upper()} {values}"
            )
    rls = []
    for i, item in enumerate(study.items):
        value = math.nan if item.realization is None else item.realization
        text = f" {item.question}" if item.question else ""
        rls.append(
            f"{i + 1:5d} {item.id:>14s} {_e(value):>14s} {item.scale.upper()}{text}".rstrip()
        )
    return "\n".join(dtt) + "\n", "\n".join(rls) + "\n"


def write(study: Study, path: Path | str) -> tuple[Path, Path]:
    """Write ``study`` as ``NAME.dtt`` and ``NAME.rls`` (``path`` is either, or the stem)."""
    path = Path(path)
    stem = path.with_suffix("") if path.suffix.lower() in (".dtt", ".rls") else path
    dtt_text, rls_text = dumps(study)
    dtt, rls = stem.with_name(stem.name + ".dtt"), stem.with_name(stem.name + ".rls")
    yamlio.atomic_write(dtt, dtt_text)
    yamlio.atomic_write(rls, rls_text)
    return dtt, rls
