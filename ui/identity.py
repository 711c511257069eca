"""Who is using this session: the signed-in person on a team instance, or the laptop's user.

Sign-in is Streamlit's own OpenID Connect support (``st.login``/``st.user``, which needs
Authlib), switched on by an ``[auth]`` section in ``.streamlit/secrets.toml``. Without one the
app is in local mode: one user, the server bound to 127.0.0.1 by ``.streamlit/config.toml``.
The gate in ``app.py`` calls :func:`signed_in` before any page runs.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from store.identity import User, local_user
from ui import glossed, workshop
from uploads.public import public_mode


class NotSignedInError(RuntimeError):
    """Raised instead of guessing who acts when sign-in is configured and nobody has signed in."""


class SecretsUnreadableError(RuntimeError):
    """A secrets file exists but cannot be read, so whether sign-in is required is unknown."""


def auth_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` (or ``--secrets.files``) has an ``[auth]`` section.

    Fails closed: a secrets file that exists but does not parse raises
    :class:`SecretsUnreadableError` rather than letting a typo switch a team server into local
    mode, where nobody signs in.
    """
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        if any(Path(path).exists() for path in st.get_option("secrets.files") or []):
            raise SecretsUnreadableError(
                "SEND Lens cannot read its secrets file (.streamlit/secrets.toml), so it does not "
                "know whether sign-in is required. Nothing is shown until an administrator fixes "
                "the file."
            ) from None
        return False


def current_user() -> User:
    """The person acting in this session.

    With sign-in configured this is always the identity the provider vouched for: nothing in
    session state can stand in for it. In local mode a ``User`` put in ``st.session_state["user"]``
    (how app tests act as a given person) wins over the laptop's account.

    In workshop mode the person acts with the ``workshop`` flag, which the store checks on
    every call (``store.access.WORKSHOP_ACTIONS``).
    """
    if auth_configured():
        user = _signed_in_user()
        if user is None:
            raise NotSignedInError("sign-in is required before anything is read or saved")
    else:
        chosen = st.session_state.get("user")
        user = chosen if isinstance(chosen, User) else local_user()
    return dataclasses.replace(user, workshop=True) if workshop.active() else user


def _signed_in_user() -> User | None:
    if not st.user.get("is_logged_in"):
        return None
    # Entra ID puts the address in ``email`` only when the optional claim is configured;
    # ``preferred_username`` is the sign-in name (usually the same address) otherwise.
    email = str(st.user.get("email") or st.user.get("preferred_username") or "").strip()
    if "@" not in email:
        return None
    return User(email=email, name=str(st.user.get("name") or ""))


def signed_in() -> bool:
    """The gate: True when pages may run (the sign-in itself is audited by
    ``ui.workspace_picker``, once per session)."""
    try:
        if not auth_configured():
            return True
    except SecretsUnreadableError:
        return False
    return _signed_in_user() is not None


def sign_in_page() -> None:
    """The only page an anonymous visitor can open: the app's name and why sign-in is needed."""
    glossed.title("SEND Lens")
    glossed.markdown(
        "A multi-agency picture of the local area's SEND system: needs, statutory duties and "
        "outcomes for children and young people with special educational needs and disabilities."
    )
    glossed.markdown(
        "This instance holds the partnership's own data, some of it about individual children, "
        "so you need to sign in with your organisation account. Nothing is shown until you do, "
        "and everything you upload, change or export is recorded under your name."
    )
    try:
        auth_configured()
    except SecretsUnreadableError as err:
        st.error(str(err), icon=":material/lock:")
        return
    if st.user.get("is_logged_in"):
        # Signed in at the provider, but it sent no e-mail address to act under.
        st.error(
            "Your organisation account did not give SEND Lens an e-mail address, so it cannot "
            "tell who you are. Ask your administrator to release the 'email' claim."
        )
        st.button("Sign out", key="identity.sign_out_no_email", on_click=st.logout)
        return
    st.button(
        "Sign in with your organisation account",
        key="identity.sign_in",
        type="primary",
        on_click=st.login,
    )


def sidebar() -> None:
    """Who is signed in and the way out; or, without sign-in, who can reach this server."""
    if auth_configured():
        user = current_user()
        who = f"{user.name} ({user.email})" if user.name else user.email
        st.sidebar.markdown("Signed in as")
        st.sidebar.text(who)  # plain text: a name from the provider is never read as Markdown
        st.sidebar.button("Sign out", key="identity.sign_out", on_click=st.logout)
    elif public_mode():
        glossed.caption(
            "Public instance: published national data only. Uploads and saved data are "
            "switched off.",
            where=st.sidebar,
        )
    elif _loopback(str(st.get_option("server.address") or "")):
        glossed.caption("Local mode: only this computer can open SEND Lens.", where=st.sidebar)
    else:
        st.sidebar.warning(
            "No sign-in is configured, but this server listens on the network: anyone who can "
            "reach it can use SEND Lens. See docs/DEPLOYMENT.md.",
            icon=":material/warning:",
        )


def _loopback(address: str) -> bool:
    """Only this computer can connect (an empty address means every interface)."""
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
