"""The story: the area's figures as the questions families ask, one card at a time, for a
workshop with parent carers and young people; what the room says is recorded on each card
and gathered into "What families told us" for the board."""

from __future__ import annotations

import streamlit as st

from analysis import families, story
from ui import glossed, workshop
from ui.data import area_names
from ui.story import views

area = st.session_state["area"]
name = area_names()[area]
glossed.title(f"The story of SEND in {name}")
if not workshop.active():  # on a projector the first card goes straight under the title
    glossed.markdown(
        "The questions families ask, one at a time: each card shows one figure for this area "
        "beside similar areas and England, says what it does not tell us, and keeps what the "
        "room says about it."
    )
    glossed.caption(
        "For a workshop, start workshop mode in the sidebar (or add ?mode=workshop to the "
        "link): large type, small numbers hidden, nothing that can be changed or deleted."
    )
saved = views.saved_cards()
views.choose_cards(saved)
cards = story.story(saved)
index = views.navigator(len(cards) + 1)  # the workspace's own survey is the last card
if index < len(cards):
    card_id, shown = cards[index].id, views.card_view(cards[index], area).as_record()
else:
    card_id, shown = families.CARD_ID, views.families_card(area)
st.divider()
views.room(card_id, area, shown)
st.divider()
views.documents(area, name)
