"""Who is using the app: the signed-in person, or the laptop's one user in local mode.

The sign-in gate (``app.py``) puts the signed-in ``store.identity.User`` in
``st.session_state["user"]``; without sign-in configured the app is in local mode and the
user is ``store.identity.local_user()``. Every store operation is given this user, never the
server's operating-system account.
"""

from __future__ import annotations

import streamlit as st

from store.identity import User, local_user


def current_user() -> User:
    """The person acting in this session."""
    user = st.session_state.get("user")
    return user if isinstance(user, User) else local_user()
