"""The Outcomes page's data: frameworks, the area's returns, the example, and uploads.

Returns are child-level: they are read from the store into this session's state only
(keyed by the store's list of active versions, as ``ui.local`` does), never a shared cache.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import partial

import pandas as pd
import streamlit as st

from store import frameworks as framework_store
from store.access import Action, PermissionDenied
from store.datasets import Store
from ui import glossed, local
from ui.examples import DEMO, EXAMPLE_AREA, EXAMPLE_PREFIX, is_example
from ui.plain import md
from ui.tables import show_table
from uploads import isolated
from uploads.frameworks import Framework
from uploads.intake import read_upload
from uploads.outcomes_returns import KIND, read_returns, template_xlsx
from uploads.readers import UploadError

PENDING = "outcomes.framework.pending"
MESSAGE = "outcomes.framework.message"


def frameworks() -> dict[str, Framework]:
    found, problems = framework_store.all_frameworks(local.readable_store(), **local.scope())
    for problem in problems:
        st.warning(problem)
    return found


def pick_framework(found: dict[str, Framework]) -> Framework:
    if st.session_state.get(PENDING) in found:  # set by an upload's callback, before this widget
        st.session_state["outcomes.framework"] = st.session_state.pop(PENDING)
    chosen = st.selectbox(
        "Outcomes framework",
        list(found),
        key="outcomes.framework",
        format_func=lambda k: found[k].name + ("" if found[k].shipped else " (uploaded)"),
        help="The outcomes, progress scale and pupil voice questions the returns are read with.",
    )
    return found[chosen]


@dataclass(frozen=True)
class Loaded:
    """The returns and cohort extract an area's page shows, and where the example stands.

    ``example`` is "shown" when the example's returns are among ``returns`` (the page must
    label them), "elsewhere" when they are loaded but belong to another area (``EXAMPLE_AREA``:
    the files use its wards and schools), "" when none is loaded.
    """

    returns: pd.DataFrame
    cohort: pd.DataFrame | None
    example: str


def loaded(area: str) -> Loaded:
    """Every active outcomes return (all frameworks) and cohort extract, for this session;
    the example's only on the example's own area."""
    s = local.readable_store()
    datasets = local.datasets()
    mine = datasets[datasets["kind"].isin([KIND, "cohort"])]
    if mine.empty:
        return Loaded(pd.DataFrame(), None, "")
    unlinkable = local.linkable(mine)
    if unlinkable:
        # Linked anyway, no child would match: the page would show nobody known to social care.
        st.error(f"The returns and the agency extracts are not linked. {unlinkable}")
        mine = mine[mine["kind"] == KIND]
    key = (local.fingerprint(mine), local.workspace(), not unlinkable)
    frames = local.session_cached(
        "outcomes.loaded", key, lambda: _read_active(s, linked=not unlinkable)
    )
    example = ""
    if frames[(KIND, True)] or frames[("cohort", True)]:
        example = "shown" if area == EXAMPLE_AREA else "elsewhere"
    with_example = example == "shown"
    returns = _concat(frames[(KIND, False)] + (frames[(KIND, True)] if with_example else []))
    cohort = _concat(frames[("cohort", False)] + (frames[("cohort", True)] if with_example else []))
    return Loaded(pd.DataFrame() if returns is None else returns, cohort, example)


def _read_active(s: Store, linked: bool = True) -> dict[tuple[str, bool], list[pd.DataFrame]]:
    """The active returns and (when they link) cohort extracts, by (kind, is the example)."""
    out: dict[tuple[str, bool], list[pd.DataFrame]] = {
        (kind, example): [] for kind in (KIND, "cohort") for example in (False, True)
    }
    for kind in (KIND, "cohort") if linked else (KIND,):
        for info, frame in s.load_active(kind, **local.scope()):
            out[(kind, is_example(info.name))].append(frame)
    return out


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame | None:
    return pd.concat(frames, ignore_index=True) if frames else None


def _save(kind: str, name: str, frame: pd.DataFrame, file_name: str, data: bytes) -> bool:
    """Keep an upload; a store or key refusal is raised for the caller's ``store_action``."""
    info = local.store().save_version(
        kind,
        name,
        frame,
        file_name=file_name,
        file_sha256=hashlib.sha256(data).hexdigest(),
        source_rows=len(frame),
        **local.scope(),
    )
    return not info.duplicate


def load_example(framework: Framework) -> None:
    """Read the framework's example return like any upload and keep it, with the example
    social care extract and surveys, under names that start "Example data (synthetic)"."""
    path = DEMO / f"demo_outcomes_{framework.id}.csv"
    if not path.exists():
        st.warning(f"There is no example return for the {md(framework.name)}.")
        return
    if not local.key_ready():
        return
    data = path.read_bytes()
    with local.store_action("load the example data"):
        try:
            _save(
                KIND,
                f"{EXAMPLE_PREFIX}: {framework.name} return",
                read_returns(data, path.name, framework),
                path.name,
                data,
            )
            for kind, file, name in (
                ("cohort", "demo_outcomes_cohort.csv", "social care extract"),
                ("survey", "demo_survey_outcomes.csv", "outcome surveys"),
            ):
                extra = (DEMO / file).read_bytes()
                _save(
                    kind, f"{EXAMPLE_PREFIX}: {name}", read_upload(extra, file, kind), file, extra
                )
        finally:
            local.forget_local_data()  # some may have been saved before a refusal
        st.success(
            f"Loaded the example return for the {md(framework.name)}: invented children, not "
            "real "
            "data. Delete it on the Data page when you load your own."
        )


def _framework_uploaded() -> None:
    """Callback: check and keep an uploaded framework, then choose it (runs before widgets)."""
    upload = st.session_state.get("outcomes.framework_file")
    if upload is None:
        return
    try:
        fw, info = framework_store.save_framework(
            local.store(), upload.getvalue(), upload.name, **local.scope()
        )
    except UploadError as err:
        st.session_state[MESSAGE] = ("error", err.problems)
        return
    except PermissionDenied as err:
        st.session_state[MESSAGE] = ("refused", f"Not allowed: {err}")
        return
    st.session_state[PENDING] = fw.id
    st.session_state[MESSAGE] = (
        "success",
        f"Framework '{md(fw.name)}' is saved (version {info.version}) and chosen.",
    )


def problems_table(problems: list) -> None:
    st.error(
        f"This file was not stored: {len(problems)} problem{'s' if len(problems) != 1 else ''} to fix."
    )
    show_table(
        pd.DataFrame(
            [
                {
                    "File or sheet": p.sheet,
                    "Row": p.row,
                    "Where": p.column,
                    "Value": p.value,
                    "What is wrong": p.message,
                }
                for p in problems
            ]
        ),
        missing="",  # a problem with no row or value is about the whole sheet
    )


PANEL = "outcomes.panel"


def data_panel(framework: Framework) -> None:
    """The box for loading returns, the example or a framework, written only when opened: its
    two file uploaders, button and download were most of what the page's first view sent the
    browser, for a box most visits leave closed."""
    panel = st.expander(
        "Load your returns, the example, or your own framework", key=PANEL, on_change="rerun"
    )
    if not panel.open:
        return
    with panel:
        glossed.markdown(
            f"**{md(framework.name)}.** {md(framework.description)}\n\n*Source:* {md(framework.source)}"
        )
        cols = st.columns(2)
        writer = local.can(Action.WRITE)
        if not writer:
            cols[0].info(
                "Loading returns, the example or a framework needs the analyst role in this "
                "workspace; ask one of its admins."
            )
        elif cols[0].button(
            "Load example data (synthetic)",
            key="outcomes.load_example",
            help="Invented returns for this framework, clearly labelled as example data.",
        ):
            load_example(framework)
        cols[1].download_button(
            "Download this framework's return template (XLSX)",
            # Made when pressed: building it imports openpyxl (~12 MB kept by the server) and
            # was 0.04-0.06 s of every run, for a button inside a closed expander (2026-12-03).
            partial(template_xlsx, framework),
            file_name=f"send_lens_outcomes_{framework.id}.xlsx",
            key=f"outcomes.template.{framework.id}",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        if not writer:
            return
        _returns_upload(framework)
        st.file_uploader(
            "Add your own framework (a TOML file like the shipped ones)",
            type=["toml", "txt"],
            key="outcomes.framework_file",
            on_change=_framework_uploaded,
            help="Copy a shipped file from data/frameworks/, change the words, and upload it.",
        )
        message = st.session_state.pop(MESSAGE, None)
        if message and message[0] == "error":
            problems_table(message[1])
        elif message and message[0] == "refused":
            st.error(message[1])
        elif message:
            st.success(message[1])


def _returns_upload(framework: Framework) -> None:
    upload = st.file_uploader(
        f"Upload annual review returns for the {md(framework.name)} (XLSX, CSV or ODS)",
        type=["xlsx", "csv", "ods"],
        key=f"outcomes.returns_file.{framework.id}",
        help="Child identifiers are replaced by a keyed code as the file is read.",
    )
    if upload is None or not local.key_ready():
        return
    data = upload.getvalue()
    try:
        frame = isolated.read_returns(data, upload.name, framework)  # limited child process
    except UploadError as err:
        problems_table(err.problems)
        return
    st.success(f"Read {len(frame):,} ratings and answers with no problems.")
    with st.form(f"outcomes.save.{framework.id}"):
        name = st.text_input(
            "Name this return", value=upload.name.rsplit(".", 1)[0], key="outcomes.save_name"
        )
        saved = st.form_submit_button("Save the return", type="primary")
    if saved and name.strip():
        with local.store_action("save the return"):
            try:
                new = _save(KIND, name.strip(), frame, upload.name, data)
            finally:
                local.forget_local_data()
            st.success("Saved." if new else "This file is already stored; nothing changed.")


@st.cache_data(max_entries=1)
def place_names() -> dict[str, str]:
    """School URN, ward code and primary need code to a name, for the breakdowns."""
    from data_loaders.register import DATA
    from geography.school_register import school_register
    from uploads.schemas import NEED_NAMES

    schools = school_register()
    wards = pd.read_csv(DATA / "geography/lookups/ward_la.csv", dtype=str)
    return (
        dict(zip(schools["urn"].astype(str), schools["name"]))
        | dict(zip(wards["ward_code"], wards["ward_name"]))
        | NEED_NAMES
    )
