"""The sidebar area picker: region, then local authority, kept in the URL."""

from __future__ import annotations

from collections.abc import Collection

import streamlit as st

from geography.areas import REGIONS, region_of
from ui.data import current_las
from ui.plain import md

QUERY_KEY = "area"
UNKNOWN_KEY = "area.unknown"  # the code in a link that named no known area
DEFAULT_AREA = "E08000032"  # Bradford: a large LA with a co-produced outcomes framework


def arrival_area(asked: str | None, codes: Collection[str]) -> str:
    """The area a visit starts on: the one its address asks for, if ``codes`` has it, else
    the default (the launcher works out Home's figures for it before the page asks)."""
    return asked if asked in codes else DEFAULT_AREA


def chosen_area() -> str:
    """The LA chosen in the sidebar (GSS code); the URL's ``?area=`` sets it on arrival."""
    las = current_las()
    codes = las["la_code"].tolist()
    from_url = st.query_params.get(QUERY_KEY)
    if "area.la" not in st.session_state:
        start = arrival_area(from_url, codes)
        st.session_state["area.la"] = start
        st.session_state["area.region"] = region_of(start)
        if from_url and from_url not in codes:
            st.session_state[UNKNOWN_KEY] = from_url

    region_codes = list(REGIONS)
    st.sidebar.selectbox(
        "Region",
        region_codes,
        format_func=REGIONS.get,
        key="area.region",
        on_change=_region_changed,
        help="Choose a region to narrow the list of local authorities.",
    )
    in_region = las[las["region_code"] == st.session_state["area.region"]]
    names = dict(zip(las["la_code"], las["name"]))
    st.sidebar.selectbox(
        "Local authority",
        in_region["la_code"].tolist(),
        format_func=names.get,
        key="area.la",
        on_change=_forget_unknown,
        help="Every page shows this area beside its region and England. The link in your "
        "browser's address bar opens SEND Lens on this area.",
    )
    code = st.session_state["area.la"]
    if unknown := st.session_state.get(UNKNOWN_KEY):
        # A mistyped or out-of-date link must not pass for the area it asked for.
        st.warning(
            f"The link asked for an area with the code “{md(unknown)}”, which is not a local "
            f"authority SEND Lens knows. Showing {names[code]} instead: choose an area in the "
            "sidebar."
        )
    if st.query_params.get(QUERY_KEY) != code:
        st.query_params[QUERY_KEY] = code
    return code


def _forget_unknown() -> None:
    st.session_state.pop(UNKNOWN_KEY, None)


def _region_changed() -> None:
    _forget_unknown()
    las = current_las()
    in_region = las[las["region_code"] == st.session_state["area.region"]]
    if st.session_state.get("area.la") not in set(in_region["la_code"]):
        st.session_state["area.la"] = in_region["la_code"].iloc[0]
