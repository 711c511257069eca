"""Reports: the documents a SEND partnership board, an inspection and an FOI request want:
the board pack (PDF or HTML), the data book (XLSX) and quick answers."""

from __future__ import annotations

import streamlit as st

from ui import glossed
from ui.data import area_names
from ui.reports import board_pack_view, databook_view, quick_answers

area = st.session_state["area"]
name = area_names()[area]
glossed.title(f"Reports: {name}")

pack, book, answers = st.tabs(
    ["Board pack", "Data book", "Quick answers"], key="reports.tab", on_change="rerun"
)
if pack.open:
    with pack:
        board_pack_view.board_pack_tab(area, name)
if book.open:
    with book:
        databook_view.render_databook(area)
if answers.open:
    with answers:
        quick_answers.render_quick_answers(area)
