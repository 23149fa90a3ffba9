"""A network file and the questions it links, read from the same priors folder.

A node ``question: ID`` is the file ``ID.yaml`` (or ``.yml``) next to the network file;
an id with no such file is refused at its line, with the ids it could mean. Each linked
question is loaded and checked as it would be on its own; its ``status`` (``yes`` or
``no``), or its outcome in the configured ledger, makes the node observed
(:mod:`forecast.kinds.network.resolved`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from forecast import yamlio
from forecast.errors import InputError, Problem
from forecast.kinds.network.checks import close, topological
from forecast.kinds.network.spec import NetworkQuestion, Node

if TYPE_CHECKING:
    from forecast.questions.loader import LoadedQuestion


@dataclass(frozen=True)
class LoadedNetwork:
    """A validated network with the questions its nodes name.

    ``spec`` is the network; ``questions`` maps a question node's id to its
    :class:`~forecast.questions.loader.LoadedQuestion`; ``order`` lists the nodes parents first.
    """

    spec: NetworkQuestion
    questions: dict[str, LoadedQuestion] = field(default_factory=dict)
    ledger: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Question node -> (outcome, resolved on) as the configured ledger records it."""
    ledger_at: str | None = None
    """The configured ledger's location (None without one)."""

    @classmethod
    def linked(cls, spec: NetworkQuestion, questions: dict[str, LoadedQuestion]) -> LoadedNetwork:
        """The network with its questions and their outcomes in the configured ledger."""
        from forecast.kinds.network.resolved import ledger_outcomes

        ids = [n.name for n in spec.nodes if n.name in questions]
        outcomes, where = ledger_outcomes(ids, spec.ledger)
        return cls(spec, questions, outcomes, where)

    @property
    def order(self) -> list[str]:
        """Node ids, each after its parents."""
        return topological({n.name: list(n.parents) for n in self.spec.nodes})

    def observed(self) -> dict[str, str]:
        """Nodes whose state is known: resolved questions and ``observed`` nodes."""
        return {k: state for k, (state, _) in self._observations().items()}

    def observed_from(self) -> dict[str, str]:
        """Where each observed node's state comes from, in words."""
        return {k: source for k, (_, source) in self._observations().items()}

    def _observations(self) -> dict[str, tuple[str, str]]:
        from forecast.kinds.network.resolved import observations

        return observations(self.spec, self.questions, self.ledger, self.ledger_at)

    def title(self, node: Node) -> str:
        """The node's title (its question's for a question node)."""
        q = self.questions.get(node.name)
        return str(q.spec.title) if q is not None else str(node.title)


def _candidates(folder: Path) -> dict[str, Path]:
    return {p.stem: p for p in yamlio.iter_yaml_files([folder]) if p.is_file()}


def link_questions(
    spec: NetworkQuestion, path: Path, shown: str, marks: yamlio.Marks
) -> dict[str, LoadedQuestion]:
    """The questions a network names, loaded from its folder.

    Raises
    ------
    InputError
        Each unknown id at its line, with the close ids; a node that names another
        network; or the linked question's own problems.
    """
    from forecast.questions.loader import load_question

    folder = path.parent
    found = _candidates(folder)
    problems: list[Problem] = []
    questions: dict[str, LoadedQuestion] = {}
    for i, node in enumerate(spec.nodes):
        if node.question is None:
            continue
        loc = ("nodes", i, "question")
        line, col = marks.find(loc) or (None, None)
        file = found.get(node.question)
        if file is None or file.resolve() == path.resolve():
            others = [s for s in found if found[s].resolve() != path.resolve()]
            problems.append(
                Problem(
                    shown,
                    line,
                    col,
                    yamlio.dotted(loc),
                    f"no question '{node.question}' in {folder}{close(node.question, others)}",
                    "a question node names a priors file of the same folder, without .yaml",
                )
            )
            continue
        q = load_question(file)
        if getattr(q.spec, "kind", None) == "network":
            problems.append(
                Problem(
                    shown,
                    line,
                    col,
                    yamlio.dotted(loc),
                    f"'{node.question}' is a network, not a question",
                )
            )
            continue
        questions[node.question] = q
    if problems:
        raise InputError(problems)
    return questions


def load_network(path: Path | str) -> LoadedNetwork:
    """Read, validate and link one network file (without the kind registry).

    Raises
    ------
    InputError
        Every problem, each as ``path:line:col field: message``.
    """
    from pydantic import ValidationError

    from forecast.questions import loader as specs
    from forecast.questions.problems import located_problems

    path = Path(path)
    shown = specs.display(path)
    data, marks, _ = yamlio.load(path, shown, go_on=True)
    try:
        network = NetworkQuestion.model_validate(data)
    except ValidationError as exc:
        raise InputError(located_problems(exc, shown, marks, NetworkQuestion)) from None
    return LoadedNetwork.linked(network, link_questions(network, path, shown, marks))


__all__ = ["LoadedNetwork", "link_questions", "load_network"]
