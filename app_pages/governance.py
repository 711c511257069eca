"""Governance and assurance: is the partnership meeting its statutory duties? The national
measures of the EHC process against comparators and England, the area's own tracker and
monthly KPIs against their targets, and the exception report for the board."""

from __future__ import annotations

import streamlit as st

from ui import glossed, local, workshop
from ui.data import area_names
from ui.governance import kpis, views
from ui.governance import tracker as tracker_views
from uploads.public import public_mode

TABS = ["National measures", "EHC tracker", "Annual reviews", "Local KPIs", "Exception report"]

area = st.session_state["area"]
name = area_names()[area]
glossed.title(f"Governance and assurance: {name}")
glossed.markdown(
    "Are we as a partnership meeting our statutory duties? The national measures of the EHC process "
    "beside statistical neighbours, the region and England; the area's own EHC tracker and monthly KPIs "
    "against their targets; and the KPIs rated Red, gathered into an exception report with commentary "
    "and actions, ready for the board paper."
)

listed = local.datasets()
# A public instance has no own data and loads no examples; a workshop uploads nothing.
if not public_mode() and not workshop.active():
    views.own_data_panel(listed)
viewer = local.protected_only()
public = (
    st.toggle(
        "Protect small numbers (for a public meeting or workshop)",
        key="gov.public",
        value=viewer or st.session_state.get("mode") in ("workshop", "public"),
        disabled=viewer,
        help="Hides counts of 1 to 7 from the area's own data and rounds others to the nearest 5."
        + (" Always on for a viewer and in workshop mode." if viewer else ""),
    )
    or viewer
)

# Only the open tab runs: each reads the area's own data from this session's state.
national, tracker_tab, reviews_tab, kpi_tab, exceptions_tab = st.tabs(
    TABS, key="gov.tab", on_change="rerun"
)
if national.open:
    with national:
        views.national_section(area)
if tracker_tab.open or reviews_tab.open:
    with tracker_tab if tracker_tab.open else reviews_tab:
        tracker, tracker_name, as_of = tracker_views.tracker_choice(listed, area)
        key = (local.fingerprint(listed), tracker_name)
        if tracker_name and tracker is None:
            pass  # another area's tracker: tracker_choice has said whose, with a button to go there
        elif tracker_tab.open:
            if tracker is None or as_of is None:
                st.info(
                    "This public instance shows published national data only: see the National "
                    "measures tab."
                    if public_mode()
                    else "Load an EHC needs assessment tracker on the Data page (or the example data "
                    "above) to see 20-week compliance, open assessments and waits, by need, age and "
                    "school."
                )
            else:
                tracker_views.tracker_section(tracker, tracker_name, as_of, public, key)
        else:
            tracker_views.reviews_section(
                tracker,
                views.outcomes_frame(listed),
                as_of,
                public,
                key,
                tracker_views.kpi_note(area, listed),
            )
if kpi_tab.open:
    with kpi_tab:
        kpis.kpi_section(area, listed)
if exceptions_tab.open:
    with exceptions_tab:
        kpis.exception_section(area, listed)
