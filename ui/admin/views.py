"""The Admin page's views. The store checks the admin role on every call; these views only
decide what to offer and turn a refusal into a clear message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from reports.format import escape_for_spreadsheet
from store import audit, workspaces
from store.access import ROLES, PermissionDenied
from store.actions import engine_of
from ui import local
from ui.identity import current_user

REMOVE = "remove from the workspace"


def _admin_of() -> dict[str, str]:
    return {w.id: w.name for w in local.workspaces() if w.role == "admin"}


def _attempt(action: Callable[[], object], success: str) -> bool:
    """Run a store call; show what happened, or why it was refused."""
    try:
        action()
    except PermissionDenied as err:
        st.error(f"Not allowed: {err}")
        return False
    except ValueError as err:
        st.error(str(err).capitalize())
        return False
    local.forget_memberships()
    st.success(success)
    return True


def workspaces_section() -> None:
    mine = [w for w in local.workspaces() if w.role == "admin"]
    st.dataframe(
        pd.DataFrame(
            {
                "Id": [w.id for w in mine],
                "Name": [w.name for w in mine],
                "Local authorities": [", ".join(w.la_codes) for w in mine],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    engine, user = engine_of(local.store()), current_user()
    names = {w.id: w for w in mine}
    chosen = st.selectbox(
        "Workspace to change", list(names), format_func=lambda i: names[i].name, key="admin.ws.edit"
    )
    with st.form("admin.workspace.edit"):
        st.markdown("**Rename the workspace or change its local authorities**")
        # Keyed by the workspace, so the fields start from the chosen one's current values.
        name = st.text_input("Name", value=names[chosen].name, key=f"admin.ws.name.{chosen}")
        codes = st.text_input(
            "LA codes, comma-separated (like E08000032)",
            value=", ".join(names[chosen].la_codes),
            key=f"admin.ws.codes.{chosen}",
        )
        if st.form_submit_button("Save the workspace"):
            _attempt(
                lambda: workspaces.update_workspace(engine, user, chosen, name, codes.split(",")),
                "Saved.",
            )
    with st.form("admin.workspace.new"):
        st.markdown("**New workspace** (you become its first admin)")
        new_id = st.text_input("Short id (lower-case letters, digits, hyphens)", key="admin.ws.id")
        new_name = st.text_input("Name", key="admin.ws.name")
        new_codes = st.text_input("LA codes, comma-separated", key="admin.ws.new_codes")
        if st.form_submit_button("Create the workspace"):
            _attempt(
                lambda: workspaces.create_workspace(
                    engine, user, new_id, new_name, new_codes.split(",")
                ),
                f"Created workspace '{new_name}'.",
            )


def members_section() -> None:
    admin_of = _admin_of()
    chosen = st.selectbox(
        "Workspace", list(admin_of), format_func=admin_of.get, key="admin.members.ws"
    )
    engine, user = engine_of(local.store()), current_user()
    with st.form("admin.members.set"):
        email = st.text_input("Email", key="admin.members.email")
        role = st.selectbox(
            "Role",
            [*ROLES, REMOVE],
            key="admin.members.role",
            help="viewer: protected aggregates only. analyst: also uploads, commentary and "
            "record-level views for data quality. admin: also delete, roll back, roles, "
            "key and retention.",
        )
        if st.form_submit_button("Set the role"):
            _attempt(
                lambda: workspaces.set_role(
                    engine, user, chosen, email, None if role == REMOVE else role
                ),
                f"{email.strip().lower()}: {role} in {admin_of[chosen]}.",
            )
    try:
        found = workspaces.members(engine, user, chosen)
    except PermissionDenied as err:
        st.error(f"Not allowed: {err}")
        return
    st.dataframe(
        found.rename(
            columns={
                "email": "Email",
                "role": "Role",
                "granted_at": "Since (UTC)",
                "granted_by": "Granted by",
            }
        ),
        hide_index=True,
        width="stretch",
    )


def audit_section() -> None:
    admin_of = _admin_of()
    cols = st.columns(4)
    everyone = "all workspaces"
    chosen = cols[0].selectbox(
        "Workspace",
        [everyone, *admin_of],
        format_func=lambda w: admin_of.get(w, w),
        key="admin.audit.ws",
    )
    actor = cols[1].text_input("User (email)", key="admin.audit.user")
    action = cols[2].selectbox("Action", ["any", *audit.ACTIONS], key="admin.audit.action")
    today = dt.datetime.now(dt.UTC).date()
    period = cols[3].date_input(
        "Between", value=(today - dt.timedelta(days=30), today), key="admin.audit.dates"
    )
    since, until = _day_range(period)
    try:
        rows = audit.audit_rows(
            engine_of(local.store()),
            current_user(),
            workspace=None if chosen == everyone else chosen,
            actor=actor or None,
            action=None if action == "any" else action,
            since=since,
            until=until,
        )
    except PermissionDenied as err:
        st.error(f"Not allowed: {err}")
        return
    shown = rows.assign(detail=rows["detail"].map(lambda d: "" if d is None else str(d)))
    st.caption(f"{len(shown):,} entries. The audit cannot be edited, not even by an admin.")
    st.dataframe(shown, hide_index=True, width="stretch")
    st.download_button(
        "Download the audit (CSV)",
        escape_for_spreadsheet(shown).to_csv(index=False).encode("utf-8"),
        file_name="send_lens_audit.csv",
        mime="text/csv",
        key="admin.audit.download",
    )


def _day_range(period: object) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The chosen days as a UTC range [first day 00:00, day after the last 00:00)."""
    days = list(period) if isinstance(period, tuple | list) else [period]
    days = [d for d in days if isinstance(d, dt.date)]
    if not days:
        return None, None
    start = dt.datetime.combine(min(days), dt.time(), dt.UTC)
    end = dt.datetime.combine(max(days) + dt.timedelta(days=1), dt.time(), dt.UTC)
    return start, end


def retention_section() -> None:
    # Retention (versions kept, age) is added to the store by the store-hardening work; this
    # page applies it through Store.apply_retention once that exists (it audits itself).
    store = local.store()
    apply = getattr(store, "apply_retention", None)
    if apply is None:
        st.info("Retention is not available in this version of the store yet.")
        return
    admin_of = _admin_of()
    chosen = st.selectbox(
        "Workspace", list(admin_of), format_func=admin_of.get, key="admin.retention.ws"
    )
    if st.button("Apply the retention setting now", key="admin.retention.apply"):
        _attempt(lambda: apply(by=current_user(), workspace=chosen), "Retention applied.")
