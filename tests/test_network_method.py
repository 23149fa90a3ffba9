"""A network forecast names the method that made its intervals, with its diagnostic."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from tests.test_network_spec import GOOD, event, write


def _run(tmp_path: Path, *args: str) -> dict:  # type: ignore[type-arg]
    event(tmp_path, "the-question")
    path = write(tmp_path, GOOD)
    result = CliRunner().invoke(app, ["run", str(path), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_no_evidence_is_exact_enumeration(tmp_path: Path) -> None:
    d = _run(tmp_path)
    diag, prov = d["diagnostics"], d["provenance"]
    assert diag["method"] == prov["method"] == d["network"]["inference"]["method"] == "exact"
    assert diag["enumerated"] == 4  # two yes/no nodes
    assert "pareto_k" not in diag and prov["sampler"] == "network-enumeration"
    assert "no evidence" in d["network"]["inference"]["description"]


def test_evidence_is_importance_weighting_with_its_pareto_k(tmp_path: Path) -> None:
    d = _run(tmp_path, "--given", "the-question=yes")
    diag, prov = d["diagnostics"], d["provenance"]
    assert diag["method"] == prov["method"] == "importance"
    assert prov["sampler"] == "psis-importance"
    assert diag["pareto_k"] == d["network"]["inference"]["pareto_k"] < 0.7
    assert 0 < diag["importance_ess"] <= diag["draws"]


def test_method_exact_with_evidence_is_refused(tmp_path: Path) -> None:
    event(tmp_path, "the-question")
    path = write(tmp_path, GOOD)
    result = CliRunner().invoke(
        app, ["run", str(path), "--method", "exact", "--given", "the-question=yes"]
    )
    assert result.exit_code == 2 and "--method exact" in result.stderr


def test_the_report_names_the_method(tmp_path: Path) -> None:
    event(tmp_path, "the-question")
    path = write(tmp_path, GOOD)
    result = CliRunner().invoke(app, ["run", str(path), "--given", "the-question=yes"])
    assert result.exit_code == 0, result.output
    assert "importance sampling (PSIS)" in result.stdout
    assert "quadrature" not in result.stdout


@pytest.mark.slow
def test_method_nuts_reports_the_samplers_diagnostics(tmp_path: Path) -> None:
    d = _run(
        tmp_path,
        "--given",
        "the-question=yes",
        "--method",
        "nuts",
        "--draws",
        "300",
        "--tune",
        "300",
        "--chains",
        "2",
    )
    diag, prov = d["diagnostics"], d["provenance"]
    assert diag["method"] == prov["method"] == "nuts" and prov["sampler"] == "pymc-nuts"
    assert math.isfinite(diag["rhat_max"]) and diag["rhat_max"] < 1.05
    assert diag["chains"] == 2 and diag["draws"] == 300
