"""Altair charts used across pages and documents: colour-blind-safe, with shapes and dashes as
well as colour so that no series is told apart by colour alone.

Pure chart specs, free of Streamlit, so the board pack renders the same charts the pages draw
(``ui.charts`` re-exports them for the pages)."""

from __future__ import annotations

import altair as alt
import pandas as pd

import indicators
from reports.colours import (
    AREA_COLOUR,
    ENGLAND_COLOUR,
    NEIGHBOUR_COLOUR,
    PALETTE,
    REGION_COLOUR,
)

ROLE_COLOURS = {"area": AREA_COLOUR, "region": REGION_COLOUR, "England": ENGLAND_COLOUR}


def trend_chart(
    frame: pd.DataFrame, y_title: str, y_field: str = "value", legend_columns: int | None = None
) -> alt.Chart:
    """Lines for the area, region and England over time; ``frame`` from comparison_series.

    ``y_field`` "index" draws ``analysis.mapping.indexed_trend``'s index, with the value
    in the tooltip; ``legend_columns`` 1 stacks the legend so a narrow column keeps every
    name (a one-row legend wider than the chart is cut off).
    """
    data = frame[frame[y_field].notna()]
    legend = alt.Legend(orient="bottom")
    if legend_columns:
        legend = alt.Legend(orient="bottom", columns=legend_columns, labelLimit=0)
    names = data.drop_duplicates("role").set_index("role")["name"]
    domain = [names[r] for r in ROLE_COLOURS if r in names.index]
    colours = [ROLE_COLOURS[r] for r in ROLE_COLOURS if r in names.index]
    dashes = [[1, 0], [6, 3], [2, 2]][: len(domain)]
    base = alt.Chart(data).encode(
        x=alt.X("period:O", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{y_field}:Q", title=y_title),
        color=alt.Color(
            "name:N",
            title=None,
            scale=alt.Scale(domain=domain, range=colours),
            legend=legend,
        ),
        tooltip=[
            alt.Tooltip("name:N", title="Area"),
            alt.Tooltip("period:O", title="Period"),
            alt.Tooltip(f"{y_field}:Q", title=y_title, format=",.1f"),
            *([alt.Tooltip("value:Q", title="Value", format=",.0f")] if y_field != "value" else []),
        ],
    )
    dash = alt.StrokeDash("name:N", scale=alt.Scale(domain=domain, range=dashes), legend=None)
    shape = alt.Shape("name:N", scale=alt.Scale(domain=domain), legend=None)
    return (
        base.mark_line(strokeWidth=3).encode(strokeDash=dash)
        + base.mark_point(size=70, filled=True).encode(shape=shape)
    ).properties(height=320)


def grouped_bars(
    frame: pd.DataFrame, category: str, value: str, y_title: str, sort: list[str] | None = None
) -> alt.Chart:
    """Horizontal bars of a category for the area, region and England side by side."""
    data = frame[frame[value].notna()]
    names = data.drop_duplicates("role").set_index("role")["name"]
    domain = [names[r] for r in ROLE_COLOURS if r in names.index]
    colours = [ROLE_COLOURS[r] for r in ROLE_COLOURS if r in names.index]
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y(
                f"{category}:N",
                title=None,
                sort=sort or "-x",
                axis=alt.Axis(labelLimit=380, labelFontSize=12),
            ),
            yOffset=alt.YOffset("name:N", sort=domain),
            x=alt.X(f"{value}:Q", title=y_title),
            color=alt.Color(
                "name:N",
                title=None,
                scale=alt.Scale(domain=domain, range=colours),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Area"),
                alt.Tooltip(f"{category}:N", title=" "),
                alt.Tooltip(f"{value}:Q", title=y_title, format=",.1f"),
            ],
        )
        .properties(height=alt.Step(14))
    )


SHAPES = "shapes"  # the dataset a region map reads: put its GeoJSON features under this name


def region_map(value_title: str, area_name: str) -> alt.LayerChart:
    """A static choropleth of the region's LAs, the area outlined in black, over the named
    dataset ``SHAPES``: GeoJSON features whose properties hold ``name``, ``value`` and
    ``is_area``, added to the spec's ``datasets`` once it is a dict (Altair copies inline
    data on every change to a chart, and boundaries are large). A sequential colour-blind-safe
    scheme (viridis); the chart's table gives the same figures."""
    data = alt.Data(name=SHAPES)
    fill = (
        alt.Chart(data)
        .mark_geoshape(stroke="white", strokeWidth=0.7)
        .encode(
            color=alt.Color(
                "properties.value:Q",
                title=value_title,
                scale=alt.Scale(scheme="viridis"),
                legend=alt.Legend(orient="right", titleLimit=200),
            ),
            tooltip=[alt.Tooltip("properties.name:N", title="Area")],
        )
    )
    outline = (
        alt.Chart(data)
        .mark_geoshape(filled=False, stroke=ENGLAND_COLOUR, strokeWidth=2.5)
        .transform_filter("datum.properties.is_area")
    )
    return (
        (fill + outline)
        .project(type="mercator")
        .properties(height=320, description=f"{area_name} outlined")
    )


def axis_title(ind: indicators.Indicator) -> str:
    """A value axis named in words for the indicator's unit."""
    return {"%": "Per cent", "count": "Number", "rate per 10,000": "Per 10,000 aged 0-25"}.get(
        ind.unit, ind.unit.capitalize()
    )


def wide_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A trend chart's table: one row per period, a column per area (area, region, England)."""
    if frame.empty:
        return pd.DataFrame()
    wide = frame.pivot_table(
        index="period", columns="name", values="value", aggfunc="first", sort=False
    )
    order = frame.drop_duplicates("role").sort_values(
        "role", key=lambda s: s.map({"area": 0, "region": 1, "England": 2})
    )
    # Every role keeps its column, even one the small-number rule emptied (workshop mode).
    wide = wide.reindex(columns=order["name"].dropna().tolist())
    out = wide.reset_index().rename(columns={"period": "Period"})
    out.attrs["status"] = gap_statuses(frame, "period", wide)
    return out


def gap_statuses(frame: pd.DataFrame, index: str, wide: pd.DataFrame) -> dict:
    """Why each gap of ``wide`` (a pivot of ``frame``'s values by ``index`` and name) is a
    gap, as ``{(row, name): status}`` keyed like ``wide.reset_index()``, for
    ``reports.format.cell_reasons``; empty when the frame has no tidy status."""
    if "status" not in frame or not wide.isna().to_numpy().any():
        return {}  # no gap to explain: a second pivot was a third of a trend table's making
    status = frame.pivot_table(
        index=index, columns="name", values="status", aggfunc="first", sort=False
    ).reindex(index=wide.index, columns=wide.columns)
    return {
        (i, col): str(status.iat[i, j])
        for j, col in enumerate(wide.columns)
        for i in range(len(wide))
        if pd.isna(wide.iat[i, j]) and not pd.isna(status.iat[i, j])
    }


def single_bars(frame: pd.DataFrame, category: str, value: str, x_title: str) -> alt.Chart:
    return (
        alt.Chart(frame[frame[value].notna()])
        .mark_bar(color=AREA_COLOUR)
        .encode(
            x=alt.X(f"{category}:O", title=x_title, sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{value}:Q", title="EHC plans"),
            tooltip=[
                alt.Tooltip(f"{category}:O", title=x_title),
                alt.Tooltip(f"{value}:Q", title="EHC plans", format=",.0f"),
            ],
        )
        .properties(height=280)
    )


__all__ = [
    "AREA_COLOUR",
    "ENGLAND_COLOUR",
    "NEIGHBOUR_COLOUR",
    "PALETTE",
    "REGION_COLOUR",
    "axis_title",
    "grouped_bars",
    "region_map",
    "single_bars",
    "trend_chart",
    "wide_table",
]
