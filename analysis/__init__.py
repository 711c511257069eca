"""Pure computation for SEND Lens: statistics of benchmarking, neighbours, trends."""

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
from analysis.trend import TrendResult, trend_test

__all__ = [
    "TrendResult",
    "byar_ci",
    "compare_intervals",
    "format_rank",
    "funnel_limits",
    "judge",
    "mean_value",
    "pooled_proportion",
    "pooled_value",
    "quartile_band",
    "rank",
    "rate_ci",
    "significance",
    "statistical_neighbours",
    "trend_test",
    "wilson_ci",
]
