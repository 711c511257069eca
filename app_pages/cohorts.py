"""Cohorts: one picture of each child's journey across education, social care, youth justice
and health, from the agencies' extracts linked on pseudonymised ids."""

from __future__ import annotations

import streamlit as st

from store.access import Action
from ui import glossed, local
from ui.cohorts import data, views
from ui.data import area_names
from ui.examples import EXAMPLE_AREA, switch_button
from uploads.public import public_mode

area = st.session_state["area"]
glossed.title(f"Cohorts: {area_names()[area]}")
glossed.markdown(
    "How many children with an EHC plan are also known to social care? How many children in "
    "need have no special educational needs recorded? What share of the youth justice caseload "
    "has SEND? The agencies' cohort extracts, linked child by child on pseudonymised ids, "
    "answer these. Counts of 1 to 7 are never shown and the others are rounded to the nearest 5."
)
data.show_flash()
if public_mode():
    st.info(
        "This public instance shows published national data only, so no area's linked cohorts.",
        icon=":material/info:",
    )
    st.stop()

found = data.linked()
if found.problem:
    st.error(f"The agency extracts are not linked. {found.problem}")
if found.result is None:
    if not found.problem:
        st.info(
            "No agency cohort extracts are loaded. Upload each agency's extract (kind: Agency "
            "cohort extract) on the Data page, or load the example data (synthetic) to see how "
            "the page works.",
            icon=":material/info:",
        )
    if local.can(Action.WRITE):
        st.button(
            "Load the example data (synthetic)",
            key="cohorts.example",
            on_click=data.load_example,
            help="Four invented agencies' extracts for Bradford, with faults planted on purpose.",
        )
    st.stop()
if found.example:
    if area != EXAMPLE_AREA:
        st.info(
            f"The example data (synthetic) is for {area_names()[EXAMPLE_AREA]}'s wards and "
            f"schools, so it is shown on {area_names()[EXAMPLE_AREA]}'s page only.",
            icon=":material/science:",
        )
        switch_button(EXAMPLE_AREA, "cohorts.example.switch")
        st.stop()
    st.warning(
        "**Example data (synthetic).** The children below are invented by SEND Lens to show "
        f"how the page works; they are not {area_names()[area]}'s figures. Remove them on the "
        "Data page when you load your own.",
        icon=":material/science:",
    )

views.overlaps(found.result)
views.board(found.result, found.tracker)
views.measures(found.result)
views.quality(found.result)
if not local.protected_only():
    views.records(found.result)
