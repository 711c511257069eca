"""Benchmarking: the area against its statistical neighbours (or a set the user picks), its
region and England, on every indicator with data, with honest statistics and a verdict."""

from __future__ import annotations

import streamlit as st

from ui import glossed, workshop
from ui.benchmarking import views
from ui.comparison import charts, comparators, data
from ui.data import area_names

TABS = ["Compare areas", "Trend", "Area summary", "Funnel plot", "Choose comparators"]

area = st.session_state["area"]
name = area_names()[area]
glossed.title(f"Benchmarking: {name}")
glossed.markdown(
    "How this area compares with the councils most like it, its region and England: the "
    "comparators' average, rank and quartile band as in DfE's LAIT, and confidence intervals, "
    "significance and trend tests as in OHID's Fingertips. Choose an indicator and who to "
    "compare with; every view says in words what it shows."
)

glossed.header("What to compare")  # an h2, so that the views' h3 titles follow in order
with st.container(border=True):
    indicator, period = views.pick_indicator(area)
    label, codes, model = comparators.pick_comparators(area)

result = data.comparison(indicator, area, period, tuple(codes), label)
views.verdict(result, label, latest=period == data.periods(indicator, area)[0])

# In workshop mode only the two views that apply the strictest small-number rule: the
# summary (every indicator at once), the funnel plot and the comparator chooser are
# analysts' tools, not for a room with parents.
shown = TABS[:2] if workshop.active() else TABS
# Only the open tab runs: the summary and the funnel are the costly views.
tabs = dict(zip(shown, st.tabs(shown, key="bench.tab", on_change="rerun")))
compare, trend = tabs["Compare areas"], tabs["Trend"]
summary, funnel, choose = (tabs.get(name) for name in TABS[2:])
if compare.open:
    with compare:
        charts.compare_view(indicator, area, period, codes, label)
if trend.open:
    with trend:
        charts.trend_view(indicator, area, codes, label)
if summary is not None and summary.open:
    with summary:
        views.summary_view(area, codes, label)
if funnel is not None and funnel.open:
    with funnel:
        charts.funnel_view(indicator, area, period, codes)
if choose is not None and choose.open:
    with choose:
        comparators.choose_view(area, model)
if workshop.active():
    glossed.caption(
        "In workshop mode this page shows the comparison and the trend only, with small "
        "numbers hidden; the area summary, the funnel plot and the choice of comparators are "
        "on this page outside workshop mode."
    )
