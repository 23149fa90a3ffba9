"""``forecast elicit NET --cell CELL``: an expert's judgement of one table cell.

A cell is named as the sweep names it, without ``cell.``: ``ID`` for a root node,
``ID[parent=yes]`` (``ID[a=yes,b=no]``) for a table row, ``ID[leak]`` or
``ID[cause=PARENT]`` for a noisy OR. The expert judges P(ID = yes) in that row in any
form an event question's expert may use, with the same feedback (the session of
:mod:`forecast.elicit.dialogue`); the judgement is appended to the row's ``experts``
through the one priors-file writer (:mod:`forecast.priorsfile`), so the file keeps its
comments and is validated before it is written. A categorical node's cell is asked as
each state's probability (summing to 1) and a strength, and written as a
``distribution`` (:mod:`forecast.kinds.network.elicit_states`). A root question node
takes its prior from its own file: it is not elicited here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from forecast.errors import UsageError
from forecast.kinds.network.spec import BINARY, NetworkQuestion

if TYPE_CHECKING:
    from forecast.elicit.answers import Answers, Channel, Scale
    from forecast.kinds.network.cells import Cell
    from forecast.questions.loader import LoadedQuestion

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class CellTarget:
    """Where a session's experts go in a network file, and what they judge."""

    cell: str
    subject: str
    scale: Scale
    taken: frozenset[str]
    where: Loc
    node: str = ""
    states: tuple[str, ...] = BINARY
    condition: str = ""
    """`` | a=yes`` for a table row, empty for a root."""

    @property
    def categorical(self) -> bool:
        """Whether the cell is a distribution over more than yes and no."""
        return self.states != BINARY

    def ask(self, channel: Channel, taken: set[str]) -> Answers | None:
        """A categorical cell's expert, asked each state's probability and a strength;
        None for a yes/no cell, which the event question's dialogue asks."""
        if not self.categorical:
            return None
        from forecast.kinds.network.elicit_states import elicit_states

        return elicit_states(channel, taken, self.node, self.states, self.condition, self.subject)

    def render(self, existing: str, answers: Sequence[Answers], today: dt.date) -> str:
        """The file's text with each expert appended to the cell's ``experts``."""
        from ruamel.yaml.comments import CommentedMap

        from forecast import priorsfile

        doc = priorsfile.load(existing)
        experts = doc
        for key in self.where:
            experts = experts[key]
        for a in answers:
            item = CommentedMap()
            item["name"] = a.name
            item["distribution" if self.categorical else "judgement"] = priorsfile.flow(a.judgement)
            item["date"] = priorsfile.fresh_date(today)
            if experts.fa.flow_style():
                item.fa.set_flow_style()
            experts.append(item)
        return priorsfile.dump(doc)


def _subject(spec: NetworkQuestion, cell: Cell, title: str) -> str:
    """What the expert judges in ``cell``, in words."""
    node = spec.node(cell.node)
    if cell.key and cell.key[0] == "leak" and node.noisy_or is not None:
        return f"P({cell.node} = yes) with every parent at no: {title}"
    if cell.key and cell.key[0] == "cause" and node.noisy_or is not None:
        return (
            f"the chance that {cell.key[1]} at yes brings {cell.node} about by itself "
            f"(a noisy OR's cause): {title}"
        )
    state = "yes" if cell.states == BINARY else "each of " + ", ".join(cell.states)
    return f"P({cell.node} = {state}{_condition(cell)}): {title}"


def _condition(cell: Cell) -> str:
    """`` | a=yes, b=no`` for a table row's cell; empty for a root's or an ``any`` row's."""
    if not cell.key or cell.label == "any":
        return ""
    return f" | {cell.label.replace(',', ', ')}"


def cell_target(q: LoadedQuestion, cell: str | None) -> CellTarget:
    """The cell ``cell`` of network ``q`` as a place to elicit into.

    Raises
    ------
    UsageError
        No cell named (with the cells there are), an unknown cell (with the close
        names), or a root question node's cell.
    """
    from forecast.elicit.answers import PROBABILITY
    from forecast.kinds.network.cells import build_cells
    from forecast.kinds.network.rows import close

    spec = q.spec
    assert isinstance(spec, NetworkQuestion)
    cells = build_cells(spec)
    names = [c.name for c in cells if c.where]
    listed = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    if cell is None:
        raise UsageError(
            f"{q.id} is a network: its experts judge its table cells; name one with --cell",
            hint=f"cells: {listed}",
        )
    wanted = cell.removeprefix("cell.").replace(" ", "")
    found = next((c for c in cells if c.name.replace(" ", "") == wanted), None)
    if found is None:
        raise UsageError(
            f"--cell {cell}: no cell of {q.id} is called '{wanted}'{close(wanted, names)}",
            hint=f"cells: {listed}",
        )
    if not found.where:
        raise UsageError(
            f"--cell {cell}: '{found.node}' is a question without parents: its prior is its "
            "own forecast",
            hint=f"elicit the question itself: forecast elicit {found.node}",
        )
    node = spec.node(found.node)
    title = str(node.title) if node.title else f"the question {found.node}"
    return CellTarget(
        found.name,
        _subject(spec, found, title),
        PROBABILITY,
        frozenset(found.experts),
        found.where,
        found.node,
        found.states,
        _condition(found),
    )


__all__ = ["CellTarget", "cell_target"]
