"""What ``forecast check`` says about a network beyond validity: coherence, unsampled.

The linked event questions' own forecasts are quadratures and the network's marginals
an enumeration, so the gaps can be computed without the sampler, provided no fit needs
PreliZ (which imports PyMC): an interval judgement (``interval`` + ``mass``) is fitted by
PreliZ's maxent unless its fit is in the cache (after ``run`` or ``show``). When one
would be needed, check says so instead of computing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from forecast.elicit.fit import default_cache, needs_preliz
from forecast.kinds.network.spec import CellExpert, NetworkQuestion

if TYPE_CHECKING:
    from forecast.kinds.network.document import CoherenceDoc
    from forecast.kinds.network.load import LoadedNetwork
    from forecast.questions.loader import LoadedQuestion

CHECK_DRAWS = 1000


def _cell_experts(spec: NetworkQuestion) -> Iterator[CellExpert]:
    for node in spec.nodes:
        yield from node.experts or ()
        for row in node.table or ():
            yield from row.experts
        if node.noisy_or is not None:
            yield from node.noisy_or.leak
            for experts in node.noisy_or.causes.values():
                yield from experts


def _needs_preliz(net: LoadedNetwork) -> list[str]:
    """Which parts would need PreliZ to fit (the network's cells, linked event questions)."""
    cache = default_cache()
    out = []
    if any(
        e.judgement is not None and needs_preliz(e.judgement, cache)
        for e in _cell_experts(net.spec)
    ):
        out.append("the network's interval judgements")
    for name, q in net.questions.items():
        experts = getattr(q.spec, "experts", None) if q.spec.kind == "event" else None
        if experts and any(needs_preliz(e.judgement, cache) for e in experts):
            out.append(name)
    return out


def coherence_lines(q: LoadedQuestion) -> tuple[list[str], CoherenceDoc | None]:
    """Lines for check's text output and the ``coherence`` object for its JSON."""
    from forecast.kinds.network.kind import KIND
    from forecast.kinds.network.run import run_network

    net = KIND.prepare(q)
    missing = _needs_preliz(net)
    if missing:
        why = (
            f"coherence not checked: {', '.join(missing)} need fits not yet cached "
            "(forecast show or run fits them)"
        )
        return [why], None
    nf = run_network(net, sample=False, draws=CHECK_DRAWS, seed=0)
    c = nf.coherence
    lines = []
    for g in c.gaps:
        flag = "  ⚠ gap larger than both 80% intervals" if g.flagged else ""
        lines.append(
            f"coherence {g.node}: own {100 * g.own:.1f}%, network {100 * g.network:.1f}% "
            f"(gap {100 * g.gap:+.1f} pp){flag}"
        )
    for name, why in c.skipped.items():
        lines.append(f"coherence {name}: not compared ({why})")
    return lines, c.to_dict()


__all__ = ["coherence_lines"]
