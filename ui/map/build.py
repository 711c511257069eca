"""Building one map: the rows to draw at a level, their shapes, classes and colours, the
pydeck layers, and the compact JSON the browser is sent (``build_map``).

Pure of page layout: the page (``ui.map.views``) decides where a map comes from (the shared
cache for public data, the session for the area's own) and shows it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

import indicators
from analysis import classes, mapping
from analysis.disclosure import SmallNumberRule
from geography import boundaries
from geography import schools as geo_schools
from geography.localities import Localities
from geography.map_layers import CODE_COLUMNS, map_layers
from indicators import Indicator
from tidy import period_sort_key
from ui.data import area_names

LEVELS = {
    "school": "Schools",
    "ward": "Wards",
    "locality": "Your localities",
    "sub_icb": "Localities (sub-ICB locations)",
    "la": "Local authorities in England",
}
AREA_WORDS = {
    "school": "schools",
    "ward": "wards",
    "locality": "localities",
    "sub_icb": "sub-ICB locations",
    "la": "local authorities",
}
SCHOOL_INDICATORS = indicators.school_indicators()
COUNT_WORDS = {
    "school_ehc_pct": ("pupils with an EHC plan", "pupils on roll"),
    "school_sen_support_pct": ("pupils on SEN support", "pupils on roll"),
}
LA_TREND_OF = {"school_ehc_pct": "sen_ehc_pct", "school_sen_support_pct": "sen_support_pct"}
MAP_HEIGHT = 560
TOOLTIP_STYLE = {"backgroundColor": "#0b0c0c", "color": "#ffffff", "fontSize": "14px"}
WHERE_THEY_GO = (
    "These figures count pupils by **where they go to school, not where they live**: "
    "a ward with no school shows nothing, and a school near a boundary counts "
    "pupils from both sides of it."
)


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
    rule: SmallNumberRule = field(default_factory=SmallNumberRule)


def deck_json(layers: list[pdk.Layer], view: pdk.ViewState) -> str:
    """Compact JSON of a deck with no basemap: boundaries are the base, so it works offline."""
    deck = pdk.Deck(layers=layers, initial_view_state=view, map_provider=None)
    return json.dumps(deck, default=default_serialize, separators=(",", ":"))


def _view(bounds: tuple[float, float, float, float], width_px: int = 600) -> pdk.ViewState:
    """Centre and zoom that fit WGS84 ``bounds`` (minx, miny, maxx, maxy) in the map.

    deck.gl's world is 512 pixels wide at zoom 0 and doubles with each zoom level.
    """
    minx, miny, maxx, maxy = bounds

    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    zoom_x = math.log2(width_px * 360 / (512 * max(maxx - minx, 1e-6)))
    zoom_y = math.log2(MAP_HEIGHT * 2 * math.pi / (512 * max(merc(maxy) - merc(miny), 1e-9)))
    return pdk.ViewState(
        longitude=(minx + maxx) / 2,
        latitude=(miny + maxy) / 2,
        zoom=round(min(zoom_x, zoom_y) - 0.15, 2),
    )


def _rgba(colour: str, alpha: int) -> list[int]:
    return [*classes.hex_to_rgb(colour), alpha]


def _features(frame: gpd.GeoDataFrame, columns: list[str]) -> dict:
    """A GeoJSON FeatureCollection of WGS84 ``frame`` keeping only the properties drawn."""
    return json.loads(frame[[*columns, "geometry"]].to_json(drop_id=True))


PERIOD = "2023/24"  # the January 2024 school census


def school_rows(table: pd.DataFrame, indicator: str) -> pd.DataFrame:
    rows = indicators.rows(indicator, None, "", table=table)
    return rows[rows["area_level"] == "school"]


def periods_with_values(
    table: pd.DataFrame, indicator: str, breakdown: str, level: str
) -> list[str]:
    """The periods with at least one value at ``level``, newest first."""
    rows = indicators.rows(indicator, None, breakdown, table=table)
    present = (
        rows.loc[(rows["area_level"] == level) & rows["value"].notna(), "period"]
        .astype(str)
        .unique()
    )
    return sorted(present, key=period_sort_key, reverse=True)


def _level_rows(
    table: pd.DataFrame,
    indicator: str,
    breakdown: str,
    level: str,
    codes: list[str],
    period: str | None = None,
) -> tuple[pd.DataFrame, str]:
    """Rows already in the table at ``level`` (published LA figures, or local figures by
    ward or school loaded later): ``period`` (the latest when it is None or has no value),
    one row per code, gaps marked."""
    rows = indicators.rows(indicator, None, breakdown, table=table)
    rows = rows[rows["area_level"] == level]
    found = periods_with_values(table, indicator, breakdown, level)
    period = period if period in found else (found[0] if found else "")
    rows = (
        rows[rows["period"] == period]
        .drop_duplicates("area_code")
        .set_index("area_code")
        .reindex(codes)
    )
    rows = rows.rename_axis("area_code").reset_index()
    rows["status"] = rows["status"].fillna("not_available")
    return rows, period


def _area_rows(
    table: pd.DataFrame,
    level: str,
    indicator: str,
    breakdown: str,
    area: str,
    england: bool,
    localities: Localities | None = None,
    period: str | None = None,
) -> tuple[pd.DataFrame, gpd.GeoDataFrame, dict[str, str], str]:
    """Tidy rows (one per area), their shapes (27700), names and period for one map.

    School census indicators are summed from schools to wards, localities and LAs; any
    other indicator is read at the level asked for.
    """
    layer = map_layers(level, area, england, localities)
    shapes, names, codes = layer.shapes, layer.names, layer.codes
    if indicator in SCHOOL_INDICATORS and level != "school":
        rows = mapping.aggregate(
            school_rows(table, indicator),
            geo_schools.school_areas(),
            level,
            CODE_COLUMNS[level],
            areas=codes,
        )
        return rows, shapes, names, PERIOD
    rows, period = _level_rows(table, indicator, breakdown, level, codes, period)
    return rows, shapes, names, period


def build_map(
    table: pd.DataFrame,
    level: str,
    indicator: str,
    breakdown: str,
    area: str,
    scope: str = "la",
    method: str = "quantiles",
    palette: str = "viridis",
    points: bool = False,
    *,
    ind: Indicator | None = None,
    localities: Localities | None = None,
    period: str | None = None,
    rule: SmallNumberRule | None = None,
    protect_all: bool = False,
) -> MapResult:
    """Everything one map needs: the deck JSON, the table behind it, legend and tooltip.

    ``ind`` describes an indicator outside the catalogue (a measure summed from the area's
    child-level uploads); ``localities`` draws the area's own localities; ``period`` picks
    a period of an indicator read at its level (the latest by default); ``rule`` is the
    small-number rule for protected maps (NHS England's by default); ``protect_all`` puts
    published LA figures through it too (workshop mode: the strictest rule everywhere).
    """
    rule = rule or SmallNumberRule()
    ind = ind or indicators.get(indicator)
    england = scope == "england" and level in ("ward", "sub_icb")
    rows, shapes, names, period = _area_rows(
        table, level, indicator, breakdown, area, england, localities, period
    )
    # Small areas, and anything SEND Lens sums itself, go through disclosure control;
    # published LA figures are shown as published.
    protect = protect_all or level != "la" or indicator in SCHOOL_INDICATORS
    words = COUNT_WORDS.get(indicator, ("", ""))
    if (
        ind.numerator
        and indicator not in COUNT_WORDS
        and (protect or rows["numerator"].notna().any())
    ):
        words = (ind.numerator, ind.denominator)
    result, classes, colours = mapping.map_table(
        rows,
        names,
        ind.unit,
        protect=protect,
        method=method,
        palette=palette,
        area_word=AREA_WORDS[level],
        count_words=words,
        rule=rule,
    )
    if ind.unit == "count":
        words = ("", "")  # the value is the count: the tooltip needs no second line for it
    labels = classes.labels(0 if ind.unit == "count" else 1)
    legend = [
        (c, label, int((result["class"] == i).sum()))
        for i, (c, label) in enumerate(zip(colours, labels))
    ]
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
        main = pdk.Layer(
            "GeoJsonLayer",
            _features(wgs, ["code", "fill", "name", *mapping.TOOLTIP_KEYS]),
            id="areas",
            get_fill_color="properties.fill",
            get_line_color=[255, 255, 255, 255],
            # 6,862 ward outlines at England's scale are a grey haze that costs as
            # much to draw as the fills: there, colour alone separates wards.
            stroked=not (england and level == "ward"),
            line_width_min_pixels=0.5,
            pickable=True,
            auto_highlight=True,
        )
    layers.append(main)
    if points and level in ("ward", "sub_icb", "locality") and not england:
        layers.append(_school_points_layer(area))
    if outline is not None:
        line = boundaries.geometry_to_wgs84(outline)
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                json.loads(gpd.GeoSeries([line]).to_json(drop_id=True)),
                id="outline",
                filled=False,
                get_line_color=[11, 12, 12, 255],
                line_width_min_pixels=2.5,
                pickable=False,
            )
        )
    fit = (
        shapes
        if england or level in ("la", "sub_icb", "locality")
        else gpd.GeoDataFrame(geometry=[outline], crs=boundaries.BNG)
    )
    spec = deck_json(layers, _view(tuple(fit.to_crs(boundaries.WGS84).total_bounds)))
    tooltip = {"html": mapping.tooltip_template(words), "style": TOOLTIP_STYLE}
    benchmarks = _benchmarks(table, indicator, area) if indicator in SCHOOL_INDICATORS else {}
    return MapResult(spec, result, legend, period, protect, main.id, tooltip, benchmarks, rule=rule)


def _base_layer(shapes: gpd.GeoDataFrame, outline) -> pdk.Layer:
    """Neighbouring LAs, pale: the map has no tiles (it works offline), so this is context."""
    minx, miny, maxx, maxy = shapes.total_bounds
    near = boundaries.las().cx[minx - 20000 : maxx + 20000, miny - 20000 : maxy + 20000]
    return pdk.Layer(
        "GeoJsonLayer",
        _features(boundaries.to_wgs84(near[["geometry"]], 4), []),
        id="base",
        get_fill_color=[242, 242, 242, 255],
        get_line_color=[190, 190, 190, 255],
        line_width_min_pixels=1,
        pickable=False,
    )


def _ward_lines_layer(area: str) -> pdk.Layer:
    wards = boundaries.to_wgs84(boundaries.wards(area)[["geometry"]])
    return pdk.Layer(
        "GeoJsonLayer",
        _features(wards, []),
        id="wards",
        get_fill_color=[250, 250, 250, 255],
        get_line_color=[170, 170, 170, 255],
        line_width_min_pixels=0.5,
        pickable=False,
    )


def _schools_layer(wgs: gpd.GeoDataFrame, pupils: pd.Series) -> pdk.Layer:
    """Schools as circles: colour is the class of the value, area grows with pupils on roll."""
    data = pd.DataFrame(
        {
            "code": wgs["code"],
            "p": [[x, y] for x, y in zip(wgs.geometry.x.round(5), wgs.geometry.y.round(5))],
            "s": (3 + 2 * np.sqrt(pupils.fillna(0).clip(lower=0).to_numpy() / 50)).round(1),
            "fill": wgs["fill"],
        }
    )
    data = pd.concat([data, wgs[["name", *mapping.TOOLTIP_KEYS]]], axis=1)
    return pdk.Layer(
        "ScatterplotLayer",
        data.to_dict("records"),
        id="schools",
        get_position="p",
        get_radius="s",
        radius_units="'pixels'",
        get_fill_color="fill",
        get_line_color=[40, 40, 40, 255],
        stroked=True,
        line_width_min_pixels=1,
        pickable=True,
        auto_highlight=True,
    )


def _school_points_layer(area: str) -> pdk.Layer:
    """Schools as small context points over a ward or locality map (not clickable)."""
    wgs = boundaries.to_wgs84(geo_schools.school_points(area)[["geometry"]])
    data = [{"p": [x, y]} for x, y in zip(wgs.geometry.x.round(5), wgs.geometry.y.round(5))]
    return pdk.Layer(
        "ScatterplotLayer",
        data,
        id="school-points",
        get_position="p",
        get_radius=3,
        radius_units="'pixels'",
        get_fill_color=[11, 12, 12, 200],
        pickable=False,
    )


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
