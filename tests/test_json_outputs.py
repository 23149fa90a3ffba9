"""`--format json` (`--json` for report, whose --format is the files' format) of
resolve, report, watch and elicit: one documented object, parsed here."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from tests.conftest import EVENT_HEADER

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]

ONE_EXPERT = EVENT_HEADER + textwrap.dedent("""\
    experts:
      - name: a
        judgement: {probability: 0.2, strength: 10}
    """)
"""No data: the forecast is the expert's mean, 0.2 (Beta(2, 8))."""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORECAST_LEDGER", str(tmp_path / "ledger.sqlite"))
    (tmp_path / "priors").mkdir()
    return tmp_path


def test_resolve_json_says_what_was_recorded(here: Path) -> None:
    from forecast.ledger import open_ledger

    (here / "priors" / "q.yaml").write_text(ONE_EXPERT, encoding="utf-8")
    first = runner.invoke(app, ["resolve", "q", "yes", "--date", "2026-03-01"])
    assert first.exit_code == 0, first.output
    result = runner.invoke(
        app, ["resolve", "q", "annulled", "--date", "2026-03-02", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    data = json.loads(line)
    with open_ledger(None, write=False) as book:
        kept = book.resolutions()["q"]
    assert data["schema"] == "forecast.resolve/1"
    assert (data["question"], data["outcome"], data["date"]) == ("q", "annulled", "2026-03-02")
    assert data["recorded_at"] == kept.recorded_at.isoformat()
    assert data["ledger"] == str(here / "ledger.sqlite")
    assert data["priors"] == str(Path("priors") / "q.yaml") and data["status_set"] is True
    assert data["replaces"]["outcome"] == "yes" and data["replaces"]["date"] == "2026-03-01"
    assert data["value"] is None and data["late"] is None
    assert "Recorded: q resolved annulled" in result.stderr  # the messages stay on stderr


def test_report_json_lists_the_files_written_and_the_failures(here: Path) -> None:
    (here / "priors" / "q.yaml").write_text(ONE_EXPERT, encoding="utf-8")
    (here / "priors" / "broken.yaml").write_text(
        ONE_EXPERT.replace("deadline: 2030-01-01", "deadline: soon"), encoding="utf-8"
    )
    args = ["report", "priors", "--out", "rep", "--format", "markdown", "--json"]
    result = runner.invoke(app, [*args, "--method", "exact"])
    assert result.exit_code == 1  # one file failed
    (line,) = result.stdout.splitlines()
    data = json.loads(line)
    assert data["schema"] == "forecast.report/1"
    assert (data["format"], data["out"], data["calibration"]) == ("markdown", "rep", None)
    assert data["reports"] == [{"question": "q", "path": str(Path("rep") / "q.md")}]
    assert (here / "rep" / "q.md").is_file()
    (failed,) = data["failed"]
    assert failed["question"] == "broken" and failed["stage"] == "invalid"
    assert failed["priors"].endswith("broken.yaml") and "deadline" in failed["error"]


def _save(path: Path, text: str, bump: int) -> None:
    path.write_text(text, encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + bump * 1_000_000_000))


def test_watch_json_is_one_object_per_pass(here: Path) -> None:
    from forecast.cli.watch import Watcher, _forecaster
    from forecast.inference import SamplerSettings

    path = here / "priors" / "q.yaml"
    _save(path, ONE_EXPERT, 0)
    result = runner.invoke(app, ["watch", str(path), "--format", "json", "--max-runs", "1"])
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()  # JSON Lines: the report is not printed
    data = json.loads(line)
    assert data["schema"] == "forecast.watch/1" and data["run"] == 1
    assert data["outcome"] == "forecast" and data["method"] == "exact"
    assert data["probability"] == pytest.approx(0.2, abs=1e-6)  # Beta(2, 8)'s mean
    assert data["previous"] is None and data["delta"] is None and data["since_last"] is None
    assert data["forecast"]["schema"] == "forecast.run/1"

    passes: list[dict[str, object]] = []
    base = SamplerSettings(draws=500, tune=500, chains=2, method="auto")
    w = Watcher(path, _forecaster(base, 1), show=lambda _: None, emit=passes.append)
    assert w.tick() is not None
    _save(path, ONE_EXPERT.replace("probability: 0.2", "probability: 0.35"), 1)
    assert w.tick() is not None
    _save(path, ONE_EXPERT.replace("probability: 0.2", "probability: 3.5"), 2)
    assert w.tick() is not None
    first, second, bad = passes
    assert second["delta"] == pytest.approx(0.15, abs=1e-6)  # Beta(3.5, 6.5) against Beta(2, 8)
    assert second["previous"] == first["probability"]
    since = second["since_last"]
    assert isinstance(since, dict) and since["same_priors"] is False
    assert bad["outcome"] == "invalid" and bad["forecast"] is None
    problems = bad["problems"]
    assert isinstance(problems, list) and "probability" in problems[0]


def test_elicit_json_says_what_was_written(here: Path) -> None:
    answers = here / "answers.yaml"
    answers.write_text(
        textwrap.dedent("""\
            title: A question from a file of answers
            resolution: Resolves yes if it happens, as a stranger could check.
            deadline: 2031-06-30
            expert: Scripted analyst
            method: quartiles
            lowest: 0.02
            highest: 0.6
            median: 0.15
            lower_quartile: 0.08
            upper_quartile: 0.25
            """),
        encoding="utf-8",
    )
    args = ["elicit", "new-q", "--dir", "priors", "--answers", str(answers), "--format", "json"]
    result = runner.invoke(app, args, env={"FORECAST_TODAY": "2026-12-01"})
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    data = json.loads(line)
    assert data["schema"] == "forecast.elicit/1"
    assert data["path"] == str(Path("priors") / "new-q.yaml") and data["created"] is True
    assert (data["question"], data["kind"], data["total"]) == ("new-q", "event", 1)
    (expert,) = data["experts"]
    assert expert["name"] == "Scripted analyst"
    stated = {float(k): v for k, v in expert["judgement"]["quantiles"].items()}
    assert stated == {0.01: 0.02, 0.25: 0.08, 0.5: 0.15, 0.75: 0.25, 0.99: 0.6}
    fitted = expert["fitted"]
    assert fitted["form"] == "quantiles"
    assert fitted["implies"]["median"] == pytest.approx(0.15, abs=0.03)  # the stated median


def test_the_schemas_are_documented() -> None:
    doc = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    for schema in ("resolve", "report", "watch", "elicit"):
        assert f"`forecast.{schema}/1`" in doc, schema
