"""A two-page app for ``benchmarks.element_costs``: a bare page, and a page of N copies of one
kind of element as SEND Lens pages use them (the kind and N read from the file named by
``SEND_LENS_ELEMENT_FILE`` on every run, so one server serves every kind)."""

import os
import pickle
from pathlib import Path

import streamlit as st


def bare() -> None:
    st.title("Bare page")


def _chart(spec: dict, i: int) -> None:
    st.vega_lite_chart(spec, width="stretch", key=f"chart{i}")


def _row(i: int) -> None:
    with st.container(horizontal=True, vertical_alignment="top", gap="medium"):
        st.expander("About this indicator", key=f"about{i}", on_change="rerun")
        st.download_button("Download CSV", b"a,b\n", file_name="x.csv", key=f"csv{i}")


KINDS = {
    "title only": lambda i: None,
    "trend chart (Vega-Lite)": None,  # drawn from the spec the benchmark passes
    "radio with help": lambda i: st.radio(
        "Show as", ["Chart", "Table"], key=f"r{i}", horizontal=True, help="Same figures."
    ),
    "selectbox": lambda i: st.selectbox("Indicator", ["a", "b", "c"], key=f"s{i}"),
    "metric with help": lambda i: st.metric("EHC plans", "7,493", "+5%", help="Help text"),
    "subheader": lambda i: st.subheader(f"A heading number {i}"),
    "expander + download row": _row,
    "caption": lambda i: st.caption(f"Figures from 2019 to 2024. Note {i}."),
    "markdown": lambda i: st.markdown(f"Some **words** about item {i}."),
}


def elements() -> None:
    kind, n, spec_file = Path(os.environ["SEND_LENS_ELEMENT_FILE"]).read_text().split("\t")
    st.title("Element page")
    spec = pickle.loads(Path(spec_file).read_bytes()) if kind.startswith("trend") else None
    for i in range(int(n)):
        if spec is not None:
            _chart(spec, i)
        else:
            KINDS[kind](i)


if __name__ == "__main__":  # as Streamlit runs it; benchmarks.element_costs imports KINDS
    st.navigation(
        [
            st.Page(bare, title="Bare", url_path="bare", default=True),
            st.Page(elements, title="Elements", url_path="elements"),
        ]
    ).run()
