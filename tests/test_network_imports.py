"""`forecast run` of a network loads no sampler, no ArviZ and, without evidence, no SciPy.

The shipped network links an event, a time-to-event and a drivers question: their own
forecasts are made by quadrature, the exact posterior and importance draws, and the
network's cells are drawn and enumerated in NumPy. Only evidence (here `--given`) needs
the Pareto-smoothed weights, which come from ArviZ's NumPy/SciPy layer.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

NETWORK = ROOT / "priors" / "turkiye-central-asia-network.yaml"
HEAVY = ("pymc", "pytensor", "arviz", "arviz_base", "xarray", "pandas", "preliz", "scipy")

CODE = """\
import atexit, sys
heavy = {heavy!r}
def report():
    tops = sorted({{m.split('.')[0] for m in sys.modules}} & set(heavy))
    print('LOADED', tops, file=sys.stderr)
atexit.register(report)
from forecast.cli import main
main()
"""


@pytest.mark.parametrize(
    ("extra", "loaded"),
    [
        ((), "[]"),
        (("--given", "turkiye-guest-invitation=yes"), "['scipy']"),  # PSIS weights only
    ],
)
def test_a_network_run_loads_no_sampler_arviz_or_scipy(
    tmp_path: Path, extra: tuple[str, ...], loaded: str
) -> None:
    """Twice, so the second run has the judgements' fit cache warm (the first may fit
    an interval judgement with PreliZ)."""
    env = {
        "FORECAST_CACHE_DIR": str(tmp_path / "cache"),
        "FORECAST_LEDGER": str(tmp_path / "ledger.sqlite"),
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    code = CODE.format(heavy=HEAVY)
    args = [sys.executable, "-c", code, "run", str(NETWORK), *extra, "--format", "json"]
    for _ in range(2):
        proc = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=env)
        assert proc.returncode == 0, proc.stderr
    assert '"kind": "network"' in proc.stdout
    assert f"LOADED {loaded}" in proc.stderr, proc.stderr


def test_the_kind_imports_scipy_only_inside_functions() -> None:
    """No module of the network kind imports SciPy, PyMC, PyTensor or ArviZ at its top:
    each is imported where a path needs it (an extremized cell's quadrature, the log
    prior of the sensitivity under evidence, NUTS)."""
    offenders = []
    for path in sorted((ROOT / "forecast" / "kinds" / "network").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in ("scipy", "pymc", "pytensor", "arviz", "arviz_stats"):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []
