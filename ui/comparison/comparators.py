"""The Benchmarking page's comparator sets: the picker, the user's own set and the "Choose
comparators" tab (DfE's neighbours, a hand-picked set, computed nearest neighbours).

The comparator set a user builds lives only in their session
(``st.session_state["bench.comparators"]``); shared caches see it only as a tuple of public LA
codes in a key.
"""

from __future__ import annotations

import streamlit as st

import indicators
from analysis import benchmark_frames as bf
from analysis import neighbours as nb
from ui import glossed, visual
from ui.comparison.data import comparator_sets, indicator_choices, nearest
from ui.data import area_names, current_las
from ui.plain import md
from ui.tables import show_table

CHOSEN = "bench.comparators"  # {"name", "codes", "area"}: the user's own set
COMPUTED = "Computed nearest neighbours"
DEFAULT_VARIABLES = ("ehc_plans_rate", "sen_support_pct", "sen_ehc_pct", "ehc_special_pct")
MODEL_WORDS = {"2025": "May 2025", "2021": "April 2021"}


# --- Picker ----------------------------------------------------------------------------------


def own_set(area: str) -> tuple[str, tuple[str, ...]] | None:
    """The user's own set from this session, if it applies to ``area``."""
    chosen = st.session_state.get(CHOSEN)
    if not chosen or chosen.get("area") not in (None, area):
        return None
    codes = tuple(c for c in chosen["codes"] if c != area)
    return (chosen["name"], codes) if codes else None


def pick_comparators(area: str) -> tuple[str, list[str], str]:
    """DfE model and comparator set; returns (set label, LA codes, DfE model)."""
    set_col, model_col = st.columns([3, 2])
    model = model_col.radio(
        "DfE statistical neighbour model",
        list(MODEL_WORDS),
        format_func=MODEL_WORDS.get,
        key="bench.model",
        horizontal=True,
        persist_state="session",
        help="DfE's May 2025 model is the default; April 2021 is the one before it.",
    )
    custom = own_set(area)
    sets = comparator_sets(area, model, custom)
    options = list(sets)
    if "bench.set" not in st.session_state and custom:
        st.session_state["bench.set"] = custom[0]
    label = set_col.selectbox(
        "Compare with",
        options,
        key="bench.set",
        persist_state="session",
        help="Statistical neighbours are the ten councils DfE judges most like "
        "this one. 'Choose comparators' below builds your own set.",
    )
    codes = sets[label]
    names = area_names()
    own = own_set_words(area, names) + " " if custom and label == custom[0] else ""
    if not codes:
        st.warning(f"This set has no councils for {names[area]}; choose another set.")
    elif len(codes) <= 20:
        glossed.caption(
            f"{own}Comparing with {len(codes)} councils: "
            + ", ".join(names[c] for c in codes)
            + "."
        )
    else:
        glossed.caption(f"{own}Comparing with {len(codes)} councils.")
    return label, codes, model


def own_set_words(area: str, names: dict[str, str]) -> str:
    """Says that the comparators are the user's own pick, and when they were picked beside
    another area, so a set never follows someone to a new area unannounced."""
    chosen = st.session_state[CHOSEN]
    words = f"'{md(chosen['name'])}' is your own set of councils, not DfE's statistical neighbours."
    made_for = chosen.get("made_for")
    if made_for and made_for != area:
        words += (
            f" You made it while looking at {names.get(made_for, made_for)}; it is used for "
            f"{names[area]} too"
            + (f", without {names[area]} itself." if area in chosen["codes"] else ".")
            + " 'Stop using my set' under 'Choose comparators' goes back to DfE's neighbours."
        )
    return words


# --- Choose comparators ----------------------------------------------------------------------


def _use(name: str, codes: list[str], area: str | None, made_for: str) -> None:
    """``area`` None makes a set for any area; ``made_for`` is the area it was made beside."""
    st.session_state[CHOSEN] = {
        "name": name,
        "codes": list(codes),
        "area": area,
        "made_for": made_for,
    }
    st.session_state["bench.set"] = name


def _forget(default: str) -> None:
    st.session_state.pop(CHOSEN, None)
    st.session_state["bench.set"] = default


def choose_view(area: str, model: str) -> None:
    names = area_names()
    las = current_las()
    regions = dict(zip(las["la_code"], las["region_name"]))
    glossed.subheader(
        f"DfE's statistical neighbours for {names[area]} ({MODEL_WORDS[model]} model)"
    )
    glossed.caption(
        "DfE's ten councils most like this one on socio-economic characteristics, closest first. "
        "Closeness runs from 'Extremely close' through 'Very close', 'Close' and 'Somewhat close' to "
        "'Not close'. Switch model with the 'DfE statistical neighbour model' choice above."
    )
    dfe = nb.neighbour_table(area, model)[
        ["rank", "name", "closeness", "region", "note", "area_code"]
    ].rename(
        columns={
            "rank": "Rank",
            "area_code": "Code",
            "name": "Local authority",
            "region": "Region",
            "closeness": "Closeness",
            "note": "Note",
        }
    )
    show_table(dfe, key="bench.dfe.table")

    chosen = st.session_state.get(CHOSEN)
    if chosen:
        applies = chosen.get("area") in (None, area)
        st.success(
            f"Your set '{chosen['name']}' ({len(chosen['codes'])} councils) is "
            + (
                "available under 'Compare with' above."
                if applies
                else f"kept for {names.get(chosen['area'], chosen['area'])} only."
            )
        )
        st.button(
            "Stop using my set", key="bench.forget", on_click=_forget, args=(nb.sn_label(model),)
        )

    glossed.subheader("Your own set of councils")
    glossed.caption(
        "For example a regional benchmarking group. It is kept while you use SEND Lens in this "
        "browser tab, for any area you choose, and is not shared with anyone."
    )
    others = [c for c in las["la_code"] if c != area]
    kept = [
        c
        for c in (chosen or {}).get("codes", [])
        if c in others and (chosen or {}).get("area") is None
    ]
    picked = st.multiselect(
        "Councils",
        others,
        default=kept,
        format_func=lambda c: f"{names[c]} ({regions[c]})",
        key="bench.custom.members",
    )
    name = st.text_input(
        "Name of the set", value="My benchmarking group", key="bench.custom.name", max_chars=60
    )
    name = name.strip() or "My benchmarking group"
    if name in (nb.SAME_REGION, nb.REGION, nb.ENGLAND_SET, COMPUTED) or name.startswith(
        "Statistical neighbours"
    ):
        name += " (own set)"
    st.button(
        "Use these as comparators",
        key="bench.custom.use",
        on_click=_use,
        args=(name, picked, None, area),
        disabled=not picked,
        type="primary",
    )

    nearest_view(area, model, names, regions)


def nearest_view(area: str, model: str, names: dict[str, str], regions: dict[str, str]) -> None:
    glossed.subheader("Nearest neighbours computed from the indicators you choose")
    glossed.caption(
        "Each indicator is standardised across councils (z-scores) and weighted as you set; the "
        "councils nearest in weighted distance come first. A distance of 0 would be identical."
    )
    options = [i for i in indicator_choices(area, "") if indicators.get(i).unit != "count"]
    defaults = [i for i in DEFAULT_VARIABLES if i in options]
    variables = st.multiselect(
        "Indicators to measure closeness by",
        options,
        default=defaults,
        format_func=lambda i: indicators.get(i).title,
        key="bench.nn.variables",
    )
    if not variables:
        st.info("Choose at least one indicator.")
        return
    weights = {}
    columns = st.columns(min(3, len(variables)))
    for i, ind_id in enumerate(variables):
        weights[ind_id] = columns[i % len(columns)].slider(
            f"Weight: {indicators.get(ind_id).title}",
            0.0,
            5.0,
            1.0,
            0.5,
            key=f"bench.nn.weight.{ind_id}",
        )
    k = st.slider("How many neighbours", 3, 20, 10, key="bench.nn.k")
    try:
        result, dropped, used, compared = nearest(area, tuple(sorted(weights.items())), k)
    except ValueError as error:
        st.warning(f"These indicators cannot place {names[area]}: {error}.")
        return
    table = bf.nearest_table(result, names, regions, nb.statistical_neighbours(area, model))
    show_table(table, "score", key="bench.nn.table")  # distances near 1: two places
    periods_used = "; ".join(
        f"{indicators.get(i).title}: {visual.period_words(i, p)}" for i, p in used.items()
    )
    glossed.caption(
        f"Compared across {compared} councils with every chosen indicator ({periods_used}). "
        f"{len(dropped)} councils lack one of them and were left out."
    )
    st.button(
        "Use these as comparators",
        key="bench.nn.use",
        on_click=_use,
        type="primary",
        args=(COMPUTED, result["area_code"].tolist(), area, area),
    )
