"""The baseline for page switches: two one-line pages under ``st.navigation``."""

import streamlit as st


def first() -> None:
    st.title("First bare page")
    st.write("Nothing else.")


def second() -> None:
    st.title("Second bare page")
    st.write("Nothing else.")


st.navigation(
    [st.Page(first, title="First", url_path="first", default=True), st.Page(second, title="Second")]
).run()
