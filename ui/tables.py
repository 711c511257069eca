"""Every table a reader sees goes through ``show_table``: figures written as ``indicators.units``
writes them and every gap saying why (``reports.format.for_reading``), so no cell on any page
reads "None", "nan" or "<NA>" and rounding is the same everywhere. Downloads are made from the
frame itself, not from what this shows, so they keep numbers as numbers."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from reports.format import for_reading
from tidy import status_words

# Why a figure that small-number protection hid is missing.
HIDDEN = status_words("protected")

# A blank cell of the user's own file: shown blank, as in their spreadsheet.
BLANK = ""


def show_table(
    frame: pd.DataFrame,
    unit: str | None = None,
    *,
    missing: str | pd.Series = "not available",
    static: bool = False,
    **options: Any,
) -> None:
    """``frame`` as a table for reading. ``unit`` is the unit of its figures (else the row's
    own "Unit" column, else counts and one decimal place); ``missing`` says why a gap is a gap
    (for every row, or a Series with a reason for each) where the table has no tidy status. ``static`` draws a plain table (its index
    shown) instead of the interactive one; ``options`` go to ``st.dataframe``."""
    shown = for_reading(frame, unit, missing)
    if static:
        st.table(shown)
        return
    options.setdefault("hide_index", True)
    options.setdefault("width", "stretch")
    st.dataframe(shown, **options)


def show_as_uploaded(frame: pd.DataFrame, **options: Any) -> None:
    """The user's own file as SEND Lens read it, numbers as they came, a blank cell blank."""
    shown = frame.copy()
    for col in shown.columns:
        if shown[col].isna().any():
            shown[col] = shown[col].astype(object).where(shown[col].notna(), BLANK)
    options.setdefault("hide_index", True)
    options.setdefault("width", "stretch")
    st.dataframe(shown, **options)
