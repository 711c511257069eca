"""Example data (synthetic) that a user can load with one click to see a page working.

The files are made by ``scripts/make_demo_data.py`` and ``scripts/make_demo_outcomes.py``
for Bradford's wards and schools. They are stored like any upload, in the workspace in use,
under names that start with ``EXAMPLE_PREFIX``, so every page can label them and the Data page
can remove them. A colleague in another workspace never sees them, and removing them removes
only this workspace's copy. Loading needs the analyst role and removing the admin role (the
store checks both).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

from geography.areas import region_of
from ui import local
from ui.data import area_names
from uploads.intake import UploadError, read_upload

DEMO = Path(__file__).resolve().parent.parent / "data/demo"
EXAMPLE_PREFIX = "Example data (synthetic)"
GOVERNANCE_EXAMPLES = (
    ("ehc_tracker", "demo_ehc_tracker.csv", f"{EXAMPLE_PREFIX}: EHC needs assessment tracker"),
    ("kpi_return", "demo_kpi_return.csv", f"{EXAMPLE_PREFIX}: monthly KPI return"),
)
EXAMPLE_AREA = "E08000032"  # the example files use Bradford's wards and schools
EXAMPLE_WARNING = (
    "**Example data (synthetic).** The tracker and KPI figures below are made up by SEND Lens "
    "to show how the page works. They are not {name}'s real figures. Remove them under "
    "*Your area's own data* when you load your own."
)
OUTCOMES_EXAMPLE_WARNING = (
    "**Example data (synthetic).** The outcomes below are made up by SEND Lens, for invented "
    "children, to show how the page works. They are not {name}'s real figures. Remove them on "
    "the Data page when you load your own."
)
OUTCOMES_EXAMPLE_ELSEWHERE = (
    "The example data (synthetic) loaded in this workspace is for {example}'s wards and schools, "
    "so it is shown on {example}'s page only, not as {name}'s figures."
)

MAP_EXAMPLES = (
    (
        "ehc_tracker",
        "demo_ehc_tracker.csv",
        "Example data (synthetic): EHC needs assessment tracker",
    ),
    (
        "kpi_return",
        "demo_kpi_return_areas.csv",
        "Example data (synthetic): KPI return by ward, locality and school",
    ),
    (
        "locality_lookup",
        "demo_locality_lookup.csv",
        "Example data (synthetic): ward to locality lookup",
    ),
)


def is_example(name: str) -> bool:
    return str(name).startswith(EXAMPLE_PREFIX)


def load_examples(
    examples: tuple[tuple[str, str, str], ...] = GOVERNANCE_EXAMPLES, flash: str = "gov.flash"
) -> None:
    """Button callback: store the example files as uploads, and show the example's area."""
    scope = local.scope()
    with local.store_action("load the example data", flash=flash):
        s = local.store()
        local.checked_key()  # the examples hold child ids: never hash them with a new key
        for kind, file_name, name in examples:
            data = (DEMO / file_name).read_bytes()
            try:
                frame = read_upload(data, file_name, kind)
            except UploadError as err:  # the shipped files are checked by tests; say if one breaks
                st.session_state[flash] = ("error", f"The example data could not be loaded: {err}")
                return
            s.save_version(
                kind,
                name,
                frame,
                file_name=file_name,
                file_sha256=hashlib.sha256(data).hexdigest(),
                source_rows=len(frame),
                **scope,
            )
        local.forget_local_data()
        switch_area(EXAMPLE_AREA)
        st.session_state[flash] = ("success", "Loaded the example data (synthetic) for Bradford.")


def remove_examples() -> None:
    """Button callback: delete this workspace's example datasets (others keep theirs)."""
    scope = local.scope()
    try:
        with local.store_action("remove all the example data", flash="gov.flash"):
            s = local.store()
            listed = s.list_datasets(**scope)
            for dataset_id in listed.loc[listed["name"].map(is_example), "dataset_id"]:
                s.delete_dataset(int(dataset_id), **scope)
            st.session_state["gov.flash"] = ("success", "Removed the example data.")
    finally:
        local.forget_local_data()  # some may have gone before a refusal


def switch_area(code: str) -> None:
    st.session_state["area.la"] = code
    st.session_state["area.region"] = region_of(code)


def switch_button(code: str, key: str) -> None:
    st.button(f"Show {area_names()[code]}", key=key, on_click=switch_area, args=(code,))
