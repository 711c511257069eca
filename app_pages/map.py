"""Map: the area's schools, wards and localities from the school census, and every local
authority in England for any indicator, with the details of the area you click."""

from __future__ import annotations

import streamlit as st

import indicators
from analysis.mapping import METHODS
from geography.schools import unmatched_schools
from ui import map_views as views
from ui.data import area_names

area = st.session_state["area"]
name = area_names()[area]
st.title(f"Map: {name}")
st.markdown(
    "Where need is, at the level you choose: schools, wards and localities of this area from "
    "the January 2024 school census, or every local authority in England for any indicator. "
    "Click an area to see its figures beside the map."
)

with st.container(border=True):
    level = st.radio("Show", list(views.LEVELS), format_func=views.LEVELS.get, key="map.level",
                     horizontal=True)
    cols = st.columns([3, 2, 2, 2])
    breakdown, scope = "", "la"
    if level == "la":
        choices = views.la_indicators()
        indicator = cols[0].selectbox("Indicator", choices, key="map.indicator.la",
                                      format_func=lambda i: indicators.get(i).title)
        breakdowns = views.la_breakdowns(indicator)
        if breakdowns != [""]:
            breakdown = cols[1].selectbox("Breakdown", breakdowns, key="map.breakdown",
                                          format_func=lambda b: b.split("=", 1)[-1])
    else:
        indicator = cols[0].selectbox("Indicator", views.SCHOOL_INDICATORS, key="map.indicator.school",
                                      format_func=lambda i: indicators.get(i).title)
        if level != "school":
            scope = cols[1].radio("Area shown", ["la", "england"], key="map.scope",
                                  format_func={"la": name, "england": "All of England"}.get)
    method = cols[2].selectbox("Classes", METHODS, key="map.method",
                               help="Quantiles put the same number of areas in each colour; equal "
                               "intervals split the range evenly; natural breaks (Jenks) group "
                               "similar values.")
    palette = cols[3].selectbox("Colours", ["viridis", "cividis"], key="map.palette",
                                help="Both are readable with the common kinds of colour blindness.")
    points = level in ("ward", "sub_icb") and scope == "la" and st.checkbox(
        "Show schools as points", key="map.points")

if indicator in views.SCHOOL_INDICATORS:
    st.info(views.WHERE_THEY_GO, icon=":material/school:")
    st.caption(
        "Small numbers are protected: counts of 1 to 7 are hidden and other counts are rounded to "
        "the nearest 5; a percentage is hidden when its count is; areas with fewer than 30 pupils "
        "are greyed out. Percentages are worked out from the true counts."
    )
    if level == "sub_icb":
        st.caption("A sub-ICB location can cross council boundaries: its figures cover every "
                   "school in it, in this council or not.")
else:
    st.caption("Figures as published for each local authority; the latest year available.")

views.map_panel(area, level, indicator, breakdown, scope, method, palette, points)

lost = unmatched_schools(area)
if level in ("school", "ward") and not lost.empty:
    st.caption(
        f"{len(lost)} school(s) in {name} lie just outside every generalised ward boundary (on the "
        "coast or an estuary) and are in no ward's total: "
        + "; ".join(f"{r.name} ({r.urn}), {r.distance_m:,.0f} m from ward {r.nearest_ward_code}"
                    for r in lost.itertuples()) + "."
    )
