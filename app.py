"""SEND Lens: router, page config and the sidebar area picker."""

from __future__ import annotations

import streamlit as st

from ui.area_picker import chosen_area

st.set_page_config(page_title="SEND Lens", page_icon=":material/visibility:", layout="wide")

PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True, url_path="home"),
    st.Page("pages/local_profile.py", title="Local profile", icon=":material/groups:",
            url_path="local-profile"),
]

navigation = st.navigation(PAGES)
st.session_state["area"] = chosen_area()
st.sidebar.caption(
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(DfE, ONS, Ministry of Justice)."
)
navigation.run()
