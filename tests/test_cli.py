"""Command-line behaviour: exit codes, streams, help texts (no sampling here)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from forecast.cli import app
from forecast.errors import ForecastError
from tests.conftest import EVENT_HEADER, PRIORS

runner = CliRunner()

GOOD = EVENT_HEADER + textwrap.dedent("""
    experts:
      - name: a
        judgement: {probability: 0.3, strength: 10}
""")


def _commands() -> list[str]:
    group = typer.main.get_group(app)
    return sorted(group.commands)


@pytest.mark.parametrize("name", _commands())
def test_every_command_has_help_with_an_example(name: str) -> None:
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    assert f"forecast {name}" in result.output


def test_usage_error_exits_2() -> None:
    result = runner.invoke(app, ["run", "--draws", "nope", "x.yaml"])
    assert result.exit_code == 2


def test_unknown_command_exits_2() -> None:
    assert runner.invoke(app, ["frobnicate"]).exit_code == 2


def test_missing_file_is_a_clean_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "no such file" in result.output
    assert "Traceback" not in result.output


def test_show_json_without_sampling(write_priors) -> None:  # type: ignore[no-untyped-def]
    path = write_priors(GOOD)
    result = runner.invoke(app, ["show", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "forecast.show/1"
    fit = data["experts"][0]["fit"]
    assert fit["family"] == "beta"
    assert fit["params"] == pytest.approx({"alpha": 3.0, "beta": 7.0})
    assert data["pooled"]["mean"] == pytest.approx(0.3)


def test_show_rich_states_implications(write_priors) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["show", str(write_priors(GOOD))])
    assert result.exit_code == 0, result.output
    assert "you are saying" in result.stdout


@pytest.mark.parametrize("flag", [["--format", "json"], ["--json"]])
def test_list_json(tmp_path: Path, flag: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORECAST_LEDGER", str(tmp_path / "none.sqlite"))
    (tmp_path / "one.yaml").write_text(GOOD, encoding="utf-8")
    result = runner.invoke(app, ["list", str(tmp_path), *flag])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows == [
        {
            "id": "one",
            "title": "A test question",
            "kind": "event",
            "deadline": "2030-01-01",
            "status": "open",
            "file": str(tmp_path / "one.yaml"),
            "latest": None,
            "ledger_read": True,
            "warnings": [],
        }
    ]


def test_check_shipped_priors_ok() -> None:
    result = runner.invoke(app, ["check", str(PRIORS)])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("ok  ") == len(list(PRIORS.glob("*.yaml")))


def test_errors_go_to_stderr_and_data_to_stdout(write_priors) -> None:  # type: ignore[no-untyped-def]
    bad = write_priors(GOOD.replace("0.3", "1.3"), "bad")
    result = runner.invoke(app, ["run", str(bad)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "experts[0].judgement.probability: must be <= 1.0 (got 1.3)" in result.stderr


def test_internal_errors_are_one_line_unless_debug(
    write_priors, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from forecast import engine

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr(engine, "run", boom)
    path = str(write_priors(GOOD))
    result = runner.invoke(app, ["run", path])
    assert result.exit_code == 1
    assert "Error: internal error: RuntimeError: kaput" in result.stderr
    assert "Traceback" not in result.stderr
    result = runner.invoke(app, ["--debug", "run", path])
    assert isinstance(result.exception, RuntimeError)


def test_domain_errors_keep_their_exit_code(write_priors, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from forecast import engine

    class Custom(ForecastError):
        exit_code = 1

    def fail(*args: object, **kwargs: object) -> None:
        raise Custom("the model could not be built", hint="check the judgements")

    monkeypatch.setattr(engine, "run", fail)
    result = runner.invoke(app, ["run", str(write_priors(GOOD))])
    assert result.exit_code == 1
    assert "Error: the model could not be built" in result.stderr
    assert "hint: check the judgements" in result.stderr


def test_strict_exits_3_when_diagnostics_fail(
    write_priors, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from forecast import engine
    from tests.test_render import _forecast

    bad = _forecast(write_priors, shift=0.2, diverging=2)
    monkeypatch.setattr(engine, "run", lambda *a, **k: bad)
    path = str(write_priors(GOOD, "strict"))
    loose = runner.invoke(app, ["run", path, "--format", "json"])
    assert loose.exit_code == 0
    assert "warning:" in loose.stderr
    json.loads(loose.stdout)
    strict = runner.invoke(app, ["run", path, "--strict", "--format", "json"])
    assert strict.exit_code == 3


@pytest.mark.slow
def test_run_with_jobs_gives_the_same_numbers_in_the_same_order(tmp_path: Path) -> None:
    for name, p in (("b-second", 0.4), ("a-first", 0.2), ("c-third", 0.1)):
        (tmp_path / f"{name}.yaml").write_text(
            GOOD.replace("probability: 0.3", f"probability: {p}"), encoding="utf-8"
        )
    args = ["run", str(tmp_path), "--format", "json", "--draws", "200", "--tune", "200"]
    args += ["--chains", "2"]
    one = runner.invoke(app, args)
    two = runner.invoke(app, [*args, "--jobs", "2"])
    assert one.exit_code == 0 and two.exit_code == 0, (one.output, two.output)
    rows = [[json.loads(line) for line in r.stdout.splitlines()][:-1] for r in (one, two)]
    assert [r["question"]["id"] for r in rows[1]] == [r["question"]["id"] for r in rows[0]]
    assert [r["probability"] for r in rows[1]] == [r["probability"] for r in rows[0]]
    assert len(rows[1]) == 3
    # Each ends with the summary, the same wherever the questions were sampled.
    assert json.loads(one.stdout.splitlines()[-1]) == json.loads(two.stdout.splitlines()[-1])


def test_with_jobs_an_error_comes_in_its_turn_after_the_questions_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import concurrent.futures as cf
    import threading
    from types import SimpleNamespace

    from forecast.cli import _sampling
    from forecast.inference import SamplerSettings
    from forecast.portfolio import runner as portfolio
    from forecast.portfolio.pool import Workers
    from forecast.questions.loader import load_question

    later_done = threading.Event()

    def fake_run(q, settings, timer=None, **_):  # type: ignore[no-untyped-def]
        if q.id == "a":
            later_done.wait(5)  # a finishes last
        if q.id == "b":
            raise ForecastError("b cannot be fitted", hint="fix b")
        if q.id == "c":
            later_done.set()
            raise KeyError("a defect in c")
        return SimpleNamespace(diagnostics=SimpleNamespace(ok=True, warnings=()), id=q.id)

    monkeypatch.setattr(portfolio, "forecast_question", fake_run)
    loaded = []
    for name in "abc":
        (tmp_path / f"{name}.yaml").write_text(GOOD, encoding="utf-8")
        loaded.append(load_question(tmp_path / f"{name}.yaml"))
    outcome = _sampling.SampleOutcome()
    with cf.ThreadPoolExecutor(max_workers=3) as threads:
        workers = Workers(threads)
        each = _sampling.sample_each(loaded, SamplerSettings(), 1, outcome, pool=workers)
        assert next(each)[1].id == "a"  # c and b were done first, yet a comes first
        with pytest.raises(ForecastError, match="b cannot be fitted"):
            next(each)
    result = portfolio.run_job(portfolio.Job(loaded[2], SamplerSettings()))
    assert result[0] is None and result[1] is not None
    assert result[1].kind == "internal" and "KeyError" in result[1].message


def test_show_markdown_has_what_the_terminal_view_has() -> None:
    from tests.conftest import ROOT

    path = ROOT / "priors" / "turkmenistan-joins-ots.yaml"
    md = runner.invoke(app, ["show", str(path), "-f", "markdown"])
    assert md.exit_code == 0, md.output
    for part in ("| OTS specialist | 0.33 |", "Pooled (linear, 3 experts)", "Base rate: 0 of 5"):
        assert part in md.stdout
    assert "| avaza-proposal-2025 | LogNormal" in md.stdout
    assert "| observer-since-2021 |" in md.stdout and "no: already in the judgements" in md.stdout
