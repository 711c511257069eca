"""Home: the ten figures a SEND partnership board watches, for the chosen area."""

from __future__ import annotations

import streamlit as st

import indicators
from analysis.profile import headline
from ui.data import area_names, national_table
from ui.format import format_change, format_value
from ui.visual import period_words

HEADLINES = [
    "ehc_plans",
    "ehc_plans_rate",
    "ehc_new_plans",
    "ehc_requests",
    "ehc_requests_refused_pct",
    "ehc_20wk_pct",
    "ehc_20wk_ex_pct",
    "ehc_mainstream_pct",
    "ehc_special_pct",
    "tribunal_appeal_rate",
]

area = st.session_state["area"]
name = area_names()[area]
table = national_table()

st.title(f"SEND in {name}")
st.markdown(
    "The latest published figures for children and young people with special educational "
    "needs and disabilities in this area, with the change since the year before and England "
    "for comparison. Choose another area in the sidebar."
)

DELTA_COLOUR = {"high": "normal", "low": "inverse", "none": "off"}

columns = st.columns(5)
for i, ind_id in enumerate(HEADLINES):
    ind = indicators.get(ind_id)
    h = headline(table, ind_id, area)
    with columns[i % 5]:
        if h.period is None:
            st.metric(ind.title, "not available", border=True)
            continue
        england = format_value(h.england, ind.unit)
        st.metric(
            ind.title,
            format_value(h.value, ind.unit),
            delta=format_change(h.change, ind.unit),
            delta_color=DELTA_COLOUR[ind.polarity],
            help=f"{ind.definition} {period_words(ind_id, h.period)}. "
            + (f"Change since {period_words(ind_id, h.previous_period)}." if h.previous_period else ""),
            border=True,
        )
        st.caption(f"{period_words(ind_id, h.period)} · England {england}")

st.divider()
st.markdown(
    "**Where next?** The *Local profile* page shows how many children and young people need "
    "support and of what kind, where they are educated and how they are doing, beside the "
    "region and England."
)
