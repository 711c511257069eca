"""The sidebar's workspace choice and who is signed in, with their role there; the sign-in
is audited once per session."""

from __future__ import annotations

import streamlit as st

from ui import glossed, local
from ui.identity import current_user

SIGNED_IN_KEY = "identity.audited"


def audit_sign_in() -> None:
    """Record a signed-in person's arrival once per session (the local user never signs in)."""
    user = current_user()
    if user.local or st.session_state.get(SIGNED_IN_KEY) == user.email:
        return
    try:
        local.store().record_event(user, "sign_in", None)
    except local.STORE_PROBLEMS:
        return  # the sidebar says the store is unavailable; recorded once it is back
    st.session_state[SIGNED_IN_KEY] = user.email


def workspace_picker() -> None:
    """Let a member of several workspaces choose one; say who they are and their role."""
    audit_sign_in()
    mine = local.workspaces()
    user = current_user()
    if not mine:
        st.sidebar.warning(
            f"{user.label} is not a member of any workspace yet: national data only. "
            "Ask an admin to add you."
        )
        return
    names = {w.id: w.name for w in mine}
    if len(mine) > 1:
        if st.session_state.get(local.WORKSPACE_KEY) not in names:
            st.session_state[local.WORKSPACE_KEY] = mine[0].id
        st.sidebar.selectbox(
            "Workspace",
            list(names),
            format_func=names.get,
            key=local.WORKSPACE_KEY,
            on_change=local.forget_local_data,
            help="Your partnership's own data: uploads, commentary and examples belong to one "
            "workspace and only its members see them.",
        )
    glossed.caption(
        f"{user.label} · {local.role() or 'no role'} in {names[local.workspace()]}",
        where=st.sidebar,
    )


def is_admin() -> bool:
    """Whether the person is an admin of at least one workspace (the Admin page shows then)."""
    return any(w.role == "admin" for w in local.workspaces())
