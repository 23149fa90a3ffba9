"""``forecast report``: forecast each question and write a report file with plots."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from forecast.cli._common import err, handle_errors, load_some, out, print_json, report_error
from forecast.cli._sampling import SampleOutcome, sample_each, workers
from forecast.cli.options import (
    Chains,
    Draws,
    InferenceMethod,
    Jobs,
    Ledger,
    Priors,
    Seed,
    Strict,
    Tune,
    Weights,
    with_weights,
)
from forecast.errors import ForecastError
from forecast.methods import Method

if TYPE_CHECKING:
    from forecast.errors import InputError
    from forecast.questions.loader import LoadedQuestion
    from forecast.results import Forecast
    from forecast.scoring import Bin


class FileFormat(StrEnum):
    """Formats of the report files."""

    html = "html"
    markdown = "markdown"


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` so readers see the old file or the new one, never half of one."""
    from forecast import files

    files.atomic_write(path, data)


def _calibration_bins(ledger: str | None) -> list[Bin]:
    """The calibration table over the ledger's resolved questions; empty when there are none."""
    try:
        from forecast.ledger import evaluate, open_ledger
        from forecast.ledger.store import exists

        if ledger is None and not exists(None):
            return []
        with open_ledger(ledger, write=False) as book:
            scored = evaluate.report(book.forecasts(light=True), book.resolutions())
    except (ImportError, ForecastError, OSError, AttributeError):
        return []  # no ledger, or one this version cannot read: the plot is optional
    if not scored.overall.n:
        return []
    if not scored.judged:  # as forecast score: too few to judge calibration by
        from forecast.corp import MIN_QUESTIONS

        err().print(
            f"no calibration plot: {scored.overall.n} resolved question"
            f"{'s' if scored.overall.n != 1 else ''} in the ledger, and calibration is "
            f"judged from {MIN_QUESTIONS} (as in forecast score)",
            style="dim",
            highlight=False,
        )
        return []
    return list(scored.overall.bins)


CALIBRATION = "calibration.png"
"""The ledger-wide calibration plot, written once beside the reports that link to it."""


def write_calibration(directory: Path, bins: list[Bin]) -> Path | None:
    """Draw the ledger's calibration plot once into ``directory`` (None with no bins)."""
    from forecast.render import plots

    plot = plots.calibration_plot(bins)
    if plot is None:
        return None
    target = directory / CALIBRATION
    _write(target, plot.png)
    return target


def write_report(
    forecast: Forecast, fmt: FileFormat, directory: Path, calibration: str | None = None
) -> Path:
    """Draw the plots and write one question's report into ``directory``; return its path.

    ``calibration`` is the file name of the ledger's calibration plot beside it, linked
    from the report rather than copied into each one.
    """
    from forecast.render import html, plots

    drawn = plots.draw(forecast)
    stem = forecast.question_id
    if fmt is FileFormat.html:
        target = directory / f"{stem}.html"
        _write(target, html.page(forecast, drawn, calibration).encode("utf-8"))
        return target
    folder = directory / f"{stem}-plots"
    folder.mkdir(exist_ok=True)
    images = []
    for plot in drawn:
        _write(folder / f"{plot.name}.png", plot.png)
        images.append((plot, f"{folder.name}/{plot.name}.png"))
    target = directory / f"{stem}.md"
    _write(target, html.markdown_page(forecast, images, calibration).encode("utf-8"))
    return target


def _prepare(out_dir: Path, ledger: str | None) -> Path | None:
    """Make the report directory and draw the ledger's calibration plot into it; the
    plot's path, or None when there is none."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot("create the report directory", out_dir, exc) from None
    try:
        return write_calibration(out_dir, _calibration_bins(ledger))
    except OSError as exc:
        raise _cannot("write the calibration plot in", out_dir, exc) from None


class _Written:
    """What ``report`` wrote and what failed: each path on stdout as it is written, or,
    with ``--json``, one ``forecast.report/1`` object at the end."""

    def __init__(
        self, json_: bool, fmt: FileFormat, out_dir: Path, bad: list[InputError]
    ) -> None:
        self.json_, self.fmt, self.out_dir = json_, fmt, out_dir
        self.calibration: Path | None = None
        self.reports: list[dict[str, str]] = []
        self.failed: list[dict[str, str | None]] = []
        for exc in bad:
            report_error(exc)
            self.invalid(exc)

    def calibration_plot(self, path: Path | None) -> str | None:
        """The calibration plot written (or None); the file name the reports link to."""
        if path is None:
            return None
        self.wrote(path)
        return path.name

    def wrote(self, path: Path, question: str | None = None) -> None:
        """A file written: a question's report, or (``question`` None) the calibration plot."""
        if question is None:
            self.calibration = path
        else:
            self.reports.append({"question": question, "path": str(path)})
        if not self.json_:
            out().print(str(path), markup=False, highlight=False, soft_wrap=True)

    def invalid(self, exc: InputError) -> None:
        """A priors file that did not load (reported on stderr already)."""
        first = exc.problems[0] if exc.problems else None
        self.failed.append(
            {
                "question": Path(first.path).stem if first else None,
                "priors": first.path if first else None,
                "stage": "invalid",
                "error": str(first) if first else exc.message,
            }
        )

    def sampling_failed(self, q: LoadedQuestion, why: str) -> None:
        """A question whose forecast failed (reported on stderr already)."""
        self.failed.append(
            {"question": q.id, "priors": str(q.path), "stage": "sampling", "error": why}
        )

    def end(self) -> None:
        """With ``--json``, the object saying what was written and what failed."""
        if not self.json_:
            return
        print_json(
            {
                "schema": "forecast.report/1",
                "format": self.fmt.value,
                "out": str(self.out_dir),
                "calibration": None if self.calibration is None else str(self.calibration),
                "reports": self.reports,
                "failed": self.failed,
            }
        )


def _cannot(what: str, out_dir: Path, exc: OSError) -> ForecastError:
    return ForecastError(
        f"cannot {what} {out_dir}: {exc.strerror}", hint="choose another place with --out DIR"
    )


def report(
    priors: Priors,
    format_: FileFormat = typer.Option(
        FileFormat.html, "--format", "-f", help="html (one self-contained file) or markdown."
    ),
    out_dir: Path = typer.Option(
        Path("reports"), "--out", "-o", help="Directory for the report files (created)."
    ),
    seed: Seed = None,
    draws: Draws = 1000,
    tune: Tune = 1000,
    chains: Chains = 4,
    weights: Weights = None,
    jobs: Jobs = 1,
    strict: Strict = False,
    ledger: Ledger = None,
    method: InferenceMethod = Method.auto,
    json_: bool = typer.Option(
        False,
        "--json",
        help="Say what was written and what failed as one JSON object on stdout "
        "(forecast.report/1) instead of a path a line; --format is the files' format.",
    ),
) -> None:
    """Forecast each question and write its report, with plots, to a file.

    Each is forecast exactly where its model allows, else by sampling (--method).

    The plots: prior and posterior, each expert's judgement, what moved the forecast,
    sensitivity, and where they apply P(by date), drivers and calibration.

    HTML reports are single files with the plots inside; markdown reports keep their
    PNG plots in a folder beside them. With resolved questions in the ledger (--ledger),
    one calibration.png is written beside the reports and each links to it; the ledger
    also gives performance weights when a file asks for them. The path of each file
    written goes to stdout (with --json, one object listing the files written and the
    questions that failed).

    Example: forecast report priors/ --format html --out reports/
    """
    from forecast.inference import SamplerSettings

    loaded, bad = load_some(priors)
    loaded = with_weights(loaded, ledger, weights)
    written = _Written(json_, format_, out_dir, bad)
    link = written.calibration_plot(_prepare(out_dir, ledger))
    base = SamplerSettings(draws=draws, tune=tune, chains=chains, method=str(method))
    outcome = SampleOutcome(failed=bool(bad))
    with workers("local", jobs, None, len(loaded)) as pool:
        each = sample_each(
            loaded, base, seed, outcome, pool=pool, on_failure=written.sampling_failed
        )
        for q, forecast in each:
            try:
                path = write_report(forecast, format_, out_dir, link)
            except OSError as exc:
                raise _cannot(f"write the report for {q.id} in", out_dir, exc) from None
            written.wrote(path, q.id)
    written.end()
    outcome.exit(strict)


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("report")(handle_errors(report))
