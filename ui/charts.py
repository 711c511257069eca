"""The shared chart specs for pages: they live in ``reports.charts`` (free of Streamlit, so the
board pack draws the same charts); this name keeps the pages' imports short."""

from reports.charts import (
    PALETTE,
    ROLE_COLOURS,
    axis_title,
    gap_statuses,
    grouped_bars,
    single_bars,
    trend_chart,
    wide_table,
)

__all__ = [
    "PALETTE",
    "ROLE_COLOURS",
    "axis_title",
    "gap_statuses",
    "grouped_bars",
    "single_bars",
    "trend_chart",
    "wide_table",
]
