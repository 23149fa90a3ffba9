"""What a sweep writes: grid order, names, one coding of on/off and booleans in every
format, the line saying where the rows went, and the help example that runs as written.

The sampler is replaced by seeded made-up draws (``fake_sampling``), so these run fast.
"""

from __future__ import annotations

import itertools
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.inference import SamplerSettings
from tests.conftest import ROOT
from tests.test_sweep import EVENT, FORMATS, SAMPLED, _rows

runner = CliRunner()

GRID = {
    "evidence.signal": ["on", "off"],
    "base_rate.weight": ["1", "0.5"],  # 1 is resampled, 0.5 (the file's) is not
    "prior.strength": ["0.5", "2"],  # a prior strength is reweighted from the base posterior
}


def _grid_args() -> list[str]:
    return [x for name, values in GRID.items() for x in ("--grid", f"{name}={','.join(values)}")]


def _expected_order() -> list[tuple[str, str, str]]:
    return list(itertools.product(*GRID.values()))


@pytest.mark.parametrize("suffix", FORMATS)
def test_rows_come_in_grid_order_named_and_coded_alike(  # type: ignore[no-untyped-def]
    suffix: str, write_priors, in_tmp: Path, fake_sampling: list[SamplerSettings]
) -> None:
    write_priors(EVENT)
    out = f"out{suffix}"
    result = runner.invoke(app, ["sweep", "q.yaml", *_grid_args(), *SAMPLED, "--out", out])
    assert result.exit_code == 0, result.stderr
    assert len(fake_sampling) == 3  # the base posterior and weight 1 with each strength
    assert result.stderr.strip() == f"wrote 8 rows to {out}"
    rows = _rows(in_tmp / out)

    def setting(row: dict[str, object], name: str) -> str:
        value = row["settings"][name] if suffix == ".jsonl" else row[name]  # type: ignore[index]
        return f"{float(value):g}" if name != "evidence.signal" else str(value)

    got = [tuple(setting(r, n) for n in GRID) for r in rows]
    assert got == [(e, f"{float(w):g}", f"{float(s):g}") for e, w, s in _expected_order()]
    assert [r["name"] for r in rows] == [
        f"evidence.signal={e}, base_rate.weight={w}, prior.strength={s}"
        for e, w, s in _expected_order()
    ]
    # on/off are the words of the grid, and ok is true/false, in every format
    assert {setting(r, "evidence.signal") for r in rows} == {"on", "off"}
    assert {str(r["ok"]).lower() for r in rows} == {"true"}
    if suffix == ".csv":
        assert {r["ok"] for r in rows} == {"true"}


def test_a_named_scenario_keeps_its_name(write_priors, in_tmp: Path, fake_sampling) -> None:  # type: ignore[no-untyped-def]
    write_priors(EVENT)
    (in_tmp / "s.yaml").write_text(
        "- {name: strong signal, evidence.signal: on}\n- {evidence.signal: off}\n"
    )
    result = runner.invoke(app, ["sweep", "q.yaml", "--scenarios", "s.yaml", *SAMPLED])
    assert result.exit_code == 0, result.stderr
    import json

    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["name"] for r in rows] == ["strong signal", "evidence.signal=off"]
    assert result.stderr == ""  # nothing written to a file: nothing to say off a terminal


def _example(text: str) -> list[str]:
    """The arguments of the ``Example: forecast sweep ...`` in a help text."""
    found = re.search(r"Example: forecast sweep (.+?)(?:\n\n|$)", text, flags=re.S)
    assert found, text
    return shlex.split(" ".join(found.group(1).split()))


def test_the_help_example_runs_on_the_file_it_names(  # type: ignore[no-untyped-def]
    in_tmp: Path, fake_sampling, monkeypatch: pytest.MonkeyPatch
) -> None:
    from forecast.cli.sweep import sweep

    args = _example(sweep.__doc__ or "")
    monkeypatch.chdir(ROOT)
    out = in_tmp / "sweep.csv"
    args[args.index("--out") + 1] = str(out)
    result = runner.invoke(app, ["sweep", *args, *SAMPLED])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip() == f"wrote {len(_rows(out))} rows to {out}"
    assert len(_rows(out)) == 2 * 3


def test_the_readme_sweep_examples_name_what_their_files_have() -> None:
    """Every sweep in the README names settings its file has (checked without sampling)."""
    from forecast.questions.loader import load_question
    from forecast.sweep import grid
    from forecast.sweep.params import lookup, params_for

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"forecast sweep ((?:[^\n]*\\\n)*[^\n]*)", readme)
    checked = 0
    for block in blocks:
        args = shlex.split(block.replace("\\\n", " "))
        if not args or not args[0].endswith(".yaml"):
            continue
        q = load_question(ROOT / args[0])
        params = params_for(q.spec)
        grids = [args[i + 1] for i, a in enumerate(args) if a == "--grid"]
        for name, values in grid.parse_grid(grids):
            for v in values:
                lookup(dict(params), name, args[0]).parse(v)
        checked += 1
    assert checked >= 2


def test_a_number_an_exact_row_has_not_is_an_empty_csv_cell_and_null_in_json(
    tmp_path: Path,
) -> None:
    """An exact posterior has no R-hat: the CSV cell is empty, as README says, not
    ``nan``, and JSON Lines gives null."""
    import csv
    import json

    question = ROOT / "priors" / "turkmenistan-joins-ots.yaml"
    out = tmp_path / "rows.csv"
    grid = ["--grid", "base_rate.weight=0.5,1"]
    made = runner.invoke(app, ["sweep", str(question), *grid, "--out", str(out)])
    assert made.exit_code == 0, made.stderr
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2 and all(r["rhat_max"] == "" for r in rows)
    assert "nan" not in out.read_text(encoding="utf-8")
    lines = runner.invoke(app, ["sweep", str(question), *grid]).stdout.splitlines()
    assert [json.loads(line)["rhat_max"] for line in lines] == [None, None]
