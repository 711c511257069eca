"""SEND Lens: router, page config, the sign-in gate and the sidebar area picker.

Pages live in ``app_pages/``: a folder called ``pages/`` would switch Streamlit into its
legacy multipage mode for deep links on a fresh server, bypassing this router.

With ``[auth]`` in the secrets, nobody who has not signed in gets past the gate: the router
then knows one page only, the sign-in page, so every other address (``/home``, ``/data``) runs
that page too, and no page script, area name or figure is ever sent.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import glossed, identity, local, workshop
from ui.area_picker import chosen_area
from ui.data import build_national_with_progress
from ui.element_code import fetch_after_first_page
from ui.memory import give_back_freed_memory, set_allocators
from ui.visual import page_styles, tables_toggle
from ui.warm import warm_in_background
from ui.workspace_picker import is_admin, workspace_picker
from uploads.public import public_mode

set_allocators()  # Arrow's system pool, large blocks given back when freed (ui/memory.py)

# The icon is a file in the repository: a Material icon here would make every browser fetch it
# from Google's font host, which fails offline (a venue laptop) and tells Google of the visit.
st.set_page_config(
    page_title="SEND Lens",
    page_icon=str(Path(__file__).parent / "assets/favicon.png"),
    layout="wide",
)


PAGES = [
    st.Page(
        "app_pages/home.py", title="Home", icon=":material/home:", default=True, url_path="home"
    ),
    st.Page(
        "app_pages/local_profile.py",
        title="Local profile",
        icon=":material/groups:",
        url_path="local-profile",
    ),
    st.Page("app_pages/story.py", title="Story", icon=":material/auto_stories:", url_path="story"),
    st.Page(
        "app_pages/benchmarking.py",
        title="Benchmarking",
        icon=":material/leaderboard:",
        url_path="benchmarking",
    ),
    st.Page(
        "app_pages/governance.py",
        title="Governance and assurance",
        icon=":material/gavel:",
        url_path="governance",
    ),
    st.Page(
        "app_pages/outcomes.py",
        title="Outcomes",
        icon=":material/trending_up:",
        url_path="outcomes",
    ),
    st.Page(
        "app_pages/cohorts.py", title="Cohorts", icon=":material/join_inner:", url_path="cohorts"
    ),
    st.Page("app_pages/map.py", title="Map", icon=":material/map:", url_path="map"),
    st.Page(
        "app_pages/reports.py", title="Reports", icon=":material/description:", url_path="reports"
    ),
    st.Page("app_pages/data.py", title="Data", icon=":material/upload_file:", url_path="data"),
    st.Page(
        "app_pages/accessibility.py",
        title="Accessibility",
        icon=":material/accessibility:",
        url_path="accessibility",
    ),
]
if not identity.signed_in():
    # The sign-in page under every page's address too, so a shared deep link shows it
    # (rather than Streamlit's "page not found" dialog over it).
    st.navigation(
        [st.Page(identity.sign_in_page, title="Sign in", url_path="sign-in", default=True)]
        + [
            st.Page(identity.sign_in_page, title="Sign in", url_path=path)
            # The default page (Home) reports an empty url_path; its address is /home.
            for path in ["home", *(page.url_path for page in PAGES if page.url_path)]
        ],
        position="hidden",
    ).run()
    st.stop()
workshop.arrive()
if public_mode() or workshop.active():
    # A public instance or a workshop has no uploads to manage (the store refuses them anyway).
    PAGES = [page for page in PAGES if page.url_path != "data"]

# Admins only; the page and the store check the role again, so its URL alone gets nowhere.
ADMIN_PAGE = st.Page(
    "app_pages/admin.py", title="Admin", icon=":material/admin_panel_settings:", url_path="admin"
)

# A public instance has no store to administer; a workshop changes no settings.
admin = is_admin() and not public_mode() and not workshop.active()
navigation = st.navigation(PAGES + ([ADMIN_PAGE] if admin else []))
identity.sidebar()
page_styles()
workshop.sidebar()
st.session_state["area"] = chosen_area()
tables_toggle()
if not public_mode():
    workspace_picker()
    local.store_status()
glossed.caption(
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(DfE, ONS, Ministry of Justice).",
    where=st.sidebar,
)
fetch_after_first_page()
build_national_with_progress()
navigation.run()
# A page's charts and tables leave freed heap pages behind (Arrow buffers, pandas copies).
give_back_freed_memory()
# After the page is drawn, so that the first page of a process does not wait for it.
warm_in_background()
