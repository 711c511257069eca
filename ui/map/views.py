"""The map page's views: the pydeck map, its legend and table, and the details of a
clicked area.

The map is built once per choice and cached as its JSON (``map_payload``); a rerun that
does not change the choice hands the browser the same bytes, which Streamlit's message
cache then sends as a reference instead of megabytes. Clicking the map reruns only the
``map_panel`` fragment.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pandas as pd
import pydeck as pdk
import streamlit as st

import indicators
from analysis import mapping
from analysis.classes import METHODS
from analysis.disclosure import SmallNumberRule
from analysis.profile import comparison_series
from indicators import Indicator
from reports import series_breaks
from reports.format import describe_period, escape_for_spreadsheet, format_value
from tidy import period_sort_key
from ui import charts, glossed, visual
from ui.data import area_names, national_table
from ui.map.build import (  # noqa: F401 - the page reads these names from here
    AREA_WORDS,
    COUNT_WORDS,
    LA_TREND_OF,
    LEVELS,
    MAP_HEIGHT,
    SCHOOL_INDICATORS,
    WHERE_THEY_GO,
    MapResult,
    build_map,
    periods_with_values,
)
from ui.plain import md
from ui.tables import HIDDEN, show_table

# Both are readable with the common kinds of colour blindness; the first is the default.
PALETTES = ["viridis", "cividis"]


class PrebuiltDeck(pdk.Deck):
    """A pydeck Deck whose JSON was made earlier (and cached).

    pydeck indents its JSON, which more than doubles a boundary map, and re-serialises
    megabytes on every rerun; this hands Streamlit the compact cached string instead.
    """

    def __init__(self, spec: str, tooltip: dict) -> None:
        super().__init__(layers=[], map_provider=None, tooltip=tooltip)
        self._spec = spec

    def to_json(self) -> str:
        return self._spec


@st.cache_data(max_entries=24, show_spinner="Drawing the map…")
def map_payload(
    level: str,
    indicator: str,
    breakdown: str,
    area: str,
    scope: str,
    method: str,
    palette: str,
    points: bool,
    period: str | None = None,
    rule: SmallNumberRule | None = None,
    protect_all: bool = False,
) -> MapResult:
    # Public national data only: a map of a user's own upload must not use this shared cache.
    return build_map(
        national_table(),
        level,
        indicator,
        breakdown,
        area,
        scope,
        method,
        palette,
        points,
        period=period,
        rule=rule,
        protect_all=protect_all,
    )


def opening_map(area: str) -> MapResult:
    """The map a first visit draws (every widget at its first choice, the default small-number
    rule): ``ui.warm_pages`` builds it ahead of a visit, as the page would (0.3-0.35 s of a
    first visit's server time, against 0.05 s on a second; 2026-12-03)."""
    return map_payload(
        next(iter(LEVELS)),
        SCHOOL_INDICATORS[0],
        "",
        area,
        "la",
        METHODS[0],
        PALETTES[0],
        False,
        None,
        SmallNumberRule(),
        protect_all=False,
    )


def la_periods(indicator: str, breakdown: str) -> list[str]:
    """The years with published LA figures for the indicator, newest first."""
    return periods_with_values(national_table(), indicator, breakdown, "la")


def la_indicators() -> list[str]:
    """Catalogue indicators with local authority figures (and the school census, summed)."""
    table = national_table()
    have = set(table.loc[table["area_level"] == "la", "indicator"].astype(str).unique())
    return [i for i in indicators.CATALOGUE if i in have or i in SCHOOL_INDICATORS]


def la_breakdowns(indicator: str) -> list[str]:
    """ "" when the indicator has LA totals, else its LA breakdowns (e.g. sen_provision=...)."""
    rows = indicators.rows(indicator, None, None, table=national_table())
    rows = rows[rows["area_level"] == "la"]
    values = sorted(rows["breakdown"].astype(str).unique())
    return [""] if "" in values or not values else values


def display_table(result: MapResult, unit: str, level: str) -> pd.DataFrame:
    """The table view: the same figures as the map, one row per area, ranked."""
    t = _ranked(result)
    out = pd.DataFrame(
        {
            "Area": t["name"],
            "Code": t["code"],
            "Value": t["value"].round(1 if unit != "count" else 0),
        }
    )
    if unit != "count" and (t["numerator"].notna().any() or result.protect):
        out["Numerator"], out["Denominator"] = t["numerator"], t["denominator"]
    if "schools" in t:
        out["Schools"] = t["schools"]
    out["Rank"] = t["rank"]
    out["Class"] = t["class_label"]
    out["Not shown because"] = t["greyed_reason"]
    if result.protect:
        out["Disclosure control"] = t["disclosure"]
    return out.reset_index(drop=True)


def _ranked(result: MapResult) -> pd.DataFrame:
    return result.table.sort_values(["rank", "name"], na_position="last")


def why_missing(result: MapResult) -> pd.Series:
    """Why each row of ``display_table`` has a gap: the map's own reason for greying the area
    out, else small-number protection where it hid a count, else "no data"."""
    t = _ranked(result)
    greyed = t["greyed_reason"].fillna("").astype(str)
    hidden = (
        t["disclosure"].astype(str).str.contains("suppressed")
        if result.protect and "disclosure" in t
        else pd.Series(False, index=t.index)
    )
    why = [g if g else (HIDDEN if h else "no data") for g, h in zip(greyed, hidden)]
    return pd.Series(why, index=range(len(t)))


def legend(result: MapResult, ind: Indicator, level: str) -> None:
    """Colour key with the number of areas in each class; the words say what is coloured."""
    unit = {"%": "per cent", "count": "number", "rate per 10,000": "per 10,000"}.get(
        ind.unit, ind.unit
    )
    glossed.caption(
        f"{md(ind.title)} ({unit}), {(result.period_words or describe_period(result.period, ind))}, by "
        f"{LEVELS[level].lower()}: lighter is lower, darker is higher. The number of "
        f"{AREA_WORDS[level]} in each colour is in brackets."
    )
    items = "".join(
        f'<li style="list-style:none;margin:2px 0"><span aria-hidden="true" style="display:inline-block;'
        f"width:14px;height:14px;background:{c};border:1px solid #505a5f;margin-right:8px;"
        f'vertical-align:middle"></span>{label} ({n:,})</li>'
        for c, label, n in result.legend
        if n or c != mapping.GREY
    )
    glossed.markdown(f'<ul style="padding-left:0;margin:0">{items}</ul>', unsafe_allow_html=True)


def details(result: MapResult, code: str | None, ind: Indicator, level: str, area: str) -> None:
    """What is known about the selected area, beside the map, and its trend."""
    indicator = ind.id
    if code is None:
        glossed.caption("Click an area on the map, or choose one above, to see its figures here.")
        return
    row = result.table.set_index("code").loc[code]
    glossed.markdown(f"**{md(row['name'])}** ({code})")
    if row["greyed"]:
        glossed.markdown(f"Not shown: {row['greyed_reason']}.")
    else:
        glossed.metric(md(ind.title), format_value(row["value"], ind.unit))
        glossed.markdown(
            f"Rank: {int(row['rank'])} of {int(result.table['rank'].notna().sum())} "
            f"{AREA_WORDS[level]} shown, counting from the highest."
        )
    has_counts = not pd.isna(row["numerator"]) or not pd.isna(row["denominator"])
    if ind.unit != "count" and has_counts:
        num = "hidden" if pd.isna(row["numerator"]) else f"{row['numerator']:,.0f}"
        den = "hidden" if pd.isna(row["denominator"]) else f"{row['denominator']:,.0f}"
        words = COUNT_WORDS.get(indicator, (ind.numerator or "counted", ind.denominator))
        rounded = f" (rounded to the nearest {result.rule.rounding})" if result.protect else ""
        glossed.markdown(
            f"{words[0][:1].upper()}{words[0][1:]}: {num} of {den} {words[1]}{rounded}."
        )
    if result.protect:
        glossed.caption(f"Disclosure control: {row['disclosure']}.")
        glossed.markdown(
            "  \n".join(f"{name}: {format_value(v, '%')}" for name, v in result.benchmarks.items())
        )
    if result.trends is not None:
        _local_trend(result.trends, code, ind, level)
        return
    trend_of = code if level == "la" else area
    trend_ind = (
        LA_TREND_OF.get(indicator, indicator)
        if level != "la" or indicator in LA_TREND_OF
        else indicator
    )
    frame = comparison_series(national_table(), trend_ind, trend_of)
    frame = frame[frame["value"].notna()]
    if level != "la":
        glossed.caption(
            f"Only one school census (January 2024) is shipped by school, so there is no trend "
            f"for a {level.replace('_', '-')}; this is {area_names().get(area, area)}'s trend."
        )
    if frame["period"].nunique() < 2:
        return
    unit = indicators.get(trend_ind).unit
    if crossed := series_breaks.break_sentence(indicators.get(trend_ind), frame["period"]):
        glossed.caption(crossed)
    y_field, y_title = "value", _axis_title(unit)
    if unit == "count":
        frame = mapping.indexed_trend(frame)
        y_field, y_title = "index", f"Index ({frame['base_period'].iloc[0]} = 100)"
        glossed.caption(_indexed_caption(frame))
    visual.chart_and_table(
        charts.trend_chart(frame, y_title=y_title, y_field=y_field, legend_columns=1).properties(
            height=240
        ),
        f"Trend of {indicators.get(trend_ind).title}",
        visual.series_table(frame, unit),
    )


def _indexed_caption(frame: pd.DataFrame) -> str:
    """Why a count's trend is an index, with the area's own first and last counts."""
    area = frame[frame["role"] == "area"]
    if area.empty:
        return f"Each line is on its own scale: 100 is its own figure in {frame['base_period'].iloc[0]}."
    first, last = area.iloc[0], area.iloc[-1]
    return (
        f"A council's count is tiny beside England's, so each line is on its own scale: "
        f"100 is its own figure in {first['period']}. {md(first['name'])} had "
        f"{first['value']:,.0f} then and {last['value']:,.0f} in {last['period']}; "
        f"point at a line for its count."
    )


def _local_trend(trends: pd.DataFrame, code: str, ind: Indicator, level: str) -> None:
    """The selected area's own series from the uploads, after the same disclosure control."""
    mine = trends[(trends["code"] == code)].sort_values(
        "period", key=lambda p: p.map(period_sort_key)
    )
    if mine["period"].nunique() < 2:
        glossed.caption(
            f"Your data has one period for this {level.replace('_', '-')}, so there is no trend yet."
        )
        return
    frame = mine.assign(role="area")[["period", "role", "name", "value"]]
    if crossed := series_breaks.break_sentence(ind, frame["period"]):
        glossed.caption(crossed)
    visual.chart_and_table(
        charts.trend_chart(frame, y_title=_axis_title(ind.unit)).properties(height=240),
        f"Trend of {ind.title} in {mine['name'].iloc[0]}",
        visual.series_table(frame, ind.unit, missing="hidden to protect privacy"),
    )
    if mine["value"].isna().any():
        glossed.caption(
            "Periods whose figure is hidden to protect privacy are left out of the line."
        )


def _axis_title(unit: str) -> str:
    return {"%": "Per cent", "count": "Number", "rate per 10,000": "Per 10,000"}.get(
        unit, unit.capitalize()
    )


def _on_click(main_layer: str, options: frozenset[str]) -> None:
    code = mapping.selected_area(st.session_state.get("map.deck"), layers=[main_layer])
    if code in options:
        st.session_state["map.area"] = code


@st.fragment
def map_panel(load: Callable[[], MapResult], ind: Indicator, level: str, area: str) -> None:
    """The map (or its table) and the selected area's details: reruns on its own.

    ``load`` returns the map: from the shared cache for public data, from this session's
    state for the area's own uploads.
    """
    result = load()
    names = dict(zip(result.table["code"], result.table["name"]))
    options = sorted(names, key=lambda c: (names[c], c))
    if st.session_state.get("map.area") not in names:
        st.session_state["map.area"] = None
    left, right = st.columns([2, 1])
    with left:
        if not visual.tables_chosen():
            # The map's own boxes clip overflow, which cut the tooltip of an area near the
            # right edge in half; let it spill over the details column instead.
            st.html(
                '<style>[data-testid="stDeckGlJsonChart"] div {overflow: visible !important}</style>'
            )
            st.pydeck_chart(
                PrebuiltDeck(result.spec, result.tooltip),
                on_select=functools.partial(_on_click, result.main_layer, frozenset(names)),
                selection_mode="single-object",
                key="map.deck",
                height=MAP_HEIGHT,
                alt=f"Map of {ind.title} by {LEVELS[level].lower()}; the table view lists the same figures.",
            )
            legend(result, ind, level)
        else:
            show_table(
                display_table(result, ind.unit, level), ind.unit, missing=why_missing(result)
            )
    with right:
        st.selectbox(
            "Area",
            options,
            format_func=names.get,
            index=None,
            key="map.area",
            placeholder="Click the map or choose an area",
        )
        details(result, st.session_state.get("map.area"), ind, level, area)
    if result.protect and result.table["greyed"].mean() > 0.5:
        larger = (
            "localities rather than wards or schools, or the whole LA"
            if level in ("ward", "school")
            else "the whole LA's figure"
        )
        glossed.caption(
            f"Most {AREA_WORDS[level]} are greyed out: their numbers are too small to show safely. "
            f"Larger areas show more: {larger}."
        )
    for note in result.notes:
        glossed.caption(note)
    st.download_button(
        "Download CSV",
        escape_for_spreadsheet(display_table(result, ind.unit, level))
        .to_csv(index=False)
        .encode("utf-8"),
        file_name=f"map_{level}_{_file_part(ind.id)}.csv",
        mime="text/csv",
        key="map.download",
    )


def _file_part(indicator: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in indicator)
