"""Data: upload the area's own spreadsheets, see what is loaded, and where every figure comes from."""

from __future__ import annotations

import streamlit as st

from ui import glossed
from ui.data_page import views as data_page

glossed.title("Data")
glossed.markdown(
    "Add your area's own data beside the national figures: download a template, fill it in "
    "(or use your own export with the same columns), and upload it. SEND Lens checks every "
    "row and tells you exactly what to fix. Nothing is stored until the whole file is right."
)

upload, loaded, register = st.tabs(["Upload", "Loaded data", "Data register"])
with upload:
    data_page.upload_section()
with loaded:
    data_page.loaded_section()
with register:
    data_page.register_section()
