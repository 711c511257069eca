"""The pieces of the Data page: upload and check, loaded datasets, the register, refresh."""

from __future__ import annotations

import hashlib
import re
from functools import partial

import pandas as pd
import streamlit as st

from data_loaders.build import findings_report
from data_loaders.register import national_register
from store.access import Action
from store.datasets import RECORD_LEVEL_KINDS, Store
from ui import glossed, local
from ui.data import national_table
from ui.plain import md
from ui.tables import show_as_uploaded, show_table
from uploads import isolated
from uploads.intake import KINDS, UploadError
from uploads.isolated import list_sheets, read_upload  # a child process with limits

MAX_PREVIEW_ROWS = 20


def upload_section() -> None:
    isolated.warm_up()
    kind = st.selectbox(
        "What are you uploading?",
        list(KINDS),
        format_func=lambda k: KINDS[k].title,
        key="data.kind",
    )
    schema = KINDS[kind]
    glossed.markdown(schema.description)
    st.download_button(
        f"Download the {schema.title.lower()} template (XLSX)",
        # Made when pressed, not on every run: building it imports openpyxl (~12 MB kept by
        # the server) and writes a workbook that most visits never download.
        partial(_template, kind),
        file_name=f"send_lens_template_{kind}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"data.template.{kind}",
    )
    if not local.can(Action.WRITE):
        st.info(
            "Uploading needs the analyst role in this workspace: you can read its data and "
            "download templates. Ask one of the workspace's admins if you need to upload."
        )
        return
    upload = st.file_uploader(
        "Upload a filled template or your own export (XLSX, CSV or ODS)",
        type=["xlsx", "csv", "ods", "xls", "xlsm"],
        key=f"data.file.{kind}",
        help="Names, addresses and postcodes are never kept. Child identifiers are replaced "
        "by a keyed code as the file is read.",
    )
    if upload is None:
        return
    if kind in RECORD_LEVEL_KINDS and not local.key_ready():
        return
    data = upload.getvalue()
    sheet = _pick_sheet(data, upload.name, kind)
    if sheet is False:
        return
    try:
        frame = read_upload(data, upload.name, kind, sheet=sheet or None)
    except UploadError as err:
        _show_problems(err)
        return
    _show_understood(frame, kind)
    _save_form(frame, kind, upload.name, data)


def _template(kind: str) -> bytes:
    from uploads.templates import template_xlsx

    return template_xlsx(kind)


def _pick_sheet(data: bytes, filename: str, kind: str) -> str | bool | None:
    try:
        sheets = list_sheets(data, filename)
    except UploadError as err:
        _show_problems(err)
        return False
    if len(sheets) <= 1:
        return None
    # By default the reader finds the sheet whose headings match (a template's "Data" sheet,
    # not its instructions); the user can still name one.
    automatic = "Find the data sheet for me"
    chosen = st.selectbox(
        "Which sheet holds the data?", [automatic, *sheets], key=f"data.sheet.{kind}"
    )
    return None if chosen == automatic else chosen


def _show_problems(err: UploadError) -> None:
    if len(err.problems) == 1 and err.problems[0].row is None and not err.problems[0].column:
        # One problem with the whole file (too big, hidden data, unsafe): the message is
        # the whole answer, so it is shown in full rather than cut short in a table cell.
        st.error(
            "This file was not stored. "
            + _plain(err.problems[0].message)
            + " Nothing already stored has changed."
        )
        return
    problems = pd.DataFrame(
        [
            {
                "Sheet": p.sheet,
                "Row": "" if p.row is None else str(p.row),
                "Column": p.column,
                "Value": p.value,
                "What is wrong": p.message,
            }
            for p in err.problems
        ]
    )
    count = len(problems)
    st.error(
        f"This file was not stored: {count} problem{'s' if count != 1 else ''} to fix. "
        "Fix them in your spreadsheet and upload it again; nothing already stored has changed."
    )
    show_table(problems, missing="")  # a problem with no row is the sheet's


def _plain(text: str) -> str:
    """Text shown as it is, never as Markdown: a message can quote a sheet's name."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", text)


def _show_understood(frame: pd.DataFrame, kind: str) -> None:
    skipped = frame.attrs.get("example_rows_skipped", 0)
    note = " The template's example row was ignored." if skipped else ""
    if frame.attrs.get("encoding") == "Windows-1252":
        # Decided for the whole file, never byte by byte: say so, in case it is wrong.
        note += (
            " Its text was read as Windows-1252 (what Excel on Windows saves as CSV); check "
            "that accented letters and £ signs look right below."
        )
    st.success(
        f"Read {len(frame):,} rows from sheet '{md(frame.attrs.get('sheet', ''))}' with no problems.{note}"
    )
    with st.expander(
        "What SEND Lens understood (first rows)", expanded=kind not in RECORD_LEVEL_KINDS
    ):
        glossed.caption(
            "Child identifiers are already replaced by codes; dates of birth by age and year group."
        )
        show_as_uploaded(frame.head(MAX_PREVIEW_ROWS))


def _save_form(frame: pd.DataFrame, kind: str, filename: str, data: bytes) -> None:
    with st.form(f"data.save.{kind}"):
        name = st.text_input(
            "Name this dataset",
            value=filename.rsplit(".", 1)[0],
            help="Uploading again under the same name adds a new version; older versions are kept.",
        )
        saved = st.form_submit_button("Save to SEND Lens", type="primary")
    if not saved:
        return
    if not name.strip():
        st.error("Give the dataset a name before saving.")
        return
    with local.store_action("save this file"):
        info = local.store().save_version(
            kind,
            name.strip(),
            frame,
            file_name=filename,
            file_sha256=hashlib.sha256(data).hexdigest(),
            source_rows=len(frame),
            **local.scope(),
        )
        local.forget_local_data()
        if info.duplicate:
            st.info(
                f"This file is already stored as version {info.version} of '{md(info.name)}'; "
                "nothing changed."
            )
        else:
            st.success(
                f"Saved as version {info.version} of '{md(info.name)}' ({info.row_count:,} rows)."
            )


def loaded_section() -> None:
    try:
        s = local.store()
    except local.STORE_PROBLEMS as err:
        st.error(f"Your area's own data cannot be shown. {err}")
        return
    for note in s.notices:
        st.info(f"The store's files are now readable by you only: {note}")
    with local.store_action("read the stored datasets"):
        _loaded(s)


def _loaded(s: Store) -> None:
    datasets = local.datasets()
    if datasets.empty:
        st.info("No local data loaded yet. Upload a file above, or load the example data.")
        return
    shown = datasets.assign(
        kind=datasets["kind"].map(lambda k: KINDS[k].title if k in KINDS else k)
    )
    show_table(
        shown[
            [
                "name",
                "kind",
                "active_version",
                "versions",
                "rows",
                "period_from",
                "period_to",
                "uploaded_by",
                "uploaded_at",
            ]
        ].rename(columns=_HEADINGS),
    )
    labels = dict(zip(datasets["dataset_id"], datasets["name"] + " (" + shown["kind"] + ")"))
    chosen = st.selectbox("Dataset", list(labels), format_func=labels.get, key="data.dataset")
    versions = s.list_versions(chosen, **local.scope())
    # The first 8 characters of the key fingerprint tell versions made with other keys apart.
    versions["key"] = versions["key_fingerprint"].map(lambda fp: fp[:8] if fp else "")
    show_table(
        versions[
            ["version", "active", "created_at", "created_by", "file_name", "row_count", "key"]
        ].rename(columns=_HEADINGS),
    )
    if not local.can(Action.DELETE):
        glossed.caption("Rolling back and deleting need the admin role in this workspace.")
        return
    _change_section(s, chosen, versions, labels[chosen])


def _change_section(s: Store, chosen: int, versions: pd.DataFrame, label: str) -> None:
    """Roll back or delete: admins only (the store checks the role again)."""
    col_roll, col_delete = st.columns(2)
    with col_roll:
        target = st.selectbox(
            "Make this version the one in use",
            versions["version"].tolist(),
            key="data.rollback_version",
        )
        if st.button("Use this version", key="data.rollback"):
            with local.store_action(f"make version {target} the one in use"):
                s.rollback(chosen, int(target), **local.scope())
                local.forget_local_data()
                st.success(f"Version {target} is now in use. All versions are kept.")
    with col_delete:
        confirm = st.checkbox(
            "I want to delete this dataset and all its versions", key="data.confirm_delete"
        )
        if st.button("Delete dataset", disabled=not confirm, key="data.delete"):
            with local.store_action(f"delete '{label}'"):
                removed = s.delete_dataset(chosen, **local.scope())
                local.forget_local_data()
                st.success(f"Deleted '{md(label)}' and its {removed} version(s).")


_HEADINGS = {
    "name": "Name",
    "kind": "Kind",
    "active_version": "Version in use",
    "versions": "Versions",
    "rows": "Rows",
    "period_from": "From",
    "period_to": "To",
    "uploaded_by": "Uploaded by",
    "uploaded_at": "Uploaded (UTC)",
    "version": "Version",
    "active": "In use",
    "created_at": "Saved (UTC)",
    "created_by": "Saved by",
    "file_name": "File",
    "row_count": "Rows",
    "key": "Pseudonymisation key",
}


def register_section() -> None:
    glossed.markdown("**National data** shipped with SEND Lens or fetched by the refresh command.")
    show_table(_national_register())
    _publisher_errors()
    glossed.markdown("**Local data** uploaded by your area.")
    local_reg = local.register()
    if local_reg.empty:
        glossed.caption("None yet.")
    else:
        show_table(local_reg.drop(columns=["record_level"]))


def national_tables() -> None:
    """The register of national sources and the publisher errors set aside, worked out for
    the process (published data only, so ``ui.warm_pages`` does it ahead of a visit)."""
    _national_register()
    _findings_report()


# Published data, fixed for the life of the process like the national table they describe:
# grouping its 200,000 rows by source and reading the findings again were 85-90% of every
# Data page run (py-spy, 2026-12-03).
@st.cache_data(max_entries=1, show_spinner=False)
def _national_register() -> pd.DataFrame:
    return national_register(national_table()).drop(columns="key")


@st.cache_data(max_entries=1, show_spinner=False)
def _findings_report() -> pd.DataFrame:
    return findings_report()


def _publisher_errors() -> None:
    glossed.markdown("**Publisher errors set aside**")
    glossed.caption(
        "Published figures that cannot be right (a council given its whole region's total, "
        "councils adding up to more than England, a tenfold jump in a year) are shown as "
        "missing or taken from DfE's older file, and percentages that disagree with their own "
        "counts are noted; each is listed here with the reason."
    )
    report = _findings_report()
    if report.empty:
        glossed.caption("None found.")
    else:
        show_table(report)
