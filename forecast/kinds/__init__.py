"""The question kinds forecast knows, by the ``kind:`` a priors file declares.

This is the one registry: every kind is one package under ``forecast/kinds/`` that
implements :class:`~forecast.kinds.protocol.Kind`, and one line below lists it. The
rest of forecast finds a question's kind here (:func:`of`) and calls the protocol.
Importing it imports no modelling library: the kinds import theirs when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from forecast.kinds.drivers import KIND as DRIVERS
from forecast.kinds.event import KIND as EVENT
from forecast.kinds.network import KIND as NETWORK
from forecast.kinds.protocol import Kind
from forecast.kinds.quantity import KIND as QUANTITY
from forecast.kinds.tte import KIND as TIME_TO_EVENT

if TYPE_CHECKING:
    from forecast.questions.base import QuestionMeta

# A kind's inputs and draws are its own: the registry holds kinds of every type.
REGISTRY: dict[str, Kind[Any, Any]] = {
    k.name: k for k in (EVENT, TIME_TO_EVENT, DRIVERS, QUANTITY, NETWORK)
}
"""Kind name -> the kind, in the order help and messages list them."""


def names() -> tuple[str, ...]:
    """The kinds a priors file may declare."""
    return tuple(REGISTRY)


def get(name: str) -> Kind[Any, Any]:
    """The kind called ``name`` (KeyError for an unknown name)."""
    return REGISTRY[name]


def of(spec: QuestionMeta) -> Kind[Any, Any]:
    """The kind of a validated question specification."""
    return REGISTRY[spec.kind]


def scores_experts(name: str) -> bool:
    """Whether the experts of a kind's questions judge the event itself (a recorded
    kind no longer registered: no)."""
    kind = REGISTRY.get(name)
    return kind is not None and kind.scores_experts


def forms() -> dict[str, str]:
    """What ``elicit NEW-ID`` accepts at its kind question, with how it offers each."""
    return {form: label for k in REGISTRY.values() for form, label in k.forms.items()}


def by_form(form: str) -> Kind[Any, Any]:
    """The kind a new file of ``form`` (an answer from :func:`forms`) is of."""
    return next(k for k in REGISTRY.values() if form in k.forms)


__all__ = ["REGISTRY", "Kind", "by_form", "forms", "get", "names", "of", "scores_experts"]
