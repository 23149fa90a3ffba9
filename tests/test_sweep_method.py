"""``forecast sweep --method``: how every scenario's posterior is made, as ``forecast run
--method`` chooses it; a method the question's sweep cannot use is refused at its file's
``kind``, before anything is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.inference import SamplerSettings
from tests.conftest import ROOT
from tests.test_sweep_exact_rows import EVENT, _signal, event_reference

runner = CliRunner()

DRIVERS = ROOT / "priors" / "us-kazakhstan-critical-minerals.yaml"


def _said(result: Any) -> str:
    return " ".join(result.stderr.split())


@pytest.mark.parametrize(
    ("kind", "method", "takes"),
    [("event", "importance", "auto, exact, nuts"), ("drivers", "exact", "auto, importance, nuts")],
)
def test_a_method_the_sweep_cannot_use_is_refused_at_the_kind(
    in_tmp: Path, kind: str, method: str, takes: str
) -> None:
    path = in_tmp / "q.yaml"
    path.write_text(EVENT if kind == "event" else DRIVERS.read_text("utf-8"), encoding="utf-8")
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if t.startswith("kind:"))
    grid = "evidence.signal=on,off" if kind == "event" else "prior.strength=1,2"
    out = in_tmp / "rows.csv"
    result = runner.invoke(
        app, ["sweep", "q.yaml", "--grid", grid, "--method", method, "--out", str(out)]
    )
    said = _said(result)
    assert result.exit_code == 2, said
    assert f"Error: q.yaml:{line}:7 kind: a {kind} question cannot be swept by the {method}" in said
    assert f"hint: its sweep takes --method {takes}" in said
    assert not out.exists()


def test_an_unknown_method_is_a_usage_error(in_tmp: Path) -> None:
    (in_tmp / "q.yaml").write_text(EVENT, encoding="utf-8")
    result = runner.invoke(
        app, ["sweep", "q.yaml", "--grid", "evidence.signal=on", "--method", "gibbs"]
    )
    assert result.exit_code == 2
    assert "gibbs" in result.stderr and "nuts" in result.stderr


def test_the_method_reaches_every_posterior_and_the_run_column(
    in_tmp: Path, fake_sampling: list[SamplerSettings]
) -> None:
    (in_tmp / "q.yaml").write_text(EVENT, encoding="utf-8")
    grid = ["--grid", "base_rate.weight=0.25,1", "--grid", "evidence.signal=on,off"]
    result = runner.invoke(app, ["sweep", "q.yaml", *grid, "--method", "nuts", "--seed", "3"])
    assert result.exit_code == 0, result.stderr
    assert {s.method for s in fake_sampling} == {"nuts"} and len(fake_sampling) == 2
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 4 and all(r["run"].endswith(" method=nuts") for r in rows)


def test_out_dash_writes_the_rows_to_stdout_and_names_no_file(
    in_tmp: Path, fake_sampling: list[SamplerSettings]
) -> None:
    (in_tmp / "q.yaml").write_text(EVENT, encoding="utf-8")
    result = runner.invoke(app, ["sweep", "q.yaml", "--grid", "evidence.signal=on,off", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2 and "wrote" not in result.stderr
    assert not (in_tmp / "-").exists()


def test_auto_leaves_the_run_column_as_it_was(
    in_tmp: Path, fake_sampling: list[SamplerSettings]
) -> None:
    (in_tmp / "q.yaml").write_text(EVENT, encoding="utf-8")
    result = runner.invoke(app, ["sweep", "q.yaml", "--grid", "base_rate.weight=0.25,1"])
    assert result.exit_code == 0, result.stderr
    assert {s.method for s in fake_sampling} == {"auto"}
    assert all("method=" not in json.loads(line)["run"] for line in result.stdout.splitlines())


@pytest.mark.slow
def test_nuts_rows_have_nuts_diagnostics_and_agree_with_the_quadrature(in_tmp: Path) -> None:
    """``--method nuts`` samples: the rows carry R-hat, ESS and divergences, a Monte
    Carlo error, and agree with SciPy's quadrature within 4 of it (the file's posterior
    for the evidence, a base rate swapped into the compiled model, a reweighted prior)."""
    path = in_tmp / "q.yaml"
    path.write_text(EVENT, encoding="utf-8")
    args = ["sweep", "q.yaml", "--method", "nuts", "--seed", "4", "--chains", "2"]
    args += ["--draws", "1000", "--tune", "500", "--scenarios", "s.yaml"]
    (in_tmp / "s.yaml").write_text(
        "- {name: with, evidence.signal: 'on'}\n"
        "- {name: without, evidence.signal: 'off'}\n"
        "- {name: data, base_rate.weight: 1.0, evidence.signal: 'off'}\n"
        "- {name: prior, prior.strength: 1.5, evidence.signal: 'off'}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    rows = {r["name"]: r for r in map(json.loads, result.stdout.splitlines())}
    truths = {
        "with": event_reference(signal=_signal(path)),
        "without": event_reference(signal=None),
        "data": event_reference(signal=None, w=1.0),
        "prior": event_reference(signal=None, strength=1.5),
    }
    strategies = {"with": "vectorised", "without": "vectorised", "data": "resampled"}
    for name, truth in truths.items():
        row = rows[name]
        assert row["strategy"] == strategies.get(name, "reweighted"), row
        assert row["rhat_max"] is not None and row["rhat_max"] < 1.05, row
        assert 0 < row["ess_bulk_min"] < 2000 and row["divergences"] == 0, row
        assert row["mcse"] > 1e-4 and row["run"].endswith(" method=nuts"), row
        assert abs(row["probability"] - truth) <= 4 * row["mcse"], (row, truth)


@pytest.mark.parametrize("kind", ["event", "time-to-event"])
def test_exact_keeps_a_posterior_past_the_tolerance_and_says_so(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """Past the exact method's tolerance ``auto`` hands the posterior to NUTS (None);
    ``exact`` keeps it, and its diagnostics are not ok and say why."""
    from forecast import kinds
    from forecast.methods import exact
    from forecast.questions.loader import load_question
    from forecast.sweep import strategies as st
    from tests.test_sweep_exact_rows import TTE

    monkeypatch.setattr(exact, "TOLERANCE", 0.0)  # every grid's error estimate is past it
    path = in_tmp / "q.yaml"
    path.write_text(EVENT if kind == "event" else TTE, encoding="utf-8")
    q = load_question(path)
    adapter = kinds.of(q.spec).sweep_adapter
    inputs = st.prepare(q)
    for method in ("auto", "exact"):
        settings = SamplerSettings(draws=100, chains=2, seed=1, method=method)
        made = adapter.posterior(st.Job(q.spec.kind, inputs, (), settings, "t"))  # type: ignore[attr-defined]
        if method == "auto":
            assert made is None
            continue
        assert made is not None and made.diagnostics["method"] == "exact"
        assert not made.diagnostics["ok"]
        assert "quadrature error estimate" in made.diagnostics["warnings"][0]
