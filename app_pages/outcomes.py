"""Outcomes: is anyone better off? Annual review outcomes read through the area's outcomes
framework, for each impact domain beside its national outcome indicators."""

from __future__ import annotations

import streamlit as st

from analysis import outcomes as oc
from ui import glossed, local
from ui.data import area_names
from ui.examples import (
    EXAMPLE_AREA,
    OUTCOMES_EXAMPLE_ELSEWHERE,
    OUTCOMES_EXAMPLE_WARNING,
    switch_button,
)
from ui.outcomes import data, views
from uploads.public import public_mode

area = st.session_state["area"]
glossed.title(f"Outcomes: {area_names()[area]}")
viewer = local.protected_only()  # a viewer sees protected figures only
workshop = (
    st.toggle(
        "Workshop view",
        key="outcomes.workshop",
        value=viewer,
        disabled=viewer,
        help="For a room with parent carers and young people: the outcomes in the framework's "
        "words and big bars, small numbers hidden, no statistics."
        + (" Always on for a viewer and in workshop mode." if viewer else ""),
    )
    or viewer
)
if not workshop:
    glossed.markdown(
        "How do we know we are making a difference? For each outcome of the area's framework: how many "
        "children and young people are making progress at their annual review, for whom it is working "
        "and for whom not, whether it is improving, and the national outcome indicators beside it."
    )
framework = data.pick_framework(data.frameworks())
if not workshop and not public_mode():  # a public instance takes no returns or examples
    data.data_panel(framework)

found = data.loaded(area)
returns, cohort = found.returns, found.cohort
if found.example == "shown":  # on every view of the page, the workshop's too
    st.warning(OUTCOMES_EXAMPLE_WARNING.format(name=area_names()[area]), icon=":material/science:")
elif found.example == "elsewhere":
    names = {"example": area_names()[EXAMPLE_AREA], "name": area_names()[area]}
    st.info(OUTCOMES_EXAMPLE_ELSEWHERE.format(**names), icon=":material/science:")
    switch_button(EXAMPLE_AREA, "outcomes.example.switch")
ratings = oc.prepare_ratings(framework, returns)
answers = oc.prepare_answers(framework, returns)
if ratings.empty and answers.empty:
    st.info(
        "This public instance shows published national data only, so no area's returns."
        if public_mode()
        else "No returns for this framework are loaded yet. Open the panel above to load the "
        "example data (synthetic) or upload your own returns.",
        icon=":material/info:",
    )
    if not workshop:
        for domain in framework.domains:
            views.domain_section(framework, domain, ratings, answers, area)
    st.stop()

period, agency = views.controls(framework, ratings, answers)
year_ratings = ratings[ratings["period"] == period]
answers = answers[answers["period"] == period]
ratings = year_ratings[year_ratings["agency"] == agency] if agency else year_ratings
if workshop:
    views.workshop(framework, ratings, answers)
    st.stop()

views.coverage(year_ratings, answers, period, area)  # every agency's reviews, whichever is shown
views.headline(framework, ratings, answers)
for domain in framework.domains:
    views.domain_section(framework, domain, ratings, answers, area)
other = answers[answers["domain"].isna()]
if not other.empty:
    glossed.header("Other questions")
    views.voice("outcomes.other.voice", framework, other, "What children and young people said")
views.breakdown(framework, ratings, answers, cohort, data.place_names())
views.trend(framework, returns, agency)
with st.expander("How these figures are worked out"):
    glossed.markdown(views.METHOD)
