"""``forecast cooke``: outputs, options, errors and start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from tests.conftest import ROOT
from tests.test_cooke_inputs import DTT, RLS, SEEDS

runner = CliRunner()


@pytest.fixture
def seeds_file(tmp_path: Path) -> Path:
    path = tmp_path / "study.yaml"
    path.write_text(
        SEEDS.replace("name: Ann\n", "name: Ann\n    weight: 2\n").replace(
            "name: Bob\n", "name: Bob\n    weight: 1\n"
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def excalibur_file(tmp_path: Path) -> Path:
    (tmp_path / "ex.dtt").write_text(DTT, encoding="utf-8")
    (tmp_path / "ex.rls").write_text(RLS, encoding="utf-8")
    return tmp_path / "ex.dtt"


def test_json_has_the_documented_keys(seeds_file: Path) -> None:
    result = runner.invoke(app, ["cooke", str(seeds_file), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "forecast.cooke/1"
    assert [e["name"] for e in data["experts"]] == ["Ann", "Bob"]
    for e in data["experts"]:
        assert set(e) >= {"name", "calibration", "information_all", "information_seeds", "weight"}
        assert e["weight"] == pytest.approx(e["calibration"] * e["information_seeds"])
    assert set(data["decision_makers"]) == {"global", "global_optimised", "item", "equal", "user"}
    for dm in data["decision_makers"].values():
        assert set(dm) == {"calibration", "information_all", "information_seeds", "alpha"}
    assert data["decision_makers"]["global"]["alpha"] == 0
    assert data["settings"] == {
        "weights": "global",
        "alpha": 0.0,
        "overshoot": 0.1,
        "calpower": 1.0,
    }
    assert [r["left_out"] for r in data["robustness"]["items"]] == ["s1", "s2", "s3"]
    assert [r["left_out"] for r in data["robustness"]["experts"]] == ["Ann", "Bob"]
    assert data["items"][3]["realization"] is None


def test_optimised_alpha_and_options(seeds_file: Path) -> None:
    args = [
        "cooke",
        str(seeds_file),
        "-f",
        "json",
        "--alpha",
        "optimise",
        "--weights",
        "item",
        "--overshoot",
        "0.2",
        "--calpower",
        "0.5",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["settings"]["alpha"] == "optimise"
    assert data["decision_maker"]["weights"] == "item"
    cal = sorted(e["calibration"] for e in data["experts"])
    alpha = data["decision_makers"]["global_optimised"]["alpha"]
    assert min(abs(alpha - c) for c in cal) < 1e-12


def test_user_weights_share(seeds_file: Path) -> None:
    result = runner.invoke(app, ["cooke", str(seeds_file), "-f", "json", "--weights", "user"])
    data = json.loads(result.stdout)
    assert [e["dm_weight"] for e in data["experts"]] == pytest.approx([2 / 3, 1 / 3])


def test_rich_report_has_every_section(excalibur_file: Path) -> None:
    result = runner.invoke(app, ["cooke", str(excalibur_file)], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    for words in (
        "Experts",
        "Decision makers",
        "each seed item left out",
        "each expert left out",
        "s1: realisation 5 (uniform scale)",
        "┃",
        "●",
    ):
        assert words in result.stdout


def test_markdown_report_has_range_graphs(excalibur_file: Path) -> None:
    result = runner.invoke(app, ["cooke", str(excalibur_file), "-f", "markdown"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("# Classical model: ex")
    assert "| expert | seeds | calib." in text
    assert "s2: realisation 50 (log scale)" in text
    assert "```\ns1: realisation 5 (uniform scale)\n  Ann │" in text


def test_write_converts_both_ways(seeds_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy.DTT"
    result = runner.invoke(app, ["cooke", str(seeds_file), "--write", str(out)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "copy.dtt").exists() and (tmp_path / "copy.rls").exists()
    back = tmp_path / "back.yaml"
    assert (
        runner.invoke(app, ["cooke", str(tmp_path / "copy.rls"), "--write", str(back)]).exit_code
        == 0
    )
    assert "kind: seeds" in back.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--alpha", "2"], "Error: --alpha must be a number from 0 to 1, or optimise (got '2')"),
        (["--alpha", "0.99"], "Error: --alpha 0.99 is above every expert's calibration"),
        (["--weights", "user"], "Error: --weights user needs a weight for every expert"),
    ],
)
def test_usage_errors_exit_2(excalibur_file: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["cooke", str(excalibur_file), *args])
    assert result.exit_code == 2
    assert result.stderr.startswith(message)


def test_bad_file_is_one_located_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(SEEDS.replace("s1: [1, 4, 9]", "s1: [1, 9, 4]"), encoding="utf-8")
    result = runner.invoke(app, ["cooke", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        f"{path}:20:18 experts[0].answers.s1[2]: quantiles must increase (4 after 9)"
    )
    assert "Traceback" not in result.stderr


def test_cooke_does_not_import_the_sampler(seeds_file: Path) -> None:
    probe = (
        "import json, sys\nfrom typer.testing import CliRunner\nfrom forecast.cli import app\n"
        "r = CliRunner().invoke(app, sys.argv[1:])\n"
        "print(json.dumps({'exit': r.exit_code, 'mods': sorted(sys.modules)}))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe, "cooke", str(seeds_file), "--alpha", "optimise"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    assert data["exit"] == 0
    heavy = {m.split(".")[0] for m in data["mods"]} & {"pymc", "pytensor", "arviz", "preliz"}
    assert not heavy
