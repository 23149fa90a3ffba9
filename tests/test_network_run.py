"""A network forecast end to end: the example, coherence, what was asked, the report."""

from __future__ import annotations

import io
import shutil
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from forecast.kinds.network.coherence import reconcile
from forecast.kinds.network.infer import Query, exact
from forecast.kinds.network.load import load_network
from forecast.kinds.network.run import run_network
from forecast.kinds.network.sections import rich_sections, sections
from forecast.kinds.network.svg import graph_svg
from tests.conftest import PRIORS

EXAMPLE = "turkiye-central-asia-network"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for f in PRIORS.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def test_the_example_runs_without_the_sampler_and_compares_its_event_question(
    folder: Path,
) -> None:
    net = load_network(folder / f"{EXAMPLE}.yaml")
    nf = run_network(net, sample=False, draws=2000)
    d = nf.to_dict()
    assert d["asked"] == "none" and d["target"] == "ots-joins-consultative-meeting"
    gaps = {g["node"]: g for g in d["coherence"]["gaps"]}
    assert set(gaps) == {"abraham-accords-second-central-asian-state"}
    assert set(d["coherence"]["skipped"]) == {
        "turkiye-joins-consultative-meeting",
        "us-kazakhstan-critical-minerals",
    }
    g = gaps["abraham-accords-second-central-asian-state"]
    assert g["gap"] == pytest.approx(g["network"] - g["own"])
    # The reconciliation makes the question's marginal its own forecast, and moves its
    # cause the same way (a lower own forecast makes the signing less likely).
    rec = d["coherence"]["reconciliation"]["probabilities"]
    assert rec["abraham-accords-second-central-asian-state"] == pytest.approx(g["own"], abs=1e-9)
    before = nf.analysis.probability("kazakhstan-signs-abraham-accords")
    assert (rec["kazakhstan-signs-abraham-accords"] - before) * (g["own"] - g["network"]) > 0
    # Nodes not linked to the question do not move.
    assert rec["turkiye-guest-invitation"] == pytest.approx(
        nf.analysis.probability("turkiye-guest-invitation"), abs=1e-12
    )


def test_reconciliation_is_bayes_rule_with_virtual_evidence_on_a_chain(folder: Path) -> None:
    net = load_network(folder / f"{EXAMPLE}.yaml")
    nf = run_network(net, sample=False, draws=200)
    prep = nf.prep
    node, parent = "abraham-accords-second-central-asian-state", "kazakhstan-signs-abraham-accords"
    want = 0.1
    rec = reconcile(prep, Query(), {node: want})
    # Jeffrey's rule: P'(parent) = sum_s P(parent | node = s) P'(node = s).
    cond_yes, _ = exact(prep, Query(given={node: "yes"}))
    cond_no, _ = exact(prep, Query(given={node: "no"}))
    col = prep.graph.column(parent, "yes")
    assert rec[parent] == pytest.approx(want * cond_yes[col] + (1 - want) * cond_no[col], abs=1e-9)


def test_given_and_do_differ_and_the_report_says_which(folder: Path) -> None:
    net = load_network(folder / f"{EXAMPLE}.yaml")
    node = "turkiye-joins-consultative-meeting"
    seen = run_network(net, Query(given={node: "yes"}), sample=False, draws=500)
    done = run_network(net, Query(do={node: "yes"}), sample=False, draws=500)
    cause = "turkiye-guest-invitation"
    base = run_network(net, sample=False, draws=500).analysis.probability(cause)
    assert seen.analysis.probability(cause) > base + 0.05  # seeing the effect raises the cause
    assert done.analysis.probability(cause) == pytest.approx(base, abs=1e-12)  # doing does not
    assert seen.to_dict()["asked"] == "conditioning"
    assert done.to_dict()["asked"] == "intervention"
    text = "\n".join(line for s in sections(done) for line in s.before)
    assert "intervention do(turkiye-joins-consultative-meeting=yes)" in text
    assert "not the same as observing" in text


def test_tornado_ends_are_the_target_with_that_cell_fixed(folder: Path) -> None:
    net = load_network(folder / f"{EXAMPLE}.yaml")
    nf = run_network(net, sample=False, draws=2000)
    bars = nf.tornado
    swings = [round(b.swing, 12) for b in bars]
    assert swings == sorted(swings, reverse=True)
    # The cells of the other chain cannot move the target: their swings are rounding,
    # and they keep the file's order rather than the order of their rounding errors.
    still = [b.cell for b in bars if b.swing < 1e-12]
    assert any(c.startswith("c5-plus-1") for c in still)
    assert still == [c.name for c in nf.prep.cells if c.name in still]
    top = bars[0]
    col = nf.prep.graph.column(nf.target, "yes")
    for value, got in ((top.low, top.at_low), (top.high, top.at_high)):
        means = dict(nf.prep.means)
        means[top.cell] = np.array([value, 1 - value])
        assert exact(replace(nf.prep, means=means), Query())[0][col] == pytest.approx(
            got, abs=1e-12
        )
    lo, hi = np.quantile(nf.prep.draws[top.cell][:, 0], [0.1, 0.9])
    assert (top.low, top.high) == pytest.approx((lo, hi))


def test_the_picture_and_the_terminal_report(folder: Path) -> None:
    net = load_network(folder / f"{EXAMPLE}.yaml")
    nf = run_network(
        net, Query(given={"c5-plus-1-summit-follow-up": "no"}), sample=False, draws=300
    )
    d = nf.to_dict()
    svg = ET.fromstring(graph_svg(nf.nodes))
    ns = "{http://www.w3.org/2000/svg}"
    assert len(svg.findall(f"{ns}rect")) == len(d["nodes"])
    assert len(svg.findall(f"{ns}line")) == sum(len(n["parents"]) for n in d["nodes"])
    out = io.StringIO()
    console = Console(file=out, width=200, color_system=None)
    for part in rich_sections(nf, 200):
        console.print(part)
    text = out.getvalue()
    assert "c5-plus-1-summit-follow-up -> us-kazakhstan-critical-minerals" in text
    assert "conditioning on c5-plus-1-summit-follow-up=no" in text
    assert "[turkiye-joins-consultative-meeting=no," in text  # cell names are not markup


def test_the_report_shows_the_numbers_its_json_holds(folder: Path) -> None:
    """The sections read the typed result; each figure they show is the JSON's figure."""
    net = load_network(folder / f"{EXAMPLE}.yaml")
    nf = run_network(net, Query(given={"turkiye-guest-invitation": "yes"}), sample=False, draws=400)
    d = nf.to_dict()
    shown = {s.title: s for s in sections(nf)}
    marginals = next(s for t, s in shown.items() if t.startswith("Marginals"))
    rows = {r[0]: r for r in marginals.rows}
    for n in d["nodes"]:
        yes = n["marginal"][0]
        lo, hi = yes["intervals"]["80"]
        assert rows[n["id"]][1] == f"{100 * yes['probability']:.1f}%"
        assert rows[n["id"]][2] == f"{100 * lo:.1f}% – {100 * hi:.1f}%"
    target = d["target"]
    key = f"{target}=yes"
    cond = next(s for t, s in shown.items() if t.startswith(key))
    moved = {r[0]: r[1] for r in cond.rows}
    for c in d["conditionals"]:
        label = f"{c['given']['node']} = {c['given']['state']}"
        if label in moved:
            assert moved[label] == f"{100 * c['probabilities'][key]:.1f}%"
    assert moved  # some node moves the target
    tornado = next(s for t, s in shown.items() if t.startswith("Cells that move"))
    assert [r[0] for r in tornado.rows] == [b["cell"] for b in d["tornado"][:10]]
    svg = graph_svg(nf.nodes)
    first = d["nodes"][0]
    assert f"{100 * first['marginal'][0]['probability']:.1f}% (given)" not in svg
    assert f"{100 * first['marginal'][0]['probability']:.1f}% (yes)" in svg
