"""Pure computation for SEND Lens: statistics of benchmarking, neighbours, trends.

The public names below are imported on first use, so that pages which only shape data do
not pay for importing scipy at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_PUBLIC = {
    "apply_disclosure_control": "analysis.disclosure",
    "statistical_neighbours": "analysis.neighbours",
    "format_rank": "analysis.ranking",
    "quartile_band": "analysis.ranking",
    "rank": "analysis.ranking",
    "byar_ci": "analysis.stats",
    "compare_intervals": "analysis.stats",
    "funnel_limits": "analysis.stats",
    "judge": "analysis.stats",
    "mean_value": "analysis.stats",
    "pooled_proportion": "analysis.stats",
    "pooled_value": "analysis.stats",
    "rate_ci": "analysis.stats",
    "significance": "analysis.stats",
    "wilson_ci": "analysis.stats",
    "TrendResult": "analysis.trend",
    "trend_test": "analysis.trend",
    "tracker_summary": "analysis.tracker",
}

__all__ = sorted(_PUBLIC)

if TYPE_CHECKING:
    from analysis.neighbours import statistical_neighbours
    from analysis.ranking import format_rank, quartile_band, rank
    from analysis.stats import (
        byar_ci,
        compare_intervals,
        funnel_limits,
        judge,
        mean_value,
        pooled_proportion,
        pooled_value,
        rate_ci,
        significance,
        wilson_ci,
    )
    from analysis.tracker import tracker_summary
    from analysis.trend import TrendResult, trend_test


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
