"""Admin: workspaces, members and roles, the audit trail, retention and the key.

Only an admin of at least one workspace gets here, and every action is checked again by the
store (``store.workspaces``, ``store.audit``), so opening the page by its URL is refused too.
"""

from __future__ import annotations

import streamlit as st

from ui import glossed
from ui.admin import views
from ui.workspace_picker import is_admin

glossed.title("Admin")
if not is_admin():
    st.error("Not allowed: the Admin page is for admins of a workspace.")
    st.stop()
glossed.markdown(
    "Manage the workspaces you are an admin of: their names and local authorities, who may see "
    "or change their data, and the audit of everything done to it; the retention of old "
    "versions and the pseudonymisation key, which apply to every workspace."
)
workspaces_tab, members_tab, audit_tab, retention_tab, key_tab = st.tabs(
    ["Workspaces", "Members and roles", "Audit", "Retention", "Pseudonymisation key"]
)
with workspaces_tab:
    views.workspaces_section()
with members_tab:
    views.members_section()
with audit_tab:
    views.audit_section()
with retention_tab:
    views.retention_section()
with key_tab:
    views.key_section()
