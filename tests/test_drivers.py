"""The drivers kind: validation, scenarios and swings against quadrature, cases against
the conjugate Beta posterior."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

import numpy as np
import pytest
from arviz_base import from_dict
from rich.console import Console
from scipy import integrate, stats
from scipy.special import expit, logit
from typer.testing import CliRunner

from forecast import engine, yamlio
from forecast.cli import app
from forecast.errors import InputError
from forecast.inference import SamplerSettings
from forecast.kinds.drivers import model as drivers
from forecast.kinds.drivers import summary as drivers_summary
from forecast.questions import cases
from forecast.questions.loader import load_question
from forecast.render.report import Report

HEADER = """\
format: 1
kind: drivers
title: A drivers question
resolution: Resolves yes if the test event happens, as the test says.
deadline: 2030-01-01
"""

BODY = """\
experts:
  - name: a
    judgement: {probability: 0.3, strength: 10}
drivers:
  - id: push
    description: makes the event likelier
    odds_ratio: 3
    level: 0.4
  - id: block
    description: makes it less likely
    odds_ratio: 0.5
    level: 1
scenarios:
  pushed: {push: 1}
  clear: {push: 0, block: 0}
"""


def _write(tmp_path: Path, body: str, name: str = "q") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_question(path)
    return [str(p) for p in exc.value.problems]


def test_unknown_driver_in_a_scenario_is_located(tmp_path: Path) -> None:
    path = _write(tmp_path, BODY.replace("pushed: {push: 1}", "pushed: {psuh: 1}"))
    (line,) = _problems(path)
    row = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "psuh" in t)
    col = path.read_text().splitlines()[row - 1].index("1}") + 1
    assert f"{path.name}:{row}:{col} scenarios.pushed.psuh: unknown driver 'psuh'" in line
    assert "drivers: push, block" in line


def test_unknown_and_missing_drivers_in_cases_are_located(tmp_path: Path) -> None:
    body = BODY + textwrap.dedent(
        """\
        cases:
          - {drivers: {push: true, block: false}, outcome: true}
          - {drivers: {push: true, blok: false}, outcome: false}
        """
    )
    lines = _problems(_write(tmp_path, body))
    assert any("cases[1].drivers.blok: unknown driver 'blok'" in t for t in lines), lines
    assert any("cases[1].drivers: code every driver" in t and "block" in t for t in lines)


def test_level_outside_zero_one_is_refused(tmp_path: Path) -> None:
    (line,) = _problems(_write(tmp_path, BODY.replace("level: 0.4", "level: 1.4")))
    assert "drivers[0].level: must be <= 1" in line


def test_cases_csv_next_to_the_file_is_read_with_the_question(tmp_path: Path) -> None:
    # A byte-order mark, CRLF line ends, a blank line, quoted values with a comma, a quote
    # and a line break, and columns in any order.
    (tmp_path / "cases.csv").write_bytes(
        b"\xef\xbb\xbfid,outcome,block,date,push,note,source\r\n"
        b'A,1,0,2019-05-01,1,"held, then ""lapsed""",https://example.org\r\n'
        b"\r\n"
        b'B,0,1,,0,"two\r\nlines",\r\n'
        b"C,1,0,,0,,\r\n"
    )
    q = load_question(_write(tmp_path, BODY + "cases: cases.csv\n"))
    (tmp_path / "cases.csv").unlink()  # read once, with the question
    inputs = drivers.prepare(q.spec, tmp_path)  # type: ignore[arg-type]
    assert inputs.cases_x.tolist() == [[1, 0], [0, 1], [0, 0]]
    assert inputs.cases_y.tolist() == [1, 0, 1]
    cases = q.spec.coded_cases()  # type: ignore[attr-defined]
    assert [c.id for c in cases] == ["A", "B", "C"]
    assert [str(c.date) for c in cases] == ["2019-05-01", "None", "None"]
    assert q.spec.cases == "cases.csv"  # type: ignore[attr-defined]


def test_a_header_line_alone_is_a_question_without_cases(tmp_path: Path) -> None:
    (tmp_path / "cases.csv").write_text("push,block,outcome\n", encoding="utf-8")
    q = load_question(_write(tmp_path, BODY + "cases: cases.csv\n"))
    inputs = drivers.prepare(q.spec)  # type: ignore[arg-type]
    assert inputs.cases_x.shape == (0, 2) and inputs.cases_y.shape == (0,)


def test_a_cases_file_is_checked_with_the_question(tmp_path: Path) -> None:
    (tmp_path / "cases.csv").write_text("push,block,outcome\n1,0,1\n1,2,0\n", encoding="utf-8")
    path = _write(tmp_path, BODY + "cases: cases.csv\n")
    lines = _problems(path)
    row = len(path.read_text().splitlines())
    csv = tmp_path / "cases.csv"
    assert lines == [
        f"{path}:{row}:8 cases: 1 problem in the cases file {csv}",
        f"{csv}:3:3 block: must be 0 or 1 (got '2')",
    ]
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    assert "cases.csv:3:3 block: must be 0 or 1 (got '2')" in result.stdout


def test_a_question_built_without_the_loader_reads_its_cases_file(tmp_path: Path) -> None:
    import yaml

    from forecast.kinds.drivers.spec import DriversQuestion

    data = yaml.safe_load(HEADER + BODY + "cases: cases.csv\n")
    spec = DriversQuestion.model_validate(data)
    (tmp_path / "cases.csv").write_text("push,block,outcome\n0,1,1\n", encoding="utf-8")
    assert drivers.prepare(spec, tmp_path).cases_x.tolist() == [[0, 1]]
    (tmp_path / "cases.csv").write_text("push,outcome\n0,1\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        drivers.prepare(spec, tmp_path)
    [problem] = exc.value.problems
    assert str(problem).endswith("cases.csv:1:1 block: missing column (one per driver is required)")


def test_problems_of_a_cases_file_are_capped(tmp_path: Path) -> None:
    rows = "".join(f"C{i},2,0,1\n" for i in range(30))
    (tmp_path / "cases.csv").write_text("id,push,block,outcome\n" + rows, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_question(_write(tmp_path, BODY + "cases: cases.csv\n"))
    problems = exc.value.problems
    assert len(problems) == 1 + cases.MAX_PROBLEMS + 1
    assert problems[0].field == "cases" and problems[0].message.startswith("30 problems")
    assert [p.line for p in problems[1:-1]] == list(range(2, 22))
    assert problems[-1].message == "... and 10 more problems"
    assert problems[-1].line is None


def test_a_cases_file_over_the_size_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (tmp_path / "cases.csv").open("w", encoding="utf-8") as fh:
        fh.write("push,block,outcome\n")
        fh.write("1,0,1\n" * (yamlio.MAX_BYTES // 6 + 1))
    path = _write(tmp_path, BODY + "cases: cases.csv\n")

    read_bytes = Path.read_bytes

    def no_reading(self: Path) -> bytes:
        assert self.suffix != ".csv", "a file over the limit was read"
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    with pytest.raises(InputError) as exc:
        load_question(path)
    heading, problem = exc.value.problems
    assert heading.field == "cases"
    assert problem.message.startswith("file is 2.0 MB; a cases file may be at most 2 MB")


def test_show_and_check_take_a_question_with_a_cases_file(tmp_path: Path) -> None:
    (tmp_path / "cases.csv").write_text("push,block,outcome\n1,0,1\n", encoding="utf-8")
    path = _write(tmp_path, BODY + "cases: cases.csv\n")
    checked = CliRunner().invoke(app, ["check", str(path)])
    assert checked.exit_code == 0, checked.output
    shown = CliRunner().invoke(app, ["show", str(path), "--format", "json"])
    assert shown.exit_code == 0, shown.output


def test_states_cover_uncertain_levels_exactly() -> None:
    x, w = drivers.states([0.25, 1.0, 0.0, 0.5])
    assert x.shape == (4, 4) and w.sum() == pytest.approx(1.0)
    assert (x[:, 1] == 1).all() and (x[:, 2] == 0).all()
    assert w[(x[:, 0] == 1) & (x[:, 3] == 1)] == pytest.approx([0.125])


def _fabricated(tmp_path: Path, scenario: str | None = None):  # type: ignore[no-untyped-def]
    """A forecast from iid draws of the prior Beta(3, 7) (no cases: the posterior is the prior)."""
    q = load_question(_write(tmp_path, BODY))
    inputs = drivers.prepare(q.spec)  # type: ignore[arg-type]
    p = np.random.default_rng(3).beta(3, 7, size=(4, 5000))
    idata = from_dict({"posterior": {"p": p}, "sample_stats": {"diverging": p < 0}})
    settings = SamplerSettings(draws=5000, chains=4, seed=2)
    return drivers_summary.summarise(q, inputs, idata, settings, scenario=scenario)


def _expect(shift_by_state: list[tuple[float, float]]) -> float:
    """E over p ~ Beta(3, 7) of sum_s w_s sigmoid(logit p + shift_s), by quadrature."""
    prior = stats.beta(3, 7)
    return integrate.quad(
        lambda p: sum(w * expit(logit(p) + s) for w, s in shift_by_state) * prior.pdf(p), 0, 1
    )[0]


def test_scenarios_and_swings_match_quadrature(tmp_path: Path) -> None:
    f = _fabricated(tmp_path)
    l3, l5 = np.log(3), np.log(0.5)
    tol = 4 * 0.16 / np.sqrt(20000)  # 4 iid standard errors (sd of a probability < 0.16 here)
    now = _expect([(0.4, l3 + l5), (0.6, l5)])
    assert f.probability == pytest.approx(now, abs=tol)
    by_name = {s["name"]: s for s in f.to_dict()["scenarios"]}
    assert by_name["current levels"]["probability"] == pytest.approx(f.probability)
    assert by_name["pushed"]["probability"] == pytest.approx(_expect([(1, l3 + l5)]), abs=tol)
    assert by_name["clear"]["probability"] == pytest.approx(_expect([(1, 0.0)]), abs=tol)
    swings = {s["driver"]: s for s in f.to_dict()["swings"]}
    on, off = _expect([(1, l3 + l5)]), _expect([(1, l5)])
    assert swings["push"]["swing"] == pytest.approx(on - off, abs=tol)
    block = _expect([(0.4, l3 + l5), (0.6, l5)]) - _expect([(0.4, l3), (0.6, 0.0)])
    assert swings["block"]["swing"] == pytest.approx(block, abs=tol)
    assert [s["driver"] for s in f.to_dict()["swings"]] == sorted(
        swings, key=lambda d: -abs(swings[d]["swing"])
    )
    lo, hi = swings["push"]["interval"]
    assert 0 < lo < swings["push"]["swing"] < hi


def test_scenario_becomes_the_headline_and_renders(tmp_path: Path) -> None:
    f = _fabricated(tmp_path, scenario="pushed")
    pushed = next(s for s in f.to_dict()["scenarios"] if s["name"] == "pushed")
    assert f.probability == pytest.approx(pushed["probability"])
    assert f.to_dict()["scenario"] == "pushed"
    buf = io.StringIO()
    Console(file=buf, width=120, color_system=None).print(Report(f))
    text = buf.getvalue()
    assert "Scenarios" in text and "pushed ◂" in text
    assert "Driver swings" in text and "push" in text and "block" in text
    assert "driver: push (level on)" in text


@pytest.mark.slow
@pytest.mark.parametrize("where", ["inline", "csv"])
def test_cases_give_the_conjugate_posterior(tmp_path: Path, where: str) -> None:
    # Cases with every driver off see p = sigmoid(alpha) directly: Beta(3, 7) with 4 of
    # 10 gives Beta(7, 13); the driver off scenario is its mean, on is E[sigmoid(logit p
    # + log 3)] under it, by quadrature. The same cases inline or in a cases file.
    if where == "inline":
        coded = "cases:\n" + "".join(
            f"  - {{drivers: {{push: false, block: false}}, outcome: {str(i < 4).lower()}}}\n"
            for i in range(10)
        )
    else:
        rows = "".join(f"0,0,{int(i < 4)}\n" for i in range(10))
        (tmp_path / "cases.csv").write_text("push,block,outcome\n" + rows, encoding="utf-8")
        coded = "cases: cases.csv\n"
    q = load_question(_write(tmp_path, BODY + coded))
    f = engine.run(q, SamplerSettings(draws=1000, tune=500, chains=2, seed=4), scenario="clear")
    assert abs(f.probability - 7 / 20) <= 3 * f.mcse, (f.probability, f.mcse)
    post = stats.beta(7, 13)
    on = integrate.quad(lambda p: expit(logit(p) + np.log(3)) * post.pdf(p), 0, 1)[0]
    swing = next(s for s in f.to_dict()["swings"] if s["driver"] == "push")
    assert swing["on"] == pytest.approx(on, abs=4 * f.mcse)
    assert f.steps[-1].kind == "cases" and f.steps[-1].label.startswith("cases (4 of 10")


@pytest.mark.slow
def test_cli_json_has_scenarios_and_swings(tmp_path: Path) -> None:
    path = _write(tmp_path, BODY)
    args = ["run", str(path), "--format", "json", "--draws", "200", "--tune", "200"]
    result = CliRunner().invoke(app, [*args, "--chains", "2", "--scenario", "clear"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["scenario"] == "clear"
    assert {s["name"] for s in out["scenarios"]} == {"current levels", "pushed", "clear"}
    assert {s["driver"] for s in out["swings"]} == {"push", "block"}
    bad = CliRunner().invoke(app, ["run", str(path), "--scenario", "nope"])
    assert bad.exit_code == 1
    assert "no scenario 'nope'" in bad.stderr and "clear, pushed" in bad.stderr


def test_show_lists_the_odds_ratios(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["show", str(_write(tmp_path, BODY)), "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["evidence"] == []
    rows = [(e["id"], e["what"]) for e in out["positive_judgements"]]
    assert rows == [("push", "odds ratio"), ("block", "odds ratio")]
    assert out["pooled"]["mean"] == pytest.approx(0.3)


# --- evidence in a drivers question ------------------------------------------------------

EVIDENCE = """\
evidence:
  - id: signal
    description: a signal for the event
    likelihood_ratio: {median: 2, interval: [1.2, 3.3], mass: 0.9}
  - id: fixed
    description: a signal with a known likelihood ratio
    likelihood_ratio: 1.5
  - id: known
    description: already in the judgements
    likelihood_ratio: 10
    in_judgements: true
"""


def _llr_quadrature(shifts: list[tuple[float, float]], mu: float, sigma: float, p_of) -> float:  # type: ignore[no-untyped-def]
    """E over p (density ``p_of``) and llr ~ Normal(mu, sigma) of sum_s w_s sigmoid(logit p
    + s + llr): Gauss-Hermite in llr, adaptive quadrature in p."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(40)
    weights = weights / weights.sum()

    def inner(p: float) -> float:
        u = logit(p) + mu + sigma * nodes
        return float(sum(w * (weights * expit(u + s)).sum() for w, s in shifts))

    return integrate.quad(lambda p: inner(p) * p_of(p), 0, 1, limit=200)[0]


def test_evidence_shifts_the_forecast_not_counted_twice(tmp_path: Path) -> None:
    q = load_question(_write(tmp_path, BODY + EVIDENCE))
    inputs = drivers.prepare(q.spec)  # type: ignore[arg-type]
    assert [e.id for e in inputs.applied] == ["signal", "fixed"]
    sig = inputs.applied[0].fitted.params
    rng = np.random.default_rng(3)
    p = rng.beta(3, 7, size=(4, 5000))
    llr = rng.normal(sig["mu"], sig["sigma"], size=(4, 5000, 1))
    idata = from_dict({"posterior": {"p": p, "llr": llr}, "sample_stats": {"diverging": p < 0}})
    f = drivers_summary.summarise(q, inputs, idata, SamplerSettings(draws=5000, chains=4, seed=2))
    l3, l5, l15 = np.log(3), np.log(0.5), np.log(1.5)
    truth = _llr_quadrature(
        [(0.4, l3 + l5 + l15), (0.6, l5 + l15)], sig["mu"], sig["sigma"], stats.beta(3, 7).pdf
    )
    assert f.probability == pytest.approx(truth, abs=4 * 0.2 / np.sqrt(20000))
    labels = [s.label for s in f.steps]
    assert labels[-2:] == ["evidence: signal", "evidence: fixed"]
    assert f.steps[-1].after == pytest.approx(f.probability)
    assert f.steps[-3].after == pytest.approx(_expect([(0.4, l3 + l5), (0.6, l5)]), abs=0.01)
    clear = next(s for s in f.to_dict()["scenarios"] if s["name"] == "clear")
    truth_clear = _llr_quadrature([(1, l15)], sig["mu"], sig["sigma"], stats.beta(3, 7).pdf)
    assert clear["probability"] == pytest.approx(truth_clear, abs=4 * 0.2 / np.sqrt(20000))
    assert [e.id for e in f.evidence] == ["signal", "fixed", "known"]
    buf = io.StringIO()
    Console(file=buf, width=120, color_system=None).print(Report(f))
    assert "evidence: signal" in buf.getvalue()


def test_a_repeated_evidence_id_is_located(tmp_path: Path) -> None:
    body = BODY + EVIDENCE.replace("id: fixed", "id: signal")
    (problem,) = _problems(_write(tmp_path, body))
    assert "evidence[1].id" in problem and "signal" in problem


def test_show_lists_the_likelihood_ratios(tmp_path: Path) -> None:
    path = _write(tmp_path, BODY + EVIDENCE)
    result = CliRunner().invoke(app, ["show", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    rows = {e["id"]: e["applied"] for e in out["evidence"]}
    assert rows == {"signal": True, "fixed": True, "known": False}
    assert {e["what"] for e in out["positive_judgements"]} == {"odds ratio", "likelihood ratio"}


@pytest.mark.slow
def test_sampled_evidence_and_cases_match_quadrature(tmp_path: Path) -> None:
    # Cases with every driver off make the posterior of p Beta(7, 13) (as above); the
    # evidence is independent of the cases, so under the clear scenario the forecast is
    # E[sigmoid(logit p + log 1.5 + llr)] with llr from the signal's fitted Normal.
    coded = "cases:\n" + "".join(
        f"  - {{drivers: {{push: false, block: false}}, outcome: {str(i < 4).lower()}}}\n"
        for i in range(10)
    )
    q = load_question(_write(tmp_path, BODY + coded + EVIDENCE))
    f = engine.run(q, SamplerSettings(draws=1000, tune=500, chains=2, seed=5), scenario="clear")
    sig = drivers.prepare(q.spec).applied[0].fitted.params  # type: ignore[arg-type]
    truth = _llr_quadrature([(1, np.log(1.5))], sig["mu"], sig["sigma"], stats.beta(7, 13).pdf)
    assert abs(f.probability - truth) <= 3 * f.mcse, (f.probability, truth, f.mcse)
    assert [s.kind for s in f.steps][-3:] == ["cases", "evidence", "evidence"]
    assert f.diagnostics.ok


@pytest.mark.slow
def test_a_sweep_of_driver_levels_gives_the_swings_of_a_run(tmp_path: Path) -> None:
    # The sweep evaluates driver levels on the question's own posterior, so each row is
    # the run's swing end, evidence included (the sweep samples on a model compiled for
    # swapping data, so its draws are others than the run's: compare within MC error).
    path = _write(tmp_path, BODY + EVIDENCE)
    sampled = ["--draws", "300", "--tune", "300", "--chains", "2", "--seed", "9"]
    result = CliRunner().invoke(app, ["sweep", str(path), "--grid", "driver.push=0,1", *sampled])
    assert result.exit_code == 0, result.output
    rows = {r["settings"]["driver.push"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert {r["strategy"] for r in rows.values()} == {"vectorised"}
    f = engine.run(load_question(path), SamplerSettings(draws=300, tune=300, chains=2, seed=9))
    push = next(s for s in f.to_dict()["swings"] if s["driver"] == "push")
    for level, end in ((1, "on"), (0, "off")):
        tol = 4 * (rows[level]["mcse"] + f.mcse)
        assert abs(rows[level]["probability"] - push[end]) <= tol, (level, rows[level], push)


def test_a_driver_may_not_take_the_name_of_a_cases_file_column(tmp_path: Path) -> None:
    (tmp_path / "cases.csv").write_text("outcome,block\n1,0\n", encoding="utf-8")
    body = BODY.replace("id: push", "id: outcome").replace("{push: 1}", "{outcome: 1}")
    body = body.replace("{push: 0, block: 0}", "{outcome: 0, block: 0}")
    (problem,) = _problems(_write(tmp_path, body + "cases: cases.csv\n"))
    assert "drivers[0].id: 'outcome' names a column of its own in a cases file" in problem
    assert load_question(_write(tmp_path, body))  # inline cases have no columns to clash


@pytest.mark.parametrize("method", ["importance", pytest.param("nuts", marks=pytest.mark.slow)])
def test_with_no_cases_the_forecast_before_the_data_is_where_the_drivers_steps_end(
    method: str,
) -> None:
    """No cases coded: "before the data" and the chain of steps through the drivers are
    the same prior at the file's levels, so they must show the same number (they were
    read off two sets of draws, 0.14 pp apart)."""
    from tests.conftest import PRIORS

    q = load_question(PRIORS / "us-kazakhstan-critical-minerals.yaml")
    assert q.spec.cases in (None, [])  # type: ignore[attr-defined]
    settings = SamplerSettings(draws=300, tune=300, chains=2, seed=3, method=method)
    f = engine.run(q, settings)
    drivers_end = [s for s in f.steps if s.kind == "driver"][-1].after
    assert f.prior_probability == pytest.approx(drivers_end, abs=1e-12)
