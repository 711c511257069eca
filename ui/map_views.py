"""The map page's views: what to map, the pydeck map itself, the details of a clicked area.

The map is built once per choice and cached as its JSON (``map_payload``); a rerun that
does not change the choice hands the browser the same bytes, which Streamlit's message
cache then sends as a reference instead of megabytes. Clicking the map reruns only the
``map_panel`` fragment.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk
import streamlit as st
from pydeck.bindings.json_tools import default_serialize

import indicators
from analysis import mapping
from analysis.profile import comparison_series
from geography.localities import Localities
from indicators import Indicator
from data_loaders.tidy import period_sort_key
from geography import boundaries
from geography import schools as geo_schools
from ui import charts
from ui.data import area_names, national_table
from ui.format import describe_period, escape_for_spreadsheet, format_value

LEVELS = {"school": "Schools", "ward": "Wards", "locality": "Your localities",
          "sub_icb": "Localities (sub-ICB locations)", "la": "Local authorities in England"}
AREA_WORDS = {"school": "schools", "ward": "wards", "locality": "localities", "sub_icb": "sub-ICB locations",
              "la": "local authorities"}
CODE_COLUMNS = {"ward": "ward_code", "sub_icb": "sub_icb_code", "la": "la_code"}
SCHOOL_INDICATORS = ("school_ehc_pct", "school_sen_support_pct")
COUNT_WORDS = {"school_ehc_pct": ("pupils with an EHC plan", "pupils on roll"),
               "school_sen_support_pct": ("pupils on SEN support", "pupils on roll")}
LA_TREND_OF = {"school_ehc_pct": "sen_ehc_pct", "school_sen_support_pct": "sen_support_pct"}
ENGLAND_TOLERANCE_M = 1000.0  # whole-England views: a pixel is about a kilometre
MAP_HEIGHT = 560
TOOLTIP_STYLE = {"backgroundColor": "#0b0c0c", "color": "#ffffff", "fontSize": "14px"}
WHERE_THEY_GO = ("These figures count pupils by **where they go to school, not where they live**: "
                 "a ward with no school shows nothing, and a school near a boundary counts "
                 "pupils from both sides of it.")


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


@dataclass
class MapResult:
    spec: str
    table: pd.DataFrame
    legend: list[tuple[str, str, int]]
    period: str
    protect: bool
    main_layer: str
    tooltip: dict
    benchmarks: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what could not be drawn, in words
    trends: pd.DataFrame | None = None  # local maps: code, period, value (protected)
    period_words: str = ""  # when the period needs more than its name ("the 12 months to ...")


def deck_json(layers: list[pdk.Layer], view: pdk.ViewState) -> str:
    """Compact JSON of a deck with no basemap: boundaries are the base, so it works offline."""
    deck = pdk.Deck(layers=layers, initial_view_state=view, map_provider=None)
    return json.dumps(deck, default=default_serialize, separators=(",", ":"))


def _view(bounds: tuple[float, float, float, float], width_px: int = 600) -> pdk.ViewState:
    """Centre and zoom that fit WGS84 ``bounds`` (minx, miny, maxx, maxy) in the map.

    deck.gl's world is 512 pixels wide at zoom 0 and doubles with each zoom level.
    """
    minx, miny, maxx, maxy = bounds
    merc = lambda lat: math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    zoom_x = math.log2(width_px * 360 / (512 * max(maxx - minx, 1e-6)))
    zoom_y = math.log2(MAP_HEIGHT * 2 * math.pi / (512 * max(merc(maxy) - merc(miny), 1e-9)))
    return pdk.ViewState(longitude=(minx + maxx) / 2, latitude=(miny + maxy) / 2,
                         zoom=round(min(zoom_x, zoom_y) - 0.15, 2))


def _rgba(colour: str, alpha: int) -> list[int]:
    return [*mapping.hex_to_rgb(colour), alpha]


def _features(frame: gpd.GeoDataFrame, columns: list[str]) -> dict:
    """A GeoJSON FeatureCollection of WGS84 ``frame`` keeping only the properties drawn."""
    return json.loads(frame[[*columns, "geometry"]].to_json(drop_id=True))


PERIOD = "2023/24"  # the January 2024 school census


def school_rows(table: pd.DataFrame, indicator: str) -> pd.DataFrame:
    rows = indicators.rows(indicator, None, "", table)
    return rows[rows["area_level"] == "school"]


def _level_rows(table: pd.DataFrame, indicator: str, breakdown: str, level: str,
                codes: list[str]) -> tuple[pd.DataFrame, str]:
    """Rows already in the table at ``level`` (published LA figures, or local figures by
    ward or school loaded later): the latest period, one row per code, gaps marked."""
    rows = indicators.rows(indicator, None, breakdown, table)
    rows = rows[rows["area_level"] == level]
    present = rows[rows["value"].notna()]
    period = max(present["period"].unique(), key=period_sort_key) if not present.empty else ""
    rows = rows[rows["period"] == period].drop_duplicates("area_code").set_index("area_code").reindex(codes)
    rows = rows.rename_axis("area_code").reset_index()
    rows["status"] = rows["status"].fillna("not_available")
    return rows, period


def _area_rows(table: pd.DataFrame, level: str, indicator: str, breakdown: str, area: str,
               england: bool, localities: Localities | None = None,
               ) -> tuple[pd.DataFrame, gpd.GeoDataFrame, dict[str, str], str]:
    """Tidy rows (one per area), their shapes (27700), names and period for one map.

    School census indicators are summed from schools to wards, localities and LAs; any
    other indicator is read at the level asked for. Schools are mapped one LA at a time:
    all 23,565 would be an 8 MB map.
    """
    if level == "school":
        points = geo_schools.school_points()
        located = geo_schools.school_areas()
        points = points[points["urn"].isin(located.loc[located["la_code"] == area, "urn"])]
        shapes = points.rename(columns={"urn": "code"})[["code", "pupils", "geometry"]]
        names = dict(zip(shapes["code"].astype(str), points["name"].fillna("").astype(str)))
    elif level == "la":
        shapes = boundaries.las().rename(columns={"la_code": "code"})[["code", "geometry"]]
        names = boundaries.names("la")
    elif level == "locality":
        if localities is None:
            raise ValueError("a locality map needs the area's ward-to-locality lookup")
        shapes, names = localities.shapes[["code", "geometry"]], localities.names()
    else:
        source = boundaries.simplified(level, ENGLAND_TOLERANCE_M) if england else boundaries.layer(level)
        if not england and level == "ward":
            source = source[source["la_code"] == area]
        elif not england:
            source = source[source["sub_icb_code"].isin(boundaries.la_sub_icbs(area)["sub_icb_code"])]
        shapes = source.rename(columns={CODE_COLUMNS[level]: "code"})[["code", "geometry"]]
        names = boundaries.names(level)
    shapes = shapes.reset_index(drop=True)
    codes = shapes["code"].astype(str).tolist()
    if indicator in SCHOOL_INDICATORS and level != "school":
        rows = mapping.aggregate(school_rows(table, indicator), geo_schools.school_areas(), level,
                                 CODE_COLUMNS[level], areas=codes)
        return rows, shapes, names, PERIOD
    rows, period = _level_rows(table, indicator, breakdown, level, codes)
    return rows, shapes, names, period


def build_map(table: pd.DataFrame, level: str, indicator: str, breakdown: str, area: str,
              scope: str = "la", method: str = "quantiles", palette: str = "viridis",
              points: bool = False, *, ind: Indicator | None = None,
              localities: Localities | None = None) -> MapResult:
    """Everything one map needs: the deck JSON, the table behind it, legend and tooltip.

    ``ind`` describes an indicator outside the catalogue (a measure summed from the area's
    child-level uploads); ``localities`` draws the area's own localities.
    """
    ind = ind or indicators.get(indicator)
    england = scope == "england" and level in ("ward", "sub_icb")
    rows, shapes, names, period = _area_rows(table, level, indicator, breakdown, area, england, localities)
    # Small areas, and anything SEND Lens sums itself, go through disclosure control;
    # published LA figures are shown as published.
    protect = level != "la" or indicator in SCHOOL_INDICATORS
    words = COUNT_WORDS.get(indicator, ("", ""))
    if ind.numerator and indicator not in COUNT_WORDS and (protect or rows["numerator"].notna().any()):
        words = (ind.numerator, ind.denominator)
    result, classes, colours = mapping.map_table(
        rows, names, ind.unit, protect=protect, method=method, palette=palette,
        area_word=AREA_WORDS[level], count_words=words)
    if ind.unit == "count":
        words = ("", "")  # the value is the count: the tooltip needs no second line for it
    labels = classes.labels(0 if ind.unit == "count" else 1)
    legend = [(c, label, int((result["class"] == i).sum())) for i, (c, label) in enumerate(zip(colours, labels))]
    legend.append((mapping.GREY, "not shown (the table says why)", int(result["greyed"].sum())))

    # Drawn data: WGS84, rounded (4 decimals, about 10 m, is plenty at England's scale).
    shapes = shapes.merge(result[["code", "colour", "greyed"]], on="code", how="left")
    wgs = boundaries.to_wgs84(shapes, 4 if england or level == "la" else 5)
    texts = result.set_index("code").loc[wgs["code"], ["name", *mapping.TOOLTIP_KEYS]]
    wgs = wgs.join(texts.reset_index(drop=True).astype(str))
    wgs["fill"] = [_rgba(c, 150 if g else 220) for c, g in zip(wgs["colour"], wgs["greyed"])]
    if level == "la":
        outline = boundaries.las().set_index("la_code").geometry[area]
    else:
        outline = None if england else boundaries.la_outline(area)

    layers: list[pdk.Layer] = []
    if not england and level != "la":
        layers.append(_base_layer(shapes, outline))
    if level == "school":
        layers.append(_ward_lines_layer(area))
        main = _schools_layer(wgs, shapes["pupils"])
    else:
        main = pdk.Layer("GeoJsonLayer", _features(wgs, ["code", "fill", "name", *mapping.TOOLTIP_KEYS]),
                         id="areas", get_fill_color="properties.fill", get_line_color=[255, 255, 255, 255],
                         # 6,862 ward outlines at England's scale are a grey haze that costs as
                         # much to draw as the fills: there, colour alone separates wards.
                         stroked=not (england and level == "ward"),
                         line_width_min_pixels=0.5, pickable=True, auto_highlight=True)
    layers.append(main)
    if points and level in ("ward", "sub_icb", "locality") and not england:
        layers.append(_school_points_layer(area))
    if outline is not None:
        line = boundaries.geometry_to_wgs84(outline)
        layers.append(pdk.Layer("GeoJsonLayer", json.loads(gpd.GeoSeries([line]).to_json(drop_id=True)),
                                id="outline", filled=False, get_line_color=[11, 12, 12, 255],
                                line_width_min_pixels=2.5, pickable=False))
    fit = shapes if england or level in ("la", "sub_icb", "locality") else gpd.GeoDataFrame(geometry=[outline], crs=boundaries.BNG)
    spec = deck_json(layers, _view(tuple(fit.to_crs(boundaries.WGS84).total_bounds)))
    tooltip = {"html": mapping.tooltip_template(words), "style": TOOLTIP_STYLE}
    benchmarks = _benchmarks(table, indicator, area) if indicator in SCHOOL_INDICATORS else {}
    return MapResult(spec, result, legend, period, protect, main.id, tooltip, benchmarks)


def _base_layer(shapes: gpd.GeoDataFrame, outline) -> pdk.Layer:
    """Neighbouring LAs, pale: the map has no tiles (it works offline), so this is context."""
    minx, miny, maxx, maxy = shapes.total_bounds
    near = boundaries.las().cx[minx - 20000:maxx + 20000, miny - 20000:maxy + 20000]
    return pdk.Layer("GeoJsonLayer", _features(boundaries.to_wgs84(near[["geometry"]], 4), []), id="base",
                     get_fill_color=[242, 242, 242, 255], get_line_color=[190, 190, 190, 255],
                     line_width_min_pixels=1, pickable=False)


def _ward_lines_layer(area: str) -> pdk.Layer:
    wards = boundaries.to_wgs84(boundaries.wards(area)[["geometry"]])
    return pdk.Layer("GeoJsonLayer", _features(wards, []), id="wards", get_fill_color=[250, 250, 250, 255],
                     get_line_color=[170, 170, 170, 255], line_width_min_pixels=0.5, pickable=False)


def _schools_layer(wgs: gpd.GeoDataFrame, pupils: pd.Series) -> pdk.Layer:
    """Schools as circles: colour is the class of the value, area grows with pupils on roll."""
    data = pd.DataFrame({
        "code": wgs["code"], "p": [[x, y] for x, y in zip(wgs.geometry.x.round(5), wgs.geometry.y.round(5))],
        "s": (3 + 2 * np.sqrt(pupils.fillna(0).clip(lower=0).to_numpy() / 50)).round(1), "fill": wgs["fill"],
    })
    data = pd.concat([data, wgs[["name", *mapping.TOOLTIP_KEYS]]], axis=1)
    return pdk.Layer("ScatterplotLayer", data.to_dict("records"), id="schools", get_position="p",
                     get_radius="s", radius_units="'pixels'", get_fill_color="fill",
                     get_line_color=[40, 40, 40, 255], stroked=True, line_width_min_pixels=1,
                     pickable=True, auto_highlight=True)


def _school_points_layer(area: str) -> pdk.Layer:
    """Schools as small context points over a ward or locality map (not clickable)."""
    located = geo_schools.school_areas()
    pts = geo_schools.school_points()
    pts = pts[pts["urn"].isin(located.loc[located["la_code"] == area, "urn"])]
    wgs = boundaries.to_wgs84(pts[["geometry"]])
    data = [{"p": [x, y]} for x, y in zip(wgs.geometry.x.round(5), wgs.geometry.y.round(5))]
    return pdk.Layer("ScatterplotLayer", data, id="school-points", get_position="p", get_radius=3,
                     radius_units="'pixels'", get_fill_color=[11, 12, 12, 200], pickable=False)


def _benchmarks(table: pd.DataFrame, indicator: str, area: str) -> dict[str, float]:
    """The LA's and England's pooled value from the same school census, for comparison."""
    rows = school_rows(table, indicator)
    rows = rows[rows["numerator"].notna() & rows["denominator"].notna()]
    located = geo_schools.school_areas()
    own = rows[rows["area_code"].isin(located.loc[located["la_code"] == area, "urn"])]
    out = {}
    for name, part in ((area_names().get(area, area), own), ("England", rows)):
        if part["denominator"].sum() > 0:
            out[name] = float(100 * part["numerator"].sum() / part["denominator"].sum())
    return out


@st.cache_data(max_entries=24, show_spinner="Drawing the map…")
def map_payload(level: str, indicator: str, breakdown: str, area: str, scope: str, method: str,
                palette: str, points: bool) -> MapResult:
    # Public national data only: a map of a user's own upload must not use this shared cache.
    return build_map(national_table(), level, indicator, breakdown, area, scope, method, palette, points)


def la_indicators() -> list[str]:
    """Catalogue indicators with local authority figures (and the school census, summed)."""
    table = national_table()
    have = set(table.loc[table["area_level"] == "la", "indicator"].astype(str).unique())
    return [i for i in indicators.CATALOGUE if i in have or i in SCHOOL_INDICATORS]


def la_breakdowns(indicator: str) -> list[str]:
    """"" when the indicator has LA totals, else its LA breakdowns (e.g. sen_provision=...)."""
    rows = indicators.rows(indicator, None, None, national_table())
    rows = rows[rows["area_level"] == "la"]
    values = sorted(rows["breakdown"].astype(str).unique())
    return [""] if "" in values or not values else values


def display_table(result: MapResult, unit: str, level: str) -> pd.DataFrame:
    """The table view: the same figures as the map, one row per area, ranked."""
    t = result.table.sort_values(["rank", "name"], na_position="last")
    out = pd.DataFrame({"Area": t["name"], "Code": t["code"],
                        "Value": t["value"].round(1 if unit != "count" else 0)})
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


def legend(result: MapResult, ind: Indicator, level: str) -> None:
    """Colour key with the number of areas in each class; the words say what is coloured."""
    unit = {"%": "per cent", "count": "number", "rate per 10,000": "per 10,000"}.get(ind.unit, ind.unit)
    st.caption(f"{ind.title} ({unit}), {(result.period_words or describe_period(result.period, ind))}, by "
               f"{LEVELS[level].lower()}: lighter is lower, darker is higher. The number of "
               f"{AREA_WORDS[level]} in each colour is in brackets.")
    items = "".join(
        f'<li style="list-style:none;margin:2px 0"><span aria-hidden="true" style="display:inline-block;'
        f'width:14px;height:14px;background:{c};border:1px solid #505a5f;margin-right:8px;'
        f'vertical-align:middle"></span>{label} ({n:,})</li>'
        for c, label, n in result.legend if n or c != mapping.GREY)
    st.markdown(f'<ul style="padding-left:0;margin:0">{items}</ul>', unsafe_allow_html=True)


def details(result: MapResult, code: str | None, ind: Indicator, level: str, area: str) -> None:
    """What is known about the selected area, beside the map, and its trend."""
    indicator = ind.id
    if code is None:
        st.caption("Click an area on the map, or choose one above, to see its figures here.")
        return
    row = result.table.set_index("code").loc[code]
    st.markdown(f"**{row['name']}** ({code})")
    if row["greyed"]:
        st.markdown(f"Not shown: {row['greyed_reason']}.")
    else:
        st.metric(ind.title, format_value(row["value"], ind.unit))
        st.markdown(f"Rank: {int(row['rank'])} of {int(result.table['rank'].notna().sum())} "
                    f"{AREA_WORDS[level]} shown, counting from the highest.")
    has_counts = not pd.isna(row["numerator"]) or not pd.isna(row["denominator"])
    if ind.unit != "count" and has_counts:
        num = "hidden" if pd.isna(row["numerator"]) else f"{row['numerator']:,.0f}"
        den = "hidden" if pd.isna(row["denominator"]) else f"{row['denominator']:,.0f}"
        words = COUNT_WORDS.get(indicator, (ind.numerator or "counted", ind.denominator))
        rounded = " (rounded to the nearest 5)" if result.protect else ""
        st.markdown(f"{words[0][:1].upper()}{words[0][1:]}: {num} of {den} {words[1]}{rounded}.")
    if result.protect:
        st.caption(f"Disclosure control: {row['disclosure']}.")
        st.markdown("  \n".join(f"{name}: {format_value(v, '%')}" for name, v in result.benchmarks.items()))
    if result.trends is not None:
        _local_trend(result.trends, code, ind, level)
        return
    trend_of = code if level == "la" else area
    trend_ind = LA_TREND_OF.get(indicator, indicator) if level != "la" or indicator in LA_TREND_OF else indicator
    frame = comparison_series(national_table(), trend_ind, trend_of)
    frame = frame[frame["value"].notna()]
    if level != "la":
        st.caption(f"Only one school census (January 2024) is shipped by school, so there is no trend "
                   f"for a {level.replace('_', '-')}; this is {area_names().get(area, area)}'s trend.")
    if frame["period"].nunique() > 1:
        st.altair_chart(charts.trend_chart(frame, y_title=_axis_title(indicators.get(trend_ind).unit))
                        .properties(height=240, description=f"Trend of {indicators.get(trend_ind).title}"),
                        width="stretch")


def _local_trend(trends: pd.DataFrame, code: str, ind: Indicator, level: str) -> None:
    """The selected area's own series from the uploads, after the same disclosure control."""
    mine = trends[(trends["code"] == code)].sort_values("period", key=lambda p: p.map(period_sort_key))
    if mine["period"].nunique() < 2:
        st.caption(f"Your data has one period for this {level.replace('_', '-')}, so there is no trend yet.")
        return
    frame = mine.assign(role="area")[["period", "role", "name", "value"]]
    st.altair_chart(charts.trend_chart(frame, y_title=_axis_title(ind.unit))
                    .properties(height=240, description=f"Trend of {ind.title} in {mine['name'].iloc[0]}"),
                    width="stretch")
    if mine["value"].isna().any():
        st.caption("Periods whose figure is hidden to protect privacy are left out of the line.")


def _axis_title(unit: str) -> str:
    return {"%": "Per cent", "count": "Number", "rate per 10,000": "Per 10,000"}.get(unit, unit.capitalize())


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
    view = st.radio("Show as", ["Map", "Table"], key="map.view", horizontal=True,
                    help="The table holds the same figures as the map.")
    left, right = st.columns([2, 1])
    with left:
        if view == "Map":
            # The map's own boxes clip overflow, which cut the tooltip of an area near the
            # right edge in half; let it spill over the details column instead.
            st.html('<style>[data-testid="stDeckGlJsonChart"] div {overflow: visible !important}</style>')
            st.pydeck_chart(PrebuiltDeck(result.spec, result.tooltip), on_select=functools.partial(
                _on_click, result.main_layer, frozenset(names)), selection_mode="single-object",
                key="map.deck", height=MAP_HEIGHT,
                alt=f"Map of {ind.title} by {LEVELS[level].lower()}; the table view lists the same figures.")
            legend(result, ind, level)
        else:
            st.dataframe(display_table(result, ind.unit, level), hide_index=True, width="stretch")
    with right:
        st.selectbox("Area", options, format_func=names.get, index=None, key="map.area",
                     placeholder="Click the map or choose an area")
        details(result, st.session_state.get("map.area"), ind, level, area)
    if result.protect and result.table["greyed"].mean() > 0.5:
        larger = ("localities rather than wards or schools, or the whole LA" if level in ("ward", "school")
                  else "the whole LA's figure")
        st.caption(f"Most {AREA_WORDS[level]} are greyed out: their numbers are too small to show safely. "
                   f"Larger areas show more: {larger}.")
    for note in result.notes:
        st.caption(note)
    st.download_button("Download CSV", escape_for_spreadsheet(display_table(result, ind.unit, level))
                       .to_csv(index=False).encode("utf-8"), file_name=f"map_{level}_{_file_part(ind.id)}.csv",
                       mime="text/csv", key="map.download")


def _file_part(indicator: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in indicator)
