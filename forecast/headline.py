"""Every comparison in a report measured from the number the report leads with.

The pool comparison of an event question is computed exactly (quadrature), the headline
forecast by sampling; they differ by the Monte Carlo error. A table that mixed the two
would show the pool in use at a value other than the headline, and changes measured
from a number the report does not show.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def measured_from(pools: Mapping[str, Any], headline: float) -> dict[str, Any]:
    """A pool comparison (``Comparison.to_dict()``) with each row measured from the headline.

    The comparison's forecasts are exact (quadrature), the headline is sampled: the two
    differ by the Monte Carlo error. Each alternative keeps its exact ``forecast`` and its
    exact change from the pool in use (``delta``, free of that error), and gains
    ``from_headline``, the headline plus that change: the number a table shows, so that
    every row starts from the number the report leads with and the pool in use is the
    headline itself. ``headline`` is added at the top.
    """
    alternatives = [
        {**alt, "from_headline": min(1.0, max(0.0, headline + float(alt.get("delta", 0.0))))}
        for alt in pools.get("alternatives", ())
    ]
    return {**pools, "headline": headline, "alternatives": alternatives}
