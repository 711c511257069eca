"""Workshop mode: the whole app made fit for a room of parent carers and a projector.

One switch for every page, set in the sidebar or by ``?mode=workshop`` (so a facilitator can
prepare a link), kept in the URL while it is on so reloads and shared links stay in it. In the
mode: large type, chart labels a room can read, small numbers protected on every page (a
viewer's protection: ``ui.local.protected_only``), no record-level views, and no uploads,
deletes or settings. Those refusals are the store's (``store.access.WORKSHOP_ACTIONS``, via the
``workshop`` flag of the acting ``User``), not only hidden controls. Leaving takes two clicks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:  # only for the annotations: the first page (Home) draws no chart
    import altair as alt

MODE_KEY = "mode"  # session state, also read by pages that preset their protection switch
QUERY_KEY = "mode"
WORKSHOP = "workshop"
_LEAVING = "workshop.leaving"

# Measured at 1280x720 in Chromium (tests/test_browser_workshop.py): body text 20 px, chart
# labels 18 px. Streamlit sizes its type in rem, so the root size scales all of it at once.
BODY_PX = 20
CHART_LABEL_PX = 18
CHART_TITLE_PX = 20

_CSS = f"""
<style>
html {{ font-size: {BODY_PX}px; }}
/* Titles, tile labels and page names wrap rather than end in an ellipsis on a projector. */
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *,
[data-testid="stExpander"] summary *, [data-testid="stSidebarNav"] span,
h1, h2, h3, h4 {{
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}}
/* The first chart above the fold: less empty space above the title, smaller page titles. */
[data-testid="stMainBlockContainer"] {{ padding-top: 2rem; }}
h1 {{ font-size: 2rem !important; }}
h2 {{ font-size: 1.6rem !important; }}
h3 {{ font-size: 1.3rem !important; }}
[data-testid="stMetricValue"] {{ font-size: 2.2rem; }}
/* Captions and small print at body size too: a room reads them from the back. */
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stCaptionContainer"],
[data-testid="stMain"] label, [data-testid="stWidgetLabel"] p {{ font-size: 1rem !important; }}
</style>
"""


def active() -> bool:
    """Whether this session is in workshop mode."""
    return st.session_state.get(MODE_KEY) == WORKSHOP


def arrive() -> None:
    """On every run, first: enter the mode from ``?mode=workshop``; while in it, keep the
    parameter in the URL (a page change clears it) so a reload or a copied link stays in it."""
    if st.query_params.get(QUERY_KEY) == WORKSHOP:
        st.session_state[MODE_KEY] = WORKSHOP
    if active():
        if st.query_params.get(QUERY_KEY) != WORKSHOP:
            st.query_params[QUERY_KEY] = WORKSHOP
        st.html(_CSS)


def _enter() -> None:
    st.session_state[MODE_KEY] = WORKSHOP
    st.query_params[QUERY_KEY] = WORKSHOP


def _ask_to_leave() -> None:
    st.session_state[_LEAVING] = True


def _stay() -> None:
    st.session_state.pop(_LEAVING, None)


def _leave() -> None:
    st.session_state.pop(MODE_KEY, None)
    st.session_state.pop(_LEAVING, None)
    st.query_params.pop(QUERY_KEY, None)


def sidebar() -> None:
    """The switch: a button into the mode; out of it, a button and then a confirmation."""
    box = st.sidebar.container(border=True)
    if not active():
        box.button(
            "Start workshop mode",
            key="workshop.enter",
            icon=":material/co_present:",
            on_click=_enter,
            help="For exploring the data live with parent carers and young people, on a "
            "projector: large type, plain words, small numbers hidden on every page, and no "
            "uploads, deletions or settings. Add ?mode=workshop to a link to open it this way.",
        )
        return
    box.markdown("**Workshop mode is on.**")
    box.caption(
        "Large type, plain words; small numbers hidden; nothing can be uploaded or deleted."
    )
    if not st.session_state.get(_LEAVING):
        box.button("Leave workshop mode", key="workshop.leave", on_click=_ask_to_leave)
        return
    box.warning("Leave workshop mode? Small numbers and technical detail will show again.")
    left, right = box.columns(2)
    left.button("Yes, leave", key="workshop.leave.confirm", on_click=_leave, type="primary")
    right.button("Stay", key="workshop.leave.cancel", on_click=_stay)


def readable(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """A chart with labels a room can read from the back, in workshop mode (else unchanged)."""
    if not active():
        return chart
    return (
        chart.configure_axis(
            labelFontSize=CHART_LABEL_PX, titleFontSize=CHART_LABEL_PX, labelLimit=400
        )
        .configure_legend(
            labelFontSize=CHART_LABEL_PX, titleFontSize=CHART_LABEL_PX, labelLimit=400
        )
        .configure_header(labelFontSize=CHART_LABEL_PX, titleFontSize=CHART_LABEL_PX)
        .configure_title(fontSize=CHART_TITLE_PX)
        .configure_text(fontSize=CHART_LABEL_PX)
    )


_FONT_KEYS = ("fontSize", "labelFontSize", "titleFontSize")


def _enlarge(node: object) -> None:
    """Raise every font size a chart sets itself (an axis's 12 px labels) to the room's."""
    if isinstance(node, dict):
        for key, value in node.items():
            small = isinstance(value, int | float) and value < CHART_LABEL_PX
            if key in _FONT_KEYS and small:
                node[key] = CHART_LABEL_PX
            else:
                _enlarge(value)
    elif isinstance(node, list):
        for item in node:
            _enlarge(item)


def draw(chart: alt.TopLevelMixin) -> None:
    """Draw a chart: in workshop mode with every label at least ``CHART_LABEL_PX``, including
    those a chart sizes explicitly (which Altair's configuration cannot override)."""
    if not active():
        st.altair_chart(chart, width="stretch")
        return
    spec = readable(chart).to_dict()
    _enlarge(spec)
    st.vega_lite_chart(spec, width="stretch")
