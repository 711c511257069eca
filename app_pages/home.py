"""Home: the ten figures a SEND partnership board watches, for the chosen area."""

from __future__ import annotations

import streamlit as st

import indicators
from analysis.disclosure import SmallNumberRule
from reports.format import as_text, csv_bytes, format_change, format_value
from ui import glossed, workshop
from ui.data import area_names, headline, headline_table
from ui.tables import show_table
from ui.visual import period_words

# The board's ten, in the catalogue's order, with the short labels that fit a tile; the
# full title is in the help.
HEADLINES = indicators.headlines()

area = st.session_state["area"]
name = area_names()[area]

glossed.title(f"SEND in {name}")
glossed.markdown(
    "The latest published figures for children and young people with special educational "
    "needs and disabilities in this area, with the change since the year before and England "
    "for comparison. Choose another area in the sidebar."
)

DELTA_COLOUR = {"high": "normal", "low": "inverse", "none": "off"}

columns = st.columns(4)
for i, ind in enumerate(HEADLINES):
    ind_id, label = ind.id, ind.short_title
    h = headline(ind_id, area)
    if workshop.active():  # the strictest small-number rule, in a room with parents
        h = h.protected(SmallNumberRule(), ind.unit)
    with columns[i % 4].container(border=True):
        if h.period is None:
            glossed.metric(label, format_value(None, ind.unit, status=h.status))
            continue
        if h.value is None:  # hidden by the rule just above
            glossed.metric(label, "Hidden", help=f"**{ind.title}.** {ind.definition}")
            glossed.caption(
                f"Latest: {period_words(ind_id, h.period)}. Hidden to protect privacy: it is, or "
                "rests on, a count of fewer than 8, or too few to be reliable."
            )
            continue
        glossed.metric(
            label,
            format_value(h.value, ind.unit, short=True),
            delta=format_change(h.change, ind.unit),
            delta_color=DELTA_COLOUR[ind.polarity],
            help=f"**{ind.title}.** {ind.definition}",
        )
        since = (
            f" Change since {period_words(ind_id, h.previous_period)}." if h.previous_period else ""
        )
        # "Latest:" first, so that a year never starts the line and becomes a Markdown list.
        glossed.caption(
            f"Latest: {period_words(ind_id, h.period)}.{since} England: {format_value(h.england, ind.unit, status=h.england_status)}."
        )

# In workshop mode the protected tiles are the figures: the table would show them unprotected.
if not workshop.active():
    # Drawn only when opened: a table sent inside the closed box made every first visit fetch
    # and run the browser's data-grid code (about 1.5 MB of JavaScript), about 0.15 of the
    # time from start to Home drawn (benchmarks/README.md, "Warm start").
    table_box = st.expander("These figures as a table", key="home.table", on_change="rerun")
    if table_box.open:
        with table_box:
            tiles = headline_table(tuple(i.id for i in HEADLINES), area)
            numbers = [name, "Previous value", "Region", "England"]
            show_table(as_text(tiles, numbers, ("Change",)))
            st.download_button(
                "Download CSV",
                csv_bytes(tiles),
                file_name=f"send_lens_headlines_{area}.csv",
                mime="text/csv",
                key="home.download",
            )

st.divider()
glossed.markdown(
    "**Where next?** The *Local profile* page shows how many children and young people need "
    "support and of what kind, where they are educated and how they are doing, beside the "
    "region and England."
)
