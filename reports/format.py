"""Numbers as people read them: units, thousands separators and plain-English periods."""

from __future__ import annotations

import math

import pandas as pd

from indicators import Indicator
from indicators.units import format_value


def as_text(
    frame: pd.DataFrame, values: list[str], changes: tuple[str, ...] = (), unit: str = "Unit"
) -> pd.DataFrame:
    """A table for reading on screen: ``values`` and ``changes`` columns written in the row's
    unit, and every missing cell "not available", so no cell ever reads "None" or "nan"."""
    out = frame.copy()
    units = out[unit].tolist()
    for col in values:
        out[col] = [format_value(_number(v), u) for v, u in zip(out[col], units)]
    for col in changes:
        out[col] = [format_change(_number(v), u) for v, u in zip(out[col], units)]
    out = out.astype(object)
    return out.where(out.notna(), "not available")


def _number(cell: object) -> float | None:
    return None if cell is None or pd.isna(cell) else float(cell)  # type: ignore[arg-type]


def format_change(change: float | None, unit: str) -> str | None:
    if change is None or math.isnan(change):
        return None
    if unit == "%":
        return f"{change:+.1f} points"
    if unit == "count":
        return f"{change:+,.0f}"
    return f"{change:+,.1f}"


def describe_period(period: str, indicator: Indicator) -> str:
    """A period in words: ``2024/25`` -> ``January 2025`` for a January census measure."""
    if (
        "/" in period
        and indicator.period_type == "academic"
        and indicator.source.startswith("sen2")
    ):
        return f"January {int(period[:4]) + 1}"
    if "/" in period:
        kind = "financial year" if indicator.period_type == "financial" else "academic year"
        return f"{kind} {period}"
    if len(period) == 4:
        return period
    return pd.Timestamp(period + "-01").strftime("%B %Y")


# Number formats that show a value as ``format_value`` writes it while the cell keeps the number
# (a percentage stored as 67.5, the figure the app computes, not as 0.675).
EXCEL_FORMATS = {
    "%": '0.0"%"',
    "£": '"£"#,##0',
    "count": "#,##0",
    "rate per 10,000": "#,##0.0",
    "rate per 100": "#,##0.0",
    "days": '#,##0.0" days"',
    "weeks": '#,##0.0" weeks"',
    "minutes": '#,##0.0" minutes"',
}


def excel_format(unit: str) -> str:
    """The Excel number format for a value in ``unit`` (one decimal place for other units)."""
    return EXCEL_FORMATS.get(unit, "#,##0.0")


def escape_for_spreadsheet(frame: pd.DataFrame) -> pd.DataFrame:
    """Stop text cells being run as formulas when a download is opened in Excel."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(escape_cell)
    return out


def escape_cell(cell: object) -> object:
    """One cell made safe: text a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell
