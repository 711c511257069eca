"""Map: the area's schools, wards and localities from the school census and from its own
uploads, and every local authority in England for any indicator, with the details of the
area you click."""

from __future__ import annotations

import functools

import streamlit as st

import indicators
from analysis.classes import METHODS
from analysis.disclosure import (
    DEFAULT_MIN_DENOMINATOR,
    DEFAULT_ROUNDING,
    DEFAULT_THRESHOLD,
    SmallNumberRule,
)
from geography.schools import unmatched_schools
from reports.format import describe_period
from store.access import Action
from ui import glossed, local, workshop
from ui.data import area_names
from ui.examples import MAP_EXAMPLES, load_examples
from ui.map import local as map_local
from ui.map import views
from uploads.public import public_mode

area = st.session_state["area"]
name = area_names()[area]
glossed.title(f"Map: {name}")
glossed.markdown(
    "Where need is, at the level you choose: schools, wards and localities of this area from "
    "the January 2024 school census or from your own uploads, or every local authority in England "
    "for any indicator. Click an area to see its figures beside the map."
)
flash = st.session_state.pop(map_local.FLASH, None)
if flash:
    getattr(st, flash[0])(flash[1])
data = map_local.map_data(area)

with st.container(border=True):
    levels = [lv for lv in views.LEVELS if lv != "locality" or data.localities is not None]
    level = st.radio("Show", levels, format_func=views.LEVELS.get, key="map.level", horizontal=True)
    top = st.columns([2, 1])  # indicator titles are long: give them room
    breakdown, scope, own = "", "la", map_local.choices(data, level, area)
    if level == "la":
        choices = views.la_indicators()
        indicator = top[0].selectbox(
            "Indicator",
            choices,
            key="map.indicator.la",
            format_func=lambda i: indicators.get(i).title,
        )
        breakdowns = views.la_breakdowns(indicator)
        if breakdowns != [""]:
            breakdown = top[1].selectbox(
                "Breakdown",
                breakdowns,
                key="map.breakdown",
                format_func=lambda b: b.split("=", 1)[-1],
            )
    else:
        options = [*(() if level == "locality" else views.SCHOOL_INDICATORS), *own]
        # One widget per level: a keyed selectbox whose options change under it can show a
        # choice it no longer offers. Uploads added or removed can still change a level's list.
        if st.session_state.get(f"map.indicator.{level}") not in options:
            st.session_state.pop(f"map.indicator.{level}", None)
        indicator = top[0].selectbox(
            "Indicator",
            options,
            key=f"map.indicator.{level}",
            format_func=lambda i: (
                f"{own[i].title} (your data)" if i in own else indicators.get(i).title
            ),
        )
        if level in ("ward", "sub_icb") and indicator not in own:
            scope = top[1].radio(
                "Area shown",
                ["la", "england"],
                key="map.scope",
                format_func={"la": name, "england": "All of England"}.get,
            )
    ind = own[indicator] if indicator in own else indicators.get(indicator)
    if level == "la":
        periods = views.la_periods(indicator, breakdown)
    else:
        periods = map_local.periods(data, level, indicator) if indicator in own else []
    # A period box only when there is a choice; the other boxes then close up to the left.
    slots = iter(st.columns(4))
    period = None
    if len(periods) > 1:
        key = f"map.period.{level}.{indicator}.{breakdown}"
        if st.session_state.get(key) not in periods:
            st.session_state.pop(key, None)
        period = next(slots).selectbox(
            "Period",
            periods,
            key=key,
            format_func=lambda p: describe_period(p, ind),
            help="The latest period is shown first.",
        )
    method = next(slots).selectbox(
        "Classes",
        METHODS,
        key="map.method",
        help="Quantiles put the same number of areas in each colour; equal "
        "intervals split the range evenly; natural breaks (Jenks) group "
        "similar values.",
    )
    palette = next(slots).selectbox(
        "Colours",
        views.PALETTES,
        key="map.palette",
        help="Both are readable with the common kinds of colour blindness.",
    )
    with next(slots):
        st.space("medium")  # level with the boxes beside it
        points = (
            level in ("ward", "sub_icb", "locality")
            and scope == "la"
            and st.checkbox("Show schools as points", key="map.points")
        )

    # Always drawn, even where it does not apply, so a stricter rule set for a workshop is
    # kept when the page shows published LA figures for a while (unrendered widgets forget).
    with st.expander("Small-number rule"):
        glossed.caption(
            "NHS England's rule is the default. Make it stricter for a workshop with parent carers, "
            "or to follow your own disclosure policy; it cannot be made looser. It applies to schools, "
            "wards and localities; published LA figures are shown as published."
        )
        rule_cols = st.columns(3)
        rule = SmallNumberRule(
            threshold=rule_cols[0].number_input(
                "Hide counts up to",
                min_value=DEFAULT_THRESHOLD,
                max_value=50,
                value=DEFAULT_THRESHOLD,
                key="map.rule.threshold",
            ),
            rounding=rule_cols[1].number_input(
                "Round other counts to the nearest",
                min_value=DEFAULT_ROUNDING,
                max_value=100,
                value=DEFAULT_ROUNDING,
                step=5,
                key="map.rule.rounding",
            ),
            min_denominator=rule_cols[2].number_input(
                "Grey out percentages of fewer than",
                min_value=DEFAULT_MIN_DENOMINATOR,
                max_value=1000,
                value=DEFAULT_MIN_DENOMINATOR,
                step=10,
                key="map.rule.min_denominator",
            ),
        )

if indicator in own:
    st.info(map_local.describe(data, indicator), icon=":material/upload_file:")
    glossed.caption(rule.describe("in the denominator"))
    for note in data.notes:
        glossed.caption(note)
elif indicator in views.SCHOOL_INDICATORS:
    st.info(views.WHERE_THEY_GO, icon=":material/school:")
    glossed.caption(rule.describe("pupils"))
    if level == "sub_icb":
        glossed.caption(
            "A sub-ICB location can cross council boundaries: its figures cover every "
            "school in it, in this council or not."
        )
else:
    glossed.caption(
        rule.describe("in the figure")
        if workshop.active()
        else "Figures as published for each local authority; the latest year unless you choose another."
    )

if indicator in own:
    load = functools.partial(
        map_local.local_map, area, level, indicator, method, palette, points, period, rule
    )
else:
    load = functools.partial(
        views.map_payload,
        level,
        indicator,
        breakdown,
        area,
        scope,
        method,
        palette,
        points,
        period,
        rule,
        protect_all=workshop.active(),
    )
views.map_panel(load, ind, level, area)

lost = unmatched_schools(area)
if level in ("school", "ward") and not lost.empty:
    glossed.caption(
        f"{len(lost)} school(s) in {name} lie just outside every generalised ward boundary (on the "
        "coast or an estuary) and are in no ward's total: "
        + "; ".join(
            f"{r.name} ({r.urn}), {r.distance_m:,.0f} m from ward {r.nearest_ward_code}"
            for r in lost.itertuples()
        )
        + "."
    )

# A public instance maps published data only; a workshop uploads nothing.
if not public_mode() and not workshop.active():
    with st.expander("Map your own data", expanded=data.empty and level != "la"):
        glossed.markdown(
            "Upload on the **Data** page and your figures appear here, through the same small-number "
            "protection:\n"
            "- a **KPI return** with `area_level` ward, school or locality;\n"
            "- an **EHC needs assessment tracker** or **cohort extract** with each child's home `ward_code` "
            "or `school_urn`: SEND Lens counts requests, plans, waits and children by ward, school or locality;\n"
            "- a **ward to locality lookup**, to draw your own localities (family hub areas, CCG localities) "
            "from their wards."
        )
        if local.can(Action.WRITE):
            st.button(
                "Load the example data (synthetic, Bradford)",
                key="map.example.load",
                on_click=load_examples,
                args=(MAP_EXAMPLES, map_local.FLASH),
                help="An invented tracker, a KPI return by ward, locality and school, and five "
                "invented localities, in this workspace. Remove them on the Data page.",
            )
        else:
            glossed.caption("An analyst or admin of this workspace can load the example data.")
