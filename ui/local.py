"""The area's own data in the app: the store, the workspace in use, and local tidy rows.

Local data never goes into a cache shared between sessions: the store handle is a resource
(it holds a connection pool, no data), and what is read from it lives in this session's
state, refreshed whenever the store's list of active versions (or the workspace) changes.

Every store call is given the person (``ui.identity.current_user``) and the workspace chosen
in the sidebar (``scope()``); the store checks the role itself. A person who belongs to no
workspace sees national data only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy.pool import StaticPool

import tidy
from store import datasets as store_module
from store.access import Action, allows
from store.actions import engine_of
from store.datasets import NotFoundError, PermissionDenied, Store, StoreError
from store.failures import DRIVER_ERRORS, failure
from store.keystore import checked_chain, require_same_key
from store.local_data import kpi_details, local_register, local_tidy, survey_questions_asked
from store.public import public_mode, public_store
from store.workspaces import Workspace, user_workspaces
from ui import workshop
from ui.identity import current_user
from uploads.keys import KeyChain
from uploads.pseudonymise import PseudonymisationKeyError

CACHE_KEY = "local.cache"
WORKSPACE_KEY = "workspace"
MEMBERSHIP_KEY = "local.memberships"
MEMBERSHIP_SECONDS = 2.0
NO_WORKSPACE = ""  # a workspace id that never exists: every store check refuses it
_LISTED = ["dataset_id", "kind", "name", "record_level", "active_version", "versions", "rows"]
_LISTED += ["columns", "file_name", "uploaded_by", "uploaded_at", "period_from", "period_to"]
_LISTED += ["last_updated", "updated_by", "key_fingerprint"]
T = TypeVar("T")
log = logging.getLogger(__name__)
# Everything the store or the key can refuse with a message meant for the user.
STORE_PROBLEMS = (StoreError, PseudonymisationKeyError)


def database_url() -> str:
    """The team database from secrets or the environment, else the laptop's SQLite file."""
    try:
        from_secrets = st.secrets.get("SEND_LENS_DATABASE_URL")
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        from_secrets = None
    # Resolved here, so the cached store is keyed by the database it really opens.
    return from_secrets or store_module.database_url()


@st.cache_resource
def _store(url: str) -> Store:
    return Store(url)


@st.cache_resource
def _public_store() -> Store:
    return public_store()


def store() -> Store:
    """The store; on a public instance an empty one that refuses every write. A
    :class:`StoreError` (with a message for the user) if it cannot be opened."""
    if public_mode():
        return _public_store()
    return _store(database_url())


def workspaces() -> list[Workspace]:
    """The workspaces the person belongs to, with their role in each.

    Kept in this session for ``MEMBERSHIP_SECONDS`` (a page asks many times per run); it only
    decides what to offer: every store operation looks the role up again itself.
    """
    user, now = current_user(), time.monotonic()
    hit = st.session_state.get(MEMBERSHIP_KEY)
    if hit is not None and hit[0] == user.email and now - hit[1] < MEMBERSHIP_SECONDS:
        return hit[2]
    found = user_workspaces(engine_of(readable_store()), user)
    st.session_state[MEMBERSHIP_KEY] = (user.email, now, found)
    return found


def forget_memberships() -> None:
    """After an admin changes workspaces or roles, read them again at once."""
    st.session_state.pop(MEMBERSHIP_KEY, None)


def workspace() -> str:
    """The workspace in use: the one chosen in the sidebar if the person belongs to it, else
    their first; ``NO_WORKSPACE`` when they belong to none."""
    mine = [w.id for w in workspaces()]
    chosen = st.session_state.get(WORKSPACE_KEY)
    if chosen in mine:
        return chosen
    return mine[0] if mine else NO_WORKSPACE


def scope() -> dict[str, Any]:
    """The ``by`` and ``workspace`` arguments every store operation takes."""
    return {"by": current_user(), "workspace": workspace()}


def can(action: Action | str) -> bool:
    """Whether the person may do ``action`` in the workspace in use (to show a control; the
    store checks again when it is used)."""
    return allows(role(), action, workshop=workshop.active())


def protected_only() -> bool:
    """A viewer, and anyone in workshop mode, sees aggregates with small-number protection
    always on."""
    return not can(Action.VIEW_RECORDS)


def role() -> str | None:
    """The person's role in the workspace in use, or None."""
    found = {w.id: w.role for w in workspaces()}
    return found.get(workspace())


def refused(err: PermissionDenied) -> None:
    """Say clearly why an action was refused."""
    st.error(f"Not allowed: {err}")


@st.cache_resource
def _empty_store() -> Store:
    # One connection shared by every thread: an in-memory database exists per connection.
    return Store("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})


def readable_store() -> Store:
    """The store to read from, or an empty one when it cannot be opened, so every page still
    shows the national figures (:func:`store_status` says why the area's data is missing)."""
    try:
        return store()
    except StoreError as err:
        log.warning("the store cannot be opened (%s)", type(err).__name__)
        return _empty_store()


def store_status() -> None:
    """In the sidebar, on every page: why the area's own data is unavailable, if it is."""
    try:
        store()
    except StoreError as err:
        st.sidebar.error(
            f"Your area's own data is unavailable; the national figures are not affected. {err}"
        )


@contextmanager
def store_action(what: str, *, flash: str | None = None) -> Iterator[None]:
    """Run a save, delete or rollback; if the role, the store or the key refuses it, show why
    and whether anything was saved (the messages say so), instead of a traceback. In a
    button callback, ``flash`` names the session key the page shows the message from."""
    try:
        yield
    except PermissionDenied as err:
        _say(f"Not allowed: {err}", flash)
    except NotFoundError:
        _say(
            f"Could not {what}: that dataset is no longer stored (someone may have just "
            "deleted it). Nothing was changed.",
            flash,
        )
    except STORE_PROBLEMS as err:
        _say(f"Could not {what}. {err}", flash)
    except DRIVER_ERRORS as exc:  # from a part of the store that writes through its own engine
        _say(f"Could not {what}. {failure(exc, _where(), writing=True)}", flash)


def _say(message: str, flash: str | None) -> None:
    if flash is None:
        st.error(message)
    else:
        st.session_state[flash] = ("error", message)


def _where() -> str:
    """The store as messages name it, never with its password."""
    try:
        return store().where
    except StoreError:
        return "the database"


def checked_key() -> KeyChain:
    """The pseudonymisation key, checked against the stored data before an upload is read
    (never made anew where data exists). Raises a ``STORE_PROBLEMS`` error with the reason."""
    return checked_chain(store(), workspace=workspace())


def key_ready() -> bool:
    """Whether child-level files may be read now; if not, shows why (before any id is hashed,
    so a missing key is never silently replaced and another key never used)."""
    try:
        checked_key()
    except STORE_PROBLEMS as err:
        st.error(f"Child-level uploads are switched off. {err}")
        return False
    return True


def linkable(listed: pd.DataFrame) -> str | None:
    """Why these datasets (rows of ``datasets()``) cannot be linked child by child, if so."""
    fingerprints = [None if pd.isna(fp) else str(fp) for fp in listed["key_fingerprint"]]
    pairs = zip(listed["name"].astype(str), fingerprints)
    try:
        require_same_key(pairs)
    except StoreError as err:
        return str(err)
    return None


def local_table(area: str | None = None) -> pd.DataFrame:
    """This session's local tidy rows (KPI returns and surveys), re-read after any change."""
    s = readable_store()
    listed = datasets()
    return session_cached(
        "tidy",
        (fingerprint(listed), area, workspace()),
        lambda: local_tidy(s, default_area=area, **scope()) if not listed.empty else tidy.empty(),
    )


def local_survey_questions() -> dict[str, str]:
    """This session's survey questions as uploaded, by indicator id, re-read after any change."""
    if not can(Action.READ):
        return {}
    s = readable_store()
    listed = datasets()
    return session_cached(
        "survey_questions",
        (fingerprint(listed), workspace()),
        lambda: survey_questions_asked(s, **scope()) if not listed.empty else {},
    )


def local_kpi_details() -> pd.DataFrame:
    if not can(Action.READ):
        return kpi_details_empty()
    return kpi_details(readable_store(), **scope())


def kpi_details_empty() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype="float64" if c == "target" else "str") for c in _DETAILS}
    )


_DETAILS = ["indicator", "area_code", "period", "target", "commentary", "source"]


def register() -> pd.DataFrame:
    if not can(Action.READ):
        return pd.DataFrame()
    return local_register(readable_store(), **scope())


def forget_local_data() -> None:
    """Drop this session's copy so the next read comes from the store."""
    st.session_state.get(CACHE_KEY, {}).pop("tidy", None)


def session_cached(name: str, key: object, compute: Callable[[], T]) -> T:
    """``compute()`` kept in this session's state until ``key`` changes (never shared)."""
    cache: dict[str, tuple[object, Any]] = st.session_state.setdefault(CACHE_KEY, {})
    hit = cache.get(name)
    if hit is not None and hit[0] == key:
        return hit[1]
    value = compute()
    cache[name] = (key, value)
    return value


def datasets() -> pd.DataFrame:
    """The workspace's datasets; none when the person belongs to no workspace."""
    try:
        return readable_store().list_datasets(**scope())
    except PermissionDenied:
        return pd.DataFrame(columns=_LISTED)


def fingerprint(listed: pd.DataFrame) -> tuple:
    return tuple(zip(listed["dataset_id"].tolist(), listed["active_version"].tolist()))


def load_dataset(dataset_id: int, version: int) -> pd.DataFrame:
    """One stored version, read once per session (child-level data stays in this session)."""
    return session_cached(
        f"data.{workspace()}.{dataset_id}",
        version,
        lambda: store().load(dataset_id, **scope()),
    )
