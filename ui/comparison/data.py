"""The Benchmarking page's cached computations.

Keys are small (indicator, area, period, a tuple of public LA codes, a label) and the national
table is read inside, so shared caches never hold a user's session state, only codes.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import benchmark as bm
from analysis import benchmark_frames as bf
from analysis import neighbours as nb
from analysis.trend import TrendResult
from data_loaders import quality
from data_loaders.build import load_findings
from ui.data import area_names, national_table


@st.cache_data(max_entries=64, show_spinner=False)
def indicator_choices(area: str, lens: str) -> list[str]:
    return bf.indicators_with_data(national_table(), area, lens or None)


@st.cache_data(max_entries=128, show_spinner=False)
def periods(indicator_id: str, area: str) -> list[str]:
    return bf.area_periods(national_table(), indicator_id, area)


@st.cache_data(max_entries=64, show_spinner=False)
def comparator_sets(
    area: str, version: str, custom: tuple[str, tuple[str, ...]] | None
) -> dict[str, list[str]]:
    sets = nb.comparator_sets(area, version, dict([custom]) if custom else None)
    del sets[nb.sn_label("2021" if version == "2025" else "2025")]
    return sets


@st.cache_data(max_entries=256, show_spinner=False)
def comparison(
    indicator_id: str, area: str, period: str, codes: tuple[str, ...], label: str
) -> bm.ComparisonResult:
    return bm.compare(national_table(), indicator_id, area, period, codes, label)


@st.cache_data(max_entries=256, show_spinner=False)
def published_note(indicator_id: str, area: str, period: str) -> str:
    """Where DfE's published % disagreed with its counts: what it published and what is used."""
    return quality.published_note(load_findings(), indicator_id, area, period)


@st.cache_data(max_entries=256, show_spinner=False)
def set_aside_reason(indicator_id: str, area: str, period: str) -> str:
    """Why the plausibility checks set a published value aside, if they did."""
    return quality.set_aside_reason(load_findings(), indicator_id, area, period)


@st.cache_data(max_entries=128, show_spinner=False)
def trend_result(indicator_id: str, area: str) -> TrendResult:
    return bm.trend(national_table(), indicator_id, area)


@st.cache_data(max_entries=32, show_spinner="Comparing every indicator…")
def summary(area: str, codes: tuple[str, ...]) -> pd.DataFrame:
    return bm.area_summary(national_table(), area, codes)


@st.cache_data(max_entries=32, show_spinner=False)
def spine(area: str, codes: tuple[str, ...]) -> tuple[pd.DataFrame, dict[str, str]]:
    frame = bf.spine_frame(national_table(), summary(area, codes))
    return frame, dict(frame.attrs["left_out"])


@st.cache_data(max_entries=64, show_spinner=False)
def compare_rows(
    indicator_id: str, area: str, period: str, codes: tuple[str, ...], label: str
) -> pd.DataFrame:
    result = comparison(indicator_id, area, period, codes, label)
    return bf.compare_frame(national_table(), result, codes, label, area_names())


@st.cache_data(max_entries=64, show_spinner=False)
def trend_rows(indicator_id: str, area: str, codes: tuple[str, ...], label: str) -> pd.DataFrame:
    return bf.trend_frame(national_table(), indicator_id, area, codes, label, area_names())


@st.cache_data(max_entries=2, show_spinner=False)
def funnel_ids() -> list[str]:
    return bf.funnel_indicators(national_table())


@st.cache_data(max_entries=32, show_spinner=False)
def funnel(indicator_id: str, period: str, area: str, codes: tuple[str, ...]):
    return bf.funnel_frame(national_table(), indicator_id, period, area, codes, area_names())


@st.cache_data(max_entries=32, show_spinner="Finding the nearest councils…")
def nearest(area: str, weights: tuple[tuple[str, float], ...], k: int):
    result = nb.nearest_neighbours(national_table(), dict(weights), area=area, k=k)
    return result, result.attrs["dropped"], result.attrs["periods"], result.attrs["compared"]
