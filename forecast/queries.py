"""Conditions on a question's nodes, as a scenario string: ``given:a=yes;do:b=no``.

``forecast run --given NODE=STATE`` conditions on a node being observed in a state, and
``--do NODE=STATE`` sets it, cutting its causes (an intervention). Both travel to the
question's kind as one scenario string, which a kind that has nodes reads back
(``accepts_scenario`` in :class:`~forecast.kinds.protocol.Kind`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from forecast.errors import UsageError


def scenario_of(given: Mapping[str, str], do: Mapping[str, str]) -> str | None:
    """The scenario string for ``--given`` and ``--do`` (None when both are empty)."""
    parts = [f"given:{k}={v}" for k, v in given.items()] + [f"do:{k}={v}" for k, v in do.items()]
    return ";".join(parts) or None


def query_scenario(scenario: str | None, given: Sequence[str], do: Sequence[str]) -> str | None:
    """``--given`` and ``--do`` (each ``NODE=STATE``) as one scenario string; the
    ``--scenario`` given when there are neither.

    Raises
    ------
    UsageError
        When a condition is not ``NODE=STATE``, or a named scenario is asked for too.
    """
    if not given and not do:
        return scenario
    if scenario is not None:
        raise UsageError("--scenario names a file's scenario; --given and --do are for networks")
    pairs: dict[str, dict[str, str]] = {"given": {}, "do": {}}
    for how, items in (("given", given), ("do", do)):
        for item in items:
            node, eq, state = item.partition("=")
            if not eq or not node or not state:
                raise UsageError(f"--{how} {item!r}: write NODE=STATE, for example a=yes")
            pairs[how][node] = state
    return scenario_of(pairs["given"], pairs["do"])


__all__ = ["query_scenario", "scenario_of"]
