"""A bare PyMC script for one question: build its model, sample it with PyMC's NUTS.

The baseline of ``benchmarks/portfolio.py``: what forecasting a question costs when
each one is a script that builds its PyMC model and calls ``pm.sample`` (PyMC's
defaults: 1,000 draws after 1,000 tuning steps, 4 chains, one core, convergence
checks). The model is the one ``forecast`` defines for the question's kind (PyMC stays
the definition of every model), so the script samples exactly what ``forecast run``
forecasts; prints the posterior mean of the first free variable.

    python benchmarks/bare_pymc_model.py QUESTION.yaml
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    """Load, build, sample, print."""
    import numpy as np
    import pymc as pm

    from forecast import kinds
    from forecast.questions.loader import load_question

    q = load_question(Path(sys.argv[1]))
    kind = kinds.of(q.spec)
    model = kind.build(kind.prepare(q))
    with model:
        idata = pm.sample(
            draws=1000, tune=1000, chains=4, cores=1, random_seed=1, progressbar=False
        )
    first = model.free_RVs[0].name
    print(float(np.mean(idata["posterior"][first].values)))


if __name__ == "__main__":
    main()
