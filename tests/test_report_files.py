"""Report files (HTML, markdown with PNGs) drawn from fabricated posteriors."""

from __future__ import annotations

import base64
import io
import re
import shutil
import struct
import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pytest
from arviz_base import from_dict
from rich.console import Console
from typer.testing import CliRunner

from forecast import engine, scoring
from forecast.cli import app
from forecast.cli.report import FileFormat, write_report
from forecast.inference import SamplerSettings
from forecast.kinds.event import model as event
from forecast.kinds.event import summary as event_summary
from forecast.questions.loader import load_question
from forecast.render import fmt, plots
from forecast.render.report import Report

PNG = b"\x89PNG\r\n\x1a\n"

HEADER = """\
format: 1
kind: event
title: {title}
resolution: Resolves yes if the test event happens, as the test says.
deadline: 2030-01-01
"""

BODY = """
experts:
  - name: {name}
    judgement: {{probability: 0.2, strength: 10}}
  - name: Beta
    judgement: {{pseudo_counts: {{successes: 1, trials: 9}}}}
evidence:
  - id: signal
    description: a signal
    likelihood_ratio: 2
"""

BASE_RATE = "base_rate: {successes: 1, trials: 8, weight: 0.5, reference_class: eight years}\n"


@pytest.fixture(autouse=True)
def _fabricated_draws_are_not_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fabricated draws are not the model's posterior: leave out the check that a sampled
    forecast matches the exact one (tests/test_diagnostics.py tests it)."""

    monkeypatch.setattr(event_summary, "check_against_exact", lambda diag, *_: diag)


def _forecast(  # type: ignore[no-untyped-def]
    write_priors,
    *,
    title: str = "A test question",
    name: str = "Alpha",
    base_rate: bool = True,
    shift: float = 0.0,
    diverging: int = 0,
):
    text = HEADER.format(title=title) + textwrap.dedent(BODY).format(name=name)
    q = load_question(write_priors(text + (BASE_RATE if base_rate else "")))
    inputs = event.prepare(q.spec)  # type: ignore[arg-type]
    rng = np.random.default_rng(0)
    p = rng.beta(2.5, 14.5, size=(2, 500))
    p[1] = np.clip(p[1] + shift, 1e-6, 1 - 1e-6)
    q_draws = 1 / (1 + (1 - p) / (2 * p))
    div = np.zeros((2, 500), dtype=bool)
    div.flat[:diverging] = True
    idata = from_dict({"posterior": {"p": p, "q": q_draws}, "sample_stats": {"diverging": div}})
    return event_summary.summarise(q, inputs, idata, SamplerSettings(draws=500, chains=2, seed=5))


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == PNG
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _embedded(page: str) -> dict[str, bytes]:
    found = re.findall(
        r'<figure id="plot-([a-z-]+)"><img alt="[^"]*" src="data:image/png;base64,([^"]+)"', page
    )
    return {name: base64.b64decode(data, validate=True) for name, data in found}


def _visible_text(page: str) -> str:
    import html

    text = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text))


def test_html_report_is_one_self_contained_file_with_its_plots(write_priors, tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = _forecast(write_priors)
    out = tmp_path / "reports"
    out.mkdir()
    path = write_report(f, FileFormat.html, out)
    assert path == out / "q.html"
    assert [p.name for p in out.iterdir()] == ["q.html"]  # nothing beside it, no temp files
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    # Nothing is loaded from elsewhere.
    assert not re.search(r"<(script|link|iframe)\b", page)
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:image/png;base64,)""", page)
    assert "url(" not in page
    images = _embedded(page)
    assert {"prior-posterior", "experts", "waterfall", "sensitivity"} <= set(images)
    for data in images.values():
        width, height = _png_size(data)
        assert 400 <= width <= 2000 and 150 <= height <= 2000
        assert len(data) > 5_000  # something was drawn
    text = _visible_text(page)
    assert fmt.pct(f.probability) in text
    i95 = f.interval(0.95)
    assert fmt.interval(i95.lo, i95.hi) in text
    assert "Sensitivity: how far the forecast moves" in text
    assert "experts' prior counted double" in text
    assert "base rate 1/8 (as 4 cases) counted half" in text
    assert "without Alpha" in text  # drop-one rows in the same table
    assert "logarithmic pool" in text
    assert "✓ converged" in text


def test_html_escapes_everything_the_user_wrote(write_priors, tmp_path) -> None:  # type: ignore[no-untyped-def]
    title = "'<script>alert(1)</script> & \"quotes\"'"
    f = _forecast(write_priors, title=title, name="'<b>Dr $x$ & co</b>'")
    page = write_report(f, FileFormat.html, tmp_path).read_text(encoding="utf-8")
    assert "<script>" not in page and "<b>Dr" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;" in page
    assert "&lt;b&gt;Dr $x$ &amp; co&lt;/b&gt;" in page
    assert "experts" in _embedded(page)  # a $ in a name does not break the plot


def test_markdown_report_keeps_its_pngs_beside_it(write_priors, tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = _forecast(write_priors)
    path = write_report(f, FileFormat.markdown, tmp_path)
    assert path == tmp_path / "q.md"
    md = path.read_text(encoding="utf-8")
    assert md.startswith("## A test question")
    assert f"**Forecast: {fmt.pct(f.probability)}**" in md
    assert "### Sensitivity: how far the forecast moves" in md
    links = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", md)
    assert len(links) >= 4
    for link in links:
        data = (tmp_path / link).read_bytes()
        assert data[:8] == PNG
        assert _png_size(data)[0] >= 400
    assert sorted(p.name for p in (tmp_path / "q-plots").iterdir()) == sorted(
        Path(link).name for link in links
    )


def test_no_base_rate_says_so_in_the_report(write_priors, tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = _forecast(write_priors, base_rate=False)
    text = _visible_text(write_report(f, FileFormat.html, tmp_path).read_text())
    assert "no data: the forecast is the experts' prior moved by evidence" in text
    assert "counted double" not in text
    md = write_report(f, FileFormat.markdown, tmp_path).read_text()
    assert "no data: the forecast is the experts' prior moved by evidence" in md


def test_curve_tornado_and_calibration_plots_when_their_data_exist(write_priors) -> None:  # type: ignore[no-untyped-def]
    f = _forecast(write_priors)
    from functools import partial

    from forecast.effects import SwingView
    from forecast.kinds.tte.result import CurvePoint

    curve = [
        CurvePoint(f"{y}-06-30", 0.05 * i, 0.03 * i, 0.08 * i)
        for i, y in enumerate(range(2026, 2033), start=1)
    ]
    swings = [
        SwingView("russia-opposes", "", 1.0, 0.3, 0.1, -0.2, (-0.3, -0.1)),
        SwingView("us-engagement", "", 1.0, 0.2, 0.26, 0.06, (0.0, 0.1)),
    ]
    rng = np.random.default_rng(1)
    p = rng.uniform(size=60)
    bins = scoring.calibration(p, (rng.uniform(size=60) < p).astype(int))
    jobs = [
        ("curve", plots.CURVE_TITLE, partial(plots.curve, f, curve)),
        ("tornado", plots.TORNADO_TITLE, partial(plots.tornado, f, swings)),
    ]
    drawn = {x.name: x for x in plots.figures(jobs)}
    assert {"curve", "tornado"} <= set(drawn)
    cal = plots.calibration_plot(bins)
    assert cal is not None and cal.png[:8] == PNG
    for x in drawn.values():
        assert x.png[:8] == PNG
    assert "curve" not in {x.name for x in plots.draw(f)}
    assert "calibration" not in {x.name for x in plots.draw(f)}  # one for all, beside them


def test_the_calibration_plot_is_written_once_and_linked(write_priors, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from forecast.cli.report import write_calibration

    rng = np.random.default_rng(1)
    p = rng.uniform(size=60)
    bins = scoring.calibration(p, (rng.uniform(size=60) < p).astype(int))
    written = write_calibration(tmp_path, bins)
    assert written == tmp_path / "calibration.png" and written.read_bytes()[:8] == PNG
    assert write_calibration(tmp_path / "none", []) is None
    f = _forecast(write_priors)
    page = write_report(f, FileFormat.html, tmp_path, "calibration.png").read_text()
    assert page.count('<a href="calibration.png">') == 1
    assert "plot-calibration" not in page and len(_embedded(page)) >= 1
    md = write_report(f, FileFormat.markdown, tmp_path, "calibration.png").read_text()
    assert md.count("(calibration.png)") == 1
    assert not (tmp_path / f"{f.question_id}-plots" / "calibration.png").exists()
    assert "calibration.png" not in write_report(f, FileFormat.html, tmp_path).read_text()


def test_percent_axes_end_at_100_percent() -> None:
    rng = np.random.default_rng(2)
    p = rng.uniform(size=60)
    fig = plots.calibration(scoring.calibration(p, (rng.uniform(size=60) < p).astype(int)))
    assert fig is not None
    fig.canvas.draw()
    ax = fig.axes[0]
    for labels in (ax.get_xticklabels(), ax.get_yticklabels()):
        shown = [t.get_text() for t in labels if t.get_text()]
        assert shown[0] == "0%" and shown[-1] == "100%", shown
        assert all(re.fullmatch(r"\d+%", t) for t in shown), shown


def test_bad_chains_are_a_visible_warning_with_advice(write_priors, tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = _forecast(write_priors, shift=0.2, diverging=3)
    assert not f.diagnostics.ok
    page = write_report(f, FileFormat.html, tmp_path).read_text()
    text = _visible_text(page)
    assert "Sampling did not fully converge" in text
    assert "3 divergent transitions" in text and "check for extreme judgements" in text
    assert "R-hat" in text and "try more --draws" in text
    md = write_report(f, FileFormat.markdown, tmp_path).read_text()
    assert "### ⚠ Sampling diagnostics are not all good" in md


@pytest.mark.parametrize("command", ["report", "run"])
def test_strict_exits_3_on_bad_chains(  # type: ignore[no-untyped-def]
    command, write_priors, tmp_path, monkeypatch
) -> None:
    bad = _forecast(write_priors, shift=0.2, diverging=3)
    monkeypatch.setattr(engine, "run", lambda *a, **k: bad)
    priors = tmp_path / "q.yaml"
    args = [command, str(priors)] + (
        ["--out", str(tmp_path / "out")] if command == "report" else []
    )
    runner = CliRunner()
    loose = runner.invoke(app, args)
    assert loose.exit_code == 0, loose.output
    assert "warning: q:" in loose.stderr and "divergent" in loose.stderr
    strict = runner.invoke(app, [*args, "--strict"])
    assert strict.exit_code == 3
    if command == "report":
        assert strict.stdout.strip() == str(tmp_path / "out" / "q.html")


def test_report_command_writes_and_names_each_file(write_priors, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    f = _forecast(write_priors)
    monkeypatch.setattr(engine, "run", lambda *a, **k: f)
    out = tmp_path / "deep" / "reports"
    result = CliRunner().invoke(
        app, ["report", str(tmp_path / "q.yaml"), "--format", "markdown", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out / "q.md")
    assert (out / "q.md").exists() and (out / "q-plots" / "waterfall.png").exists()


def test_terminal_report_has_no_colour_with_no_color(write_priors, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NO_COLOR", "1")
    buf = io.StringIO()
    console = Console(file=buf, width=70, force_terminal=True)
    console.print(Report(_forecast(write_priors)))
    text = buf.getvalue()
    assert not re.search(r"\x1b\[[0-9;]*3[0-9]m", text)  # no foreground colours
    assert "Sensitivity: how far the forecast moves" in re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_html_report_renders_in_headless_chromium(write_priors, tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = _forecast(write_priors)
    path = write_report(f, FileFormat.html, tmp_path)
    shot = tmp_path / "shot.png"
    common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    dom = subprocess.run(
        ["chromium", *common, "--dump-dom", path.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "Sensitivity: how far the forecast moves" in dom
    assert dom.count("<img") >= 4
    subprocess.run(
        ["chromium", *common, f"--screenshot={shot}", "--window-size=1000,2400", path.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.read_bytes()[:8] == PNG


@pytest.mark.slow
def test_report_from_a_real_run(write_priors, tmp_path) -> None:  # type: ignore[no-untyped-def]
    priors = write_priors(HEADER.format(title="Sampled") + textwrap.dedent(BODY).format(name="A")
                          + BASE_RATE)  # fmt: skip
    result = CliRunner().invoke(
        app,
        [
            *("report", str(priors), "--out", str(tmp_path)),
            *("--draws", "300", "--chains", "2", "--tune", "300", "--seed", "1"),
        ],
    )
    assert result.exit_code == 0, result.output
    page = (tmp_path / "q.html").read_text()
    assert len(_embedded(page)) >= 4
    text = _visible_text(page)
    assert "power-scaling (ArviZ psense)" in text
