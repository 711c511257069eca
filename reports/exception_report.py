"""The exception report as the board receives it: a table, an XLSX workbook and a printable page.

Pure functions from the report's frame to what is shown or downloaded, so a test can open the
workbook and read the page. Text a spreadsheet could run as a formula is escaped
(``reports.format.escape_for_spreadsheet``); everything in the HTML is escaped with ``html.escape``.
The printable page is standalone (no scripts, no external files) with print CSS for A4 landscape.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from functools import lru_cache

import numpy as np
import pandas as pd

import indicators
from analysis import rag
from reports.format import describe_period, escape_for_spreadsheet


def shown_value(x: float | None, unit: str) -> str:
    """A KPI value with its unit: 52.2%, 32, £1,250, 41.5 days; blank when missing."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    return {"%": f"{x:.1f}%", "£": f"£{x:,.0f}"}.get(
        unit, f"{x:,.1f}".removesuffix(".0") + ("" if unit == "count" else f" {unit}")
    )


def gap_words(gap: float | None, unit: str) -> str:
    """-12.5 for a percentage -> "12.5 points below" (words, so no cell starts with a minus)."""
    if gap is None or pd.isna(gap):
        return ""
    size = f"{abs(gap):.1f} points" if unit == "%" else shown_value(abs(gap), unit)
    return "on target" if gap == 0 else f"{size} {'below' if gap < 0 else 'above'}"


@lru_cache(maxsize=1024)
def month_words(period: str) -> str:
    """ "2025-03" -> "March 2025" (other periods in words too); cached, as tables call it per row."""
    return describe_period(period, indicators.get("local:kpi"))


def report_frame(report: pd.DataFrame) -> pd.DataFrame:
    """The exception report as people read it (the table, the XLSX sheet and the HTML), in the
    order a board reads it: what, how far off, compared with whom, the trend, then what is done."""
    units = report["unit"]
    return pd.DataFrame(
        {
            "KPI": report["title"],
            "Month": report["period"].map(month_words),
            "Latest": [shown_value(v, u) for v, u in zip(report["value"], units)],
            "Target": [shown_value(v, u) for v, u in zip(report["target"], units)],
            "Against target": report["status"].map(rag.labelled),
            "England (comparator)": [
                f"{shown_value(v, u)}, {p}" if not pd.isna(v) else "no comparable national figure"
                for v, u, p in zip(report["england"], units, report["england_period"])
            ],
            "Against England": np.where(
                report["england_status"] == rag.NOT_RATED,
                "",
                report["england_status"].map(rag.labelled),
            ),
            "Recent months (oldest first)": [
                " → ".join(shown_value(v, u) for v in r) for r, u in zip(report["recent"], units)
            ],
            "Trend": report["trend"],
            "Commentary": report["commentary"],
            "Action": report["action"],
            "Owner": report["owner"],
            "Action due": [
                d.strftime("%d/%m/%Y") if isinstance(d, dt.date) else "" for d in report["due_date"]
            ],
            "Gap to target": [gap_words(v, u) for v, u in zip(report["gap"], units)],
            "Why": report["reason"],
            "Group": report["group"],
            "Last saved by": report["updated_by"].fillna(""),
            "Last saved (UTC)": [
                t.strftime("%d/%m/%Y %H:%M")
                if isinstance(t, pd.Timestamp) and not pd.isna(t)
                else ""
                for t in report["updated_at"]
            ],
        }
    )


def exception_xlsx(report: pd.DataFrame, status: pd.DataFrame, about: pd.DataFrame) -> bytes:
    """The board's workbook: the exception report, every KPI's status, and what it all means."""
    return workbook({"Exception report": report, "All KPIs": status, "About": about})


def workbook(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An XLSX of one sheet per frame: numbers stay numbers, text is escaped so no cell runs
    as a formula, the header row and first column frozen, columns as wide as their text."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            escape_for_spreadsheet(frame).to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "B2"
            for cells in sheet.columns:
                longest = max(len(str(c.value or "")) for c in cells)
                sheet.column_dimensions[cells[0].column_letter].width = min(
                    max(10, longest + 2), 60
                )
    return buffer.getvalue()


REPORT_CSS = """
.gov-report { font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; }
.gov-report h1 { font-size: 1.6em; margin: 0 0 0.2em; }
.gov-report .example { border: 4px solid #d4351c; padding: 0.5em; font-weight: bold; margin: 0.6em 0; }
.gov-report table { border-collapse: collapse; width: 100%; }
.gov-report th, .gov-report td { border: 1px solid #505a5f; padding: 4px 6px; text-align: left; vertical-align: top;
  font-size: 10pt; }
.gov-report th { background: #f3f2f1; }
.gov-report .recent { display: block; font-size: 8.5pt; color: #383f43; }
.gov-report .wide { min-width: 9em; }
.gov-report table { table-layout: auto; word-wrap: break-word; }
"""
PRINT_CSS = """
body { margin: 1.5em; }
@media print { @page { size: A4 landscape; margin: 10mm; } body { margin: 0; } tr { page-break-inside: avoid; } }
"""
HTML_COLUMNS = [
    "KPI",
    "Latest",
    "Target",
    "Against target",
    "England (comparator)",
    "Against England",
    "Recent months (oldest first)",
    "Trend",
    "Commentary",
    "Action",
    "Owner",
    "Action due",
]
WIDE = {"Commentary", "Action"}


def sparkline(values: list[float], target: float | None, width: int = 120, height: int = 34) -> str:
    """An inline SVG of recent values (blue line, last point marked) and the target (black dashes).

    Only numbers go into it; its text alternative is given by the cell's own list of values.
    """
    points = [float(v) for v in values if v is not None and not pd.isna(v)]
    if len(points) < 2:
        return ""
    span = points + ([float(target)] if target is not None and not pd.isna(target) else [])
    low, high = min(span), max(span)
    high = high if high > low else low + 1.0

    def xy(i: int, v: float) -> tuple[float, float]:
        return 3 + i * (width - 6) / (len(points) - 1), height - 3 - (v - low) * (height - 6) / (
            high - low
        )

    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in enumerate(points)))
    last_x, last_y = xy(len(points) - 1, points[-1])
    goal = ""
    if len(span) > len(points):
        ty = xy(0, span[-1])[1]
        goal = f"<line x1='0' x2='{width}' y1='{ty:.1f}' y2='{ty:.1f}' stroke='#000' stroke-dasharray='4 3'/>"
    return (
        f"<svg width='{width}' height='{height}' aria-hidden='true' focusable='false'>{goal}"
        f"<polyline points='{line}' fill='none' stroke='#0072B2' stroke-width='2'/>"
        f"<circle cx='{last_x:.1f}' cy='{last_y:.1f}' r='3' fill='#0072B2'/></svg>"
    )


def report_body(
    shown: pd.DataFrame, heading: str, subtitle: str, example: bool, sparks: list[str] | None = None
) -> str:
    """The report as an HTML fragment, every value escaped (``sparks``: SVGs from ``sparkline``)."""
    e = html.escape
    head = "".join(
        f"<th scope='col'{' class=wide' if c in WIDE else ''}>{e(c)}</th>" for c in HTML_COLUMNS
    )
    rows = []
    for i, (_, r) in enumerate(shown.iterrows()):
        cells = []
        for c in HTML_COLUMNS:
            text = e(str(r[c]))
            if c == "Recent months (oldest first)":
                text = (sparks[i] if sparks else "") + f"<span class='recent'>{text}</span>"
            cells.append(f"<th scope='row'>{text}</th>" if c == "KPI" else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    warning = (
        (
            "<p class='example'>EXAMPLE DATA (SYNTHETIC): these figures are made up to show how the report "
            "works. They are not the area's real figures.</p>"
        )
        if example
        else ""
    )
    body = (
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        if len(shown)
        else "<p>No KPI is Red this month.</p>"
    )
    return f"<div class='gov-report'><h1>{e(heading)}</h1><p>{e(subtitle)}</p>{warning}{body}</div>"


def exception_html(
    shown: pd.DataFrame, heading: str, subtitle: str, example: bool, sparks: list[str] | None = None
) -> bytes:
    """A standalone page to print or attach to the board paper (A4 landscape)."""
    body = report_body(shown, heading, subtitle, example, sparks)
    page = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(heading)}</title>"
        f"<style>{REPORT_CSS}{PRINT_CSS}</style></head><body><main>{body}</main></body></html>"
    )
    return page.encode("utf-8")
