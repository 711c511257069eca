"""The baseline: the smallest Streamlit page, for startup ratios."""

import streamlit as st

st.title("Bare page")
st.write("Nothing else.")
