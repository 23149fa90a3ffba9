"""The closed sets of words a priors file may use where the command line offers the same
choice: the specification declares them, and the command line's choices are read from
them (so the two cannot drift apart). Plain typing only, so ``forecast --help`` reads
them without loading pydantic."""

from __future__ import annotations

from typing import Literal

PoolMethod = Literal["linear", "logarithmic", "hierarchical"]
"""How an event question pools its experts (``pool.method``)."""

WeightsMethod = Literal["given", "performance", "cooke"]
"""Where the experts' weights come from (``pool.weights``)."""
