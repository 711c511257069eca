"""Numbers as people read them: units, thousands separators and plain-English periods."""

from __future__ import annotations

import math

import pandas as pd

from indicators import Indicator
from indicators.units import format_value
from tidy import status_words


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


# Columns of whole numbers in any indicator's table: written as counts, whatever the unit.
COUNT_COLUMNS = ("Numerator", "Denominator", "Comparators with a value", "Rank")
STATUS_COLUMNS = ("Status", "status")
VALUE_COLUMNS = ("Value", "value")
WHY_MISSING = "Why a figure is missing"


def cell_reasons(table: pd.DataFrame, missing: str | pd.Series = "not available") -> pd.DataFrame:
    """Why each missing cell is missing, in words: from ``table.attrs["status"]`` (one per
    cell, ``{(row, column): status}``, as ``wide_table`` keeps it), else from the table's own
    tidy status column (one per row), else ``missing`` (the same words for every cell, or a
    Series of words for each row)."""
    if isinstance(missing, pd.Series):
        reasons = pd.DataFrame({c: missing.to_numpy() for c in table.columns}, index=table.index)
    else:
        reasons = pd.DataFrame(missing, index=table.index, columns=table.columns)
    per_cell = table.attrs.get("status")
    if isinstance(per_cell, dict) and per_cell:
        for (row, col), status in per_cell.items():
            if row in reasons.index and col in reasons.columns:
                reasons.at[row, col] = status_words(status)
        return reasons
    column = next((c for c in STATUS_COLUMNS if c in table.columns), None)
    if column is not None:
        row_words = table[column].map(lambda s: status_words(None if pd.isna(s) else str(s)))
        for col in table.columns:
            reasons[col] = row_words
    return reasons


def for_reading(
    table: pd.DataFrame, unit: str | None, missing: str | pd.Series = "not available"
) -> pd.DataFrame:
    """A table for reading on screen: every number written by ``format_value`` (in ``unit``;
    with no ``unit``, in the row's own "Unit" column where the table has one; as a count in a
    count column or a column of whole numbers; one decimal place when the unit is unknown;
    a year as it is written) and every missing cell saying why (``missing`` when nothing in
    the table says), so no cell reads "None", "nan" or "<NA>".
    """
    reasons = cell_reasons(table, missing)
    row_units = (
        [str(u) for u in table["Unit"]] if unit is None and "Unit" in table.columns else None
    )
    out = table.copy().astype(object)
    for col in table.columns:
        values = table[col]
        missing_cells = values.isna()
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            out[col] = values.astype(object).where(~missing_cells, reasons[col])
            continue
        present = values[~missing_cells].astype(float)
        whole_numbers = bool(((present % 1) == 0).all())
        if whole_numbers and _names_a_year(col):
            out[col] = [
                reason if gap else str(int(v))
                for v, gap, reason in zip(values, missing_cells, reasons[col])
            ]
            continue
        # A column of whole numbers is a count (plans, ratings, reviews) unless its name says
        # it is a share: "Plans issued" beside a percentage must not read "15.0%".
        # A "Value" column holds the indicator's figures, whole or not (4% of a school's pupils).
        share = str(col) in VALUE_COLUMNS or any(
            w in str(col).lower() for w in ("%", "per cent", "share", "rate")
        )
        whole = pd.api.types.is_integer_dtype(values) or (not share and whole_numbers)
        if col in COUNT_COLUMNS or (whole and row_units is None):
            units = ["count"] * len(values)
        else:
            units = row_units or [unit or ""] * len(values)
        out[col] = [
            reason if gap else format_value(float(v), u)
            for v, gap, reason, u in zip(values, missing_cells, reasons[col], units)
        ]
    out.attrs = {}
    return out


def _names_a_year(column: object) -> bool:
    """A column of years ("Year", "Period", "Academic year"): 2024 is not "2,024"."""
    name = str(column).lower()
    return "year" in name or "period" in name


def with_reasons(table: pd.DataFrame) -> pd.DataFrame:
    """A download: numbers kept as numbers, and a column saying why a row's gaps are gaps."""
    reasons = cell_reasons(table)
    numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]
    gaps = table[numeric].isna() if numeric else pd.DataFrame(index=table.index)
    why = [
        "; ".join(dict.fromkeys(f"{c}: {reasons.at[i, c]}" for c in numeric if gaps.at[i, c]))
        for i in table.index
    ]
    out = table.copy()
    out.attrs = {}
    if any(why):
        out[WHY_MISSING] = why
    return out


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


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as a UTF-8 CSV download, safe to open in Excel."""
    return escape_for_spreadsheet(frame).to_csv(index=False).encode("utf-8")


def escape_cell(cell: object) -> object:
    """One cell made safe: text a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell
