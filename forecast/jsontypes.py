"""Types of the plain data that forecast reads from YAML and writes as JSON.

Use a ``TypedDict`` for every documented JSON shape (``docs/json.md``); these aliases are for
data whose shape is open: a parsed YAML document, a value a user typed, a record's payload.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

type JSONScalar = str | int | float | bool | None
"""One JSON leaf."""

type JSONValue = JSONScalar | list[JSONValue] | dict[str, JSONValue]
"""Any JSON document, as ``json.loads`` returns it."""

type JSONObject = dict[str, JSONValue]
"""A JSON object, as ``json.loads`` returns it."""

type ReadOnlyJSON = JSONScalar | Sequence[ReadOnlyJSON] | Mapping[str, ReadOnlyJSON]
"""A JSON document to be read, not changed: accepts lists, tuples, dicts and TypedDicts' values."""
