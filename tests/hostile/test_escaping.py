"""User text in reports: never live HTML or links in markdown, never terminal controls.

A priors file's title, names and descriptions go into every report. The markdown is
rendered with markdown-it-py (CommonMark with tables) and the HTML it makes is parsed:
only the tags a report uses, no event handlers, no links at all. Terminal output is
checked for escape sequences with rich writing colours (``FORCE_COLOR``), so that
rich's own styling is there and only the user's sequences must be gone.
"""

from __future__ import annotations

import io
import json
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from markdown_it import MarkdownIt

from forecast.kinds.event import summary as event_summary
from tests.conftest import EVENT_HEADER
from tests.hostile.conftest import cli

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
JS_LINK = "[click](javascript:alert(3))"
AUTOLINK = "<javascript:alert(4)>"
DATA_IMG = "![x](data:text/html;base64,PHNjcmlwdD4=)"
REF = "[ref]\n\n[ref]: javascript:alert(5)"

# Clear the screen, set the window title, plant an OSC-8 hyperlink, an 8-bit CSI, and
# rich markup that would make a link or fail to parse.
CLEAR = "\x1b[2J\x1b[H"
TITLE = "\x1b]0;owned\x07"
OSC8 = "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\"
CSI8 = "\x9b31m"
MARKUP = "[link=javascript:alert(6)]here[/link] [/oops]"

HOSTILE_BODY = """
experts:
  - name: {name}
    judgement: {{probability: 0.2, strength: 10}}
  - name: Second
    judgement: {{pseudo_counts: {{successes: 1, trials: 9}}}}
base_rate: {{successes: 1, trials: 8, weight: 0.5, reference_class: {ref}}}
evidence:
  - id: signal
    description: {desc}
    likelihood_ratio: 2
"""


def _yaml(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


def _file(tmp_path: Path, title: str, name: str, desc: str, ref: str) -> Path:
    header = EVENT_HEADER.replace("title: A test question", f"title: {_yaml(title)}")
    body = HOSTILE_BODY.format(name=_yaml(name), desc=_yaml(desc), ref=_yaml(ref))
    path = tmp_path / "q.yaml"
    path.write_text(header + textwrap.dedent(body), encoding="utf-8")
    return path


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


REPORT_TAGS = {
    "h1", "pre",
    "h2", "h3", "p", "table", "thead", "tbody", "tr", "th", "td", "code", "strong", "em",
    "ul", "li", "blockquote", "br",
}  # fmt: skip


def _assert_inert(markdown: str) -> str:
    """Render ``markdown`` as a viewer would and check no user HTML or link is live."""
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    parsed = _Tags()
    parsed.feed(html)
    for tag, attrs in parsed.tags:
        assert tag in REPORT_TAGS, (tag, attrs, html)
        for key, _ in attrs:
            assert not key.startswith("on"), (tag, attrs)
        assert tag != "a" and "href" not in dict(attrs), (tag, attrs)
    assert "javascript:alert(3)" in html  # the words are kept, as text
    return html


@pytest.fixture
def hostile_md(tmp_path: Path) -> Path:
    return _file(
        tmp_path,
        f"Title {SCRIPT} {JS_LINK}",
        f"Expert {IMG} {AUTOLINK}",
        f"Signal {DATA_IMG} {REF}",
        f"Cases {SCRIPT} | {JS_LINK}",
    )


def test_show_markdown_has_no_live_html_or_links(hostile_md: Path) -> None:
    result = cli("show", hostile_md, "--format", "markdown")
    assert result.exit_code == 0, result.output
    html = _assert_inert(result.stdout)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _fabricated(path: Path) -> Any:
    """A forecast of ``path`` from fabricated draws (no sampling)."""
    from arviz_base import from_dict

    from forecast.inference import SamplerSettings
    from forecast.kinds.event import model as event
    from forecast.questions.loader import load_question

    q = load_question(path)
    inputs = event.prepare(q.spec)  # type: ignore[arg-type]
    p = np.random.default_rng(0).beta(2.5, 14.5, size=(2, 500))
    idata = from_dict(
        {
            "posterior": {"p": p, "q": 1 / (1 + (1 - p) / (2 * p))},
            "sample_stats": {"diverging": np.zeros((2, 500), dtype=bool)},
        }
    )
    return event_summary.summarise(q, inputs, idata, SamplerSettings(draws=500, chains=2, seed=5))


def test_run_markdown_and_report_markdown_have_no_live_html_or_links(hostile_md: Path) -> None:
    from forecast.render.html import markdown_page
    from forecast.render.markdown import render

    f = _fabricated(hostile_md)
    for text in (render(f), markdown_page(f)):
        html = _assert_inert(text)
        assert "&lt;img src=x onerror=" in html
        assert "Title" in html and "Expert" in html


@pytest.mark.parametrize("text", ["a|b", "line\nbreak", "`tick` and ``two``", "_x_ *y* ~z~"])
def test_escaped_text_reads_back_as_written(text: str) -> None:
    from forecast.render.safe import md

    html = MarkdownIt("commonmark").enable("table").render(f"| h |\n|---|\n| {md(text)} |\n")
    cell = html.split("<td>")[1].split("</td>")[0]
    assert cell == text.replace("\n", " ")


# ---------------------------------------------------------------------------
# The terminal


@pytest.fixture
def hostile_tty(tmp_path: Path) -> Path:
    return _file(
        tmp_path,
        f"Title {CLEAR}{TITLE} {OSC8}",
        f"Expert {CSI8} {MARKUP}",
        f"Signal {CLEAR}",
        f"Cases {TITLE}",
    )


def _assert_no_user_controls(text: str) -> None:
    for seq in ("\x1b[2J", "\x1b[H", "\x1b]", "\x07", "\x9b", "evil.example/\x1b"):
        assert seq not in text, (seq, text)


@pytest.fixture
def colours(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich writes styles as on a terminal, so its own escape codes are in the output."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)


def test_show_and_check_print_no_escape_sequences_from_the_file(
    hostile_tty: Path, colours: None
) -> None:
    result = cli("show", hostile_tty)
    assert result.exit_code == 0, result.output
    assert "\x1b[" in result.stdout  # rich's own colours are there
    _assert_no_user_controls(result.stdout)
    assert "Title [2J[H]0;owned" in result.stdout.replace("\x1b[1m", "").replace("\x1b[0m", "")
    assert "[link=javascript:alert(6)]here[/link] [/oops]" in result.stdout  # markup as text


def test_the_run_report_prints_no_escape_sequences_from_the_file(hostile_tty: Path) -> None:
    from forecast.render.report import Report
    from forecast.render.safe import SafeConsole

    buf = io.StringIO()
    console = SafeConsole(file=buf, width=120, force_terminal=True, color_system="truecolor")
    console.print(Report(_fabricated(hostile_tty)))
    text = buf.getvalue()
    assert "\x1b[" in text
    _assert_no_user_controls(text)
    assert "[link=javascript:alert(6)]here[/link]" in text


def test_error_lines_print_no_escape_sequences(tmp_path: Path, colours: None) -> None:
    bad = tmp_path / f"bad{CLEAR}.yaml"
    bad.write_text(EVENT_HEADER + f"{_yaml('k' + TITLE)}: 1\n", encoding="utf-8")
    result = cli("check", tmp_path)
    assert result.exit_code == 1
    _assert_no_user_controls(result.stdout + result.stderr)
    assert "unknown key" in result.stdout


def test_json_escapes_every_control_character(hostile_tty: Path) -> None:
    from forecast.cli._common import print_json

    f = _fabricated(hostile_tty)
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sys.stdout", out)
        print_json(f.to_dict())
    text = out.getvalue()
    _assert_no_user_controls(text)
    assert json.loads(text)["question"]["title"].startswith(f"Title {CLEAR}{TITLE}")  # kept
    assert "\\u009b" in text


def test_a_status_line_reads_no_markup_from_a_file_name() -> None:
    from rich.status import Status

    from forecast.cli._common import plain
    from forecast.render.safe import SafeConsole

    def shown(status: object) -> str:
        buf = io.StringIO()
        console = SafeConsole(file=buf, width=120, force_terminal=True, color_system="truecolor")
        console.print(Status(status, console=console).renderable)  # type: ignore[arg-type]
        return buf.getvalue()

    assert "\x1b]8;" in shown(f"Sampling {MARKUP.split(' [/')[0]}")  # a str is read as markup
    text = shown(plain(f"Sampling {MARKUP}"))
    assert "\x1b]8;" not in text and "[link=javascript:alert(6)]here[/link]" in text


def _seeds(tmp_path: Path, name: str, item: str, title: str) -> Path:
    from tests.test_cooke_inputs import SEEDS

    text = (
        SEEDS.replace("name: Ann", f"name: {_yaml(name)}")
        .replace("id: s1", f"id: {_yaml(item)}")
        .replace("      s1:", f"      {_yaml(item)}:")
        .replace("title: Test study", f"title: {_yaml(title)}")
    )
    path = tmp_path / "study.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_cooke_markdown_has_no_live_html_links_or_controls(tmp_path: Path) -> None:
    path = _seeds(
        tmp_path,
        f"Ann {IMG} {JS_LINK} | ``` {TITLE}",
        f"s1 {AUTOLINK} {SCRIPT}",
        f"Study {CLEAR}",
    )
    result = cli("cooke", path, "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    html = _assert_inert(result.stdout)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x" in html
    # the range graphs stay whole text blocks: a name's backticks cannot end one early
    blocks = html.count("<pre><code>")
    assert blocks == 3, html  # one per seed item


def test_cooke_terminal_prints_no_escape_sequences(tmp_path: Path, colours: None) -> None:
    path = _seeds(tmp_path, f"Ann {CLEAR}{TITLE}{OSC8}{CSI8} {MARKUP}", "s1", f"T {TITLE}")
    result = cli("cooke", path)
    assert result.exit_code == 0, result.output
    for bad in ("\x1b]", "\x1b[2J", "\x9b", "\x07", "evil.example/\x1b"):
        assert bad not in result.stdout, bad
    assert "[/oops]" in result.stdout or "[/oops" in result.stdout.replace("\n", "")
