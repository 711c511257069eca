"""The Admin page's views. The store checks the admin role on every call; these views only
decide what to offer and turn a refusal into a clear message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from reports.format import csv_bytes
from store import admin as store_admin
from store import audit, workspaces
from store.access import ROLES, PermissionDenied, is_instance_admin
from store.actions import engine_of
from store.admin import Retention
from ui import glossed, local
from ui.identity import current_user
from ui.tables import show_table
from uploads import keys
from uploads.pseudonymise import PseudonymisationKeyError

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
    show_table(
        pd.DataFrame(
            {
                "Id": [w.id for w in mine],
                "Name": [w.name for w in mine],
                "Local authorities": [", ".join(w.la_codes) for w in mine],
            }
        ),
    )
    engine, user = engine_of(local.store()), current_user()
    names = {w.id: w for w in mine}
    chosen = st.selectbox(
        "Workspace to change", list(names), format_func=lambda i: names[i].name, key="admin.ws.edit"
    )
    with st.form("admin.workspace.edit"):
        glossed.markdown("**Rename the workspace or change its local authorities**")
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
        glossed.markdown("**New workspace** (you become its first admin)")
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
            "record-level views for data quality. admin: also delete, roll back, roles and "
            "the audit.",
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
    show_table(
        found.rename(
            columns={
                "email": "Email",
                "role": "Role",
                "granted_at": "Since (UTC)",
                "granted_by": "Granted by",
            }
        ),
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
    glossed.caption(f"{len(shown):,} entries. The audit cannot be edited, not even by an admin.")
    show_table(shown)
    st.download_button(
        "Download the audit (CSV)",
        csv_bytes(shown),
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
    """The instance-wide retention of old versions: shown to every admin, changed only by an
    instance admin (the store checks that itself)."""
    try:
        store = local.store()
        policy = store_admin.retention(store)
    except local.STORE_PROBLEMS as err:
        st.error(f"The retention setting cannot be read. {err}")
        return
    glossed.markdown(
        "Old versions of every dataset, in **every workspace**, are kept until the retention "
        "setting says otherwise. The version in use is never deleted. Changing the setting "
        "deletes nothing; applying it does, and both are audited."
    )
    glossed.caption(
        f"Now: keep the newest {policy.keep_versions or 'all'} version(s) of each dataset; "
        + (
            f"none older than {policy.max_age_days} days."
            if policy.max_age_days
            else "no age limit."
        )
    )
    if not is_instance_admin(current_user()):
        st.info("Only an admin named in SEND_LENS_ADMINS can change or apply it.")
        return
    with st.form("admin.retention.set"):
        keep = st.number_input(
            "Versions kept per dataset (0: all)",
            min_value=0,
            step=1,
            value=policy.keep_versions or 0,
            key="admin.retention.keep",
        )
        days = st.number_input(
            "Maximum age in days (0: no limit)",
            min_value=0,
            step=1,
            value=policy.max_age_days or 0,
            key="admin.retention.days",
        )
        if st.form_submit_button("Save the retention setting"):
            new = Retention(keep_versions=int(keep) or None, max_age_days=int(days) or None)
            with local.store_action("save the retention setting"):
                store_admin.set_retention(store, new, by=current_user())
                st.success("Saved. Nothing is deleted until the setting is applied.")
    sure = st.checkbox(
        "I want to delete, in every workspace, the old versions this setting does not keep",
        key="admin.retention.confirm",
    )
    if st.button("Apply the retention setting now", disabled=not sure, key="admin.retention.apply"):
        with local.store_action("apply the retention setting"):
            removed = store_admin.apply_retention(store, by=current_user())
            local.forget_local_data()
            st.success(f"Retention applied: {removed} old version(s) deleted.")


def key_section() -> None:
    """The pseudonymisation key's fingerprint, which datasets were made with which key, and
    how to rotate it (a command, so a long re-keying never runs inside a page)."""
    glossed.markdown(
        "Child identifiers are stored as keyed codes. The key is the instance's, shared by "
        "every workspace; its **fingerprint** identifies it without revealing it."
    )
    try:
        chain = keys.load_chain(create=False) if keys.key_present() else None
    except PseudonymisationKeyError as err:
        st.error(f"The key cannot be read. {err}")
        chain = None
    if chain is not None:
        rotated = f", rotated {len(chain.keys) - 1} time(s)" if len(chain.keys) > 1 else ""
        glossed.metric("Key fingerprint (first 8 characters)", chain.fingerprint[:8])
        glossed.caption(f"From {chain.source}{rotated}.")
    else:
        st.info("There is no key yet: it is made at the first child-level upload.")
    try:
        made_with = store_admin.key_fingerprints(local.store(), workspace=local.workspace())
    except local.STORE_PROBLEMS as err:
        st.error(f"The stored data cannot be read. {err}")
        return
    if made_with:
        show_table(
            pd.DataFrame(
                {
                    "Key": [(fp or "unknown")[:8] for fp in made_with],
                    "Datasets made with it": [", ".join(n) for n in made_with.values()],
                }
            ),
        )
    glossed.markdown(
        "**Rotating the key** re-keys every stored code in one transaction and adds a key to "
        "the key file, which must then be backed up. Only an admin named in SEND_LENS_ADMINS "
        "(or the local user on a laptop) can; it is audited. On the server, run:"
    )
    st.code(f"python -m store.rotate_key --by {current_user().email}", language=None)
