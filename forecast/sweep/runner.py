"""The sweep loop: plan each question's scenarios, sample what must be, stream rows.

For each question the scenarios are grouped by the posterior they need
(:mod:`forecast.sweep.strategies`). The file's own posterior is sampled once; groups
that change only the prior are reweighted from it; groups that change data are
resampled on a compiled model. Every posterior's scenarios are evaluated on its draws
in chunks and written as soon as they are done.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from forecast import kinds
from forecast.inference import SamplerSettings
from forecast.kinds.protocol import ExactSummaries
from forecast.sweep import strategies as st
from forecast.sweep.executors import Executor
from forecast.sweep.grid import Scenario, parse_settings, scenario_id
from forecast.sweep.output import Sink
from forecast.sweep.params import Value, params_for
from forecast.sweep.provenance import COLUMN, fingerprint

if TYPE_CHECKING:
    from forecast.kinds.protocol import SweepAdapter
    from forecast.questions.loader import LoadedQuestion

Rows = Iterable[list[dict[str, object]]]
"""Rows of a sweep, a chunk at a time."""

Progress = Callable[[int], None]


@dataclass
class Plan:
    """One question's scenarios still to do, grouped by the posterior they need."""

    q: LoadedQuestion
    inputs: object
    adapter: SweepAdapter[object, object]
    settings: SamplerSettings
    groups: dict[st.GroupKey, st.Group]
    run: str = ""
    """The run settings every row of the question carries (:mod:`~forecast.sweep.provenance`)."""
    order: list[str] = dataclasses.field(default_factory=list)
    """The scenario ids still to do, in the order the grid or the scenarios file gives them."""

    @property
    def count(self) -> int:
        """Scenarios to do."""
        return sum(len(g.members) for g in self.groups.values())


def plan(
    q: LoadedQuestion,
    scenarios: Iterable[Scenario],
    settings: SamplerSettings,
    done: set[tuple[str, str]],
) -> Plan:
    """Parse every scenario for question ``q`` and group those not done yet.

    Every setting is checked before anything is sampled.
    """
    params = params_for(q.spec)
    inputs = st.prepare(q)
    adapter = kinds.of(q.spec).sweep_adapter(q.spec, inputs, settings.seed)
    current = adapter.current(inputs)
    groups: dict[st.GroupKey, st.Group] = {}
    seen: set[str] = set()
    order: list[str] = []
    where = f"{q.path.name}"
    for sc in scenarios:
        parsed = parse_settings(sc, params, where)
        sid = scenario_id(parsed)
        if sid in seen or (q.id, sid) in done:
            continue
        seen.add(sid)
        order.append(sid)
        part = st.split(parsed, params, current)
        group = groups.setdefault(part.key, st.Group(part.key))
        group.members.append((sid, sc.label or label_of(sc, parsed), parsed, part.draws))
    for g in groups.values():
        adapter.check_data(inputs, g.data)  # refuse impossible counts before sampling
    return Plan(q, inputs, adapter, settings, groups, fingerprint(q, settings), order)


def label_of(sc: Scenario, parsed: Mapping[str, Value]) -> str:
    """A scenario's name when the file gives none: its settings in the order given."""
    return ", ".join(
        f"{n}={parsed[n]:g}" if isinstance(parsed[n], float) else f"{n}={parsed[n]}"
        for n in sc.names
    )


def _model_key(p: Plan, prior: object) -> str:
    """What a compiled model is reused for: the same run settings (the priors file, its
    cases file, its experts' performance weights) and the same prior settings."""
    return f"{p.run}:{json.dumps(prior, default=str)}"


def _job(p: Plan, group: st.Group | None, *, refit: bool = False) -> st.Job:
    """The sampling job for a group (None: the file's own posterior)."""
    key = () if group is None else group.key
    prior = {} if group is None else group.prior
    data = () if group is None else group.key[1]
    inputs = p.adapter.with_prior(p.inputs, prior) if prior else p.inputs
    seed = p.settings.seed if group is None else st.derived_seed(p.settings.seed, key)
    return st.Job(
        p.q.spec.kind,
        inputs,
        tuple(data),
        dataclasses.replace(p.settings, seed=seed),
        _model_key(p, sorted(prior.items())),
        (p.q.id, key, "refit" if refit else None),
    )


def _rows(
    p: Plan,
    group: st.Group,
    inputs: object,
    post: st.Posterior,
    strategy: str,
    weights: st.Reweighting | None = None,
    note: str | None = None,
    k: float | None = None,
) -> Rows:
    """The group's rows, a chunk at a time."""
    d = post.diagnostics
    n = d["draws"] * d["chains"]
    ess, k_post = d["ess_bulk_min"], k
    resampled = d.get("importance_ess")  # draws resampled from importance weights
    if resampled is not None:
        ess, k_post = resampled, d.get("pareto_k")
    r_eff = ess / max(1, n)
    w = None if weights is None else weights.weights
    independent = d.get("method") == "exact"
    # a kind whose exact posterior answers its rows without draws
    exact = p.adapter if independent and isinstance(p.adapter, ExactSummaries) else None
    for start in range(0, len(group.members), st.CHUNK):
        chunk = group.members[start : start + st.CHUNK]
        if exact is not None:
            sums = exact.exact_summaries(inputs, post.draws, [m[3] for m in chunk])
        else:
            per_draw = p.adapter.evaluate(inputs, post.draws, [m[3] for m in chunk])
            sums = st.summaries(per_draw, w, r_eff, resampled if w is None else None, independent)
        out = []
        for (sid, label, parsed, _), summed in zip(chunk, sums, strict=True):
            row: dict[str, object] = {"question": p.q.id, "scenario": sid, "name": label}
            row.update(summed)
            row.update(
                {
                    "strategy": strategy,
                    "pareto_k": k_post if weights is None else weights.pareto_k,
                    "ess": ess if weights is None else weights.ess,
                    "rhat_max": d["rhat_max"],
                    "ess_bulk_min": d["ess_bulk_min"],
                    "divergences": d["divergences"],
                    "draws": n,
                    "ok": bool(d["ok"]),
                    "note": note or ("; ".join(d["warnings"]) or None),
                    "settings": parsed,
                    COLUMN: p.run,
                }
            )
            out.append(row)
        yield out


def run(
    plans: Sequence[Plan], executor: Executor, sink: Sink, progress: Progress | None = None
) -> int:
    """Sample what the plans need, evaluate every scenario, stream the rows; rows written.

    Rows reach the sink in grid order (questions in the order given, then scenarios in
    the order of the grid or file): a row done before those ahead of it waits for them.
    """
    written = 0
    ahead = [(p.q.id, sid) for p in plans for sid in p.order]
    held: dict[tuple[str, str], dict[str, object]] = {}
    nxt = 0

    def emit(chunks: Rows) -> None:
        nonlocal written, nxt
        for rows in chunks:
            for row in rows:
                held[(str(row["question"]), str(row["scenario"]))] = row
            ready = []
            while nxt < len(ahead) and ahead[nxt] in held:
                ready.append(held.pop(ahead[nxt]))
                nxt += 1
            if ready:
                sink.write(ready)
                written += len(ready)
            if progress is not None:
                progress(len(rows))

    by_id = {p.q.id: p for p in plans}
    pending: set[object] = set()
    for p in plans:
        needs_base = any(not g.data for g in p.groups.values())
        if needs_base:
            pending.add(executor.submit(st.sample_job, _job(p, None)))
        for g in p.groups.values():
            if g.data:
                pending.add(executor.submit(st.sample_job, _job(p, g)))
    while pending:
        for handle, post in executor.wait_any(pending):
            pending.discard(handle)
            assert post.tag is not None
            qid, key, how = post.tag
            p = by_id[qid]
            if key == ():
                pending |= _from_base(p, post, executor, emit)
                continue
            group = p.groups[key]
            inputs = p.adapter.with_prior(p.inputs, group.prior) if group.prior else p.inputs
            if how == "refit":
                emit(_rows(p, group, inputs, post, "refit", note=group.note, k=group.pareto_k))
            else:
                emit(_rows(p, group, inputs, post, "resampled"))
    if held:  # only when one question is given twice: nothing is dropped
        sink.write(list(held.values()))
        written += len(held)
    return written


def _from_base(
    p: Plan, post: st.Posterior, executor: Executor, emit: Callable[[Rows], None]
) -> set[object]:
    """Evaluate the base and reweighted groups; submit refits for the rest."""
    submitted: set[object] = set()
    base_lp: np.ndarray | None = None
    for group in p.groups.values():
        if group.data:
            continue
        if not group.prior:
            emit(_rows(p, group, p.inputs, post, "vectorised"))
            continue
        if getattr(p.adapter, "exact_prior", False) and post.diagnostics.get("method") == "exact":
            submitted.add(executor.submit(st.sample_job, _job(p, group)))  # its own exact
            continue
        if base_lp is None:
            base_lp = p.adapter.log_prior(p.inputs, post.draws)
        inputs = p.adapter.with_prior(p.inputs, group.prior)
        rw = st.reweight(p.adapter.log_prior(inputs, post.draws), base_lp)
        if rw.ok:
            emit(_rows(p, group, inputs, post, "reweighted", rw))
        else:
            group.pareto_k = rw.pareto_k
            group.note = (
                f"Pareto k {rw.pareto_k:.2f} > {rw.threshold:.2f}: importance weights "
                "unreliable, refit with the new prior"
            )
            submitted.add(executor.submit(st.sample_job, _job(p, group, refit=True)))
    return submitted


__all__ = ["Plan", "plan", "run"]
