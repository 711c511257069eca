"""The area's own data in the app: the store, who is uploading, and local tidy rows.

Local data never goes into a cache shared between sessions: the store handle is a resource
(it holds a connection pool, no data), and what is read from it lives in this session's
state, refreshed whenever the store's list of active versions changes.
"""

from __future__ import annotations

import getpass
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy.pool import StaticPool

import tidy
from store import datasets as store_module
from store.datasets import Store, StoreError
from store.failures import DRIVER_ERRORS, failure
from store.keystore import checked_chain, require_same_key
from store.local_data import kpi_details, local_register, local_tidy
from uploads.keys import KeyChain
from uploads.pseudonymise import PseudonymisationKeyError

CACHE_KEY = "local.cache"
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


def store() -> Store:
    """The store; a :class:`StoreError` (with a message for the user) if it cannot be opened."""
    return _store(database_url())


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
def store_action(what: str) -> Iterator[None]:
    """Run a save, delete or rollback; if the store or the key refuses it, show why and
    whether anything was saved (the messages say so), instead of a traceback."""
    try:
        yield
    except STORE_PROBLEMS as err:
        st.error(f"Could not {what}. {err}")
    except DRIVER_ERRORS as exc:  # from a part of the store that writes through its own engine
        st.error(f"Could not {what}. {failure(exc, _where(), writing=True)}")


def _where() -> str:
    """The store as messages name it, never with its password."""
    try:
        return store().where
    except StoreError:
        return "the database"


def checked_key() -> KeyChain:
    """The pseudonymisation key, checked against the stored data before an upload is read
    (never made anew where data exists). Raises a ``STORE_PROBLEMS`` error with the reason."""
    return checked_chain(store())


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


def current_user() -> str:
    """Who is acting, for version history and the audit log."""
    user = getattr(st, "user", None)
    if user is not None and getattr(user, "is_logged_in", False):
        return str(user.get("email") or user.get("name") or "signed-in user")
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "analyst"


def local_table(area: str | None = None) -> pd.DataFrame:
    """This session's local tidy rows (KPI returns and surveys), re-read after any change."""
    s = readable_store()
    datasets = s.list_datasets()
    return session_cached(
        "tidy",
        (fingerprint(datasets), area),
        lambda: local_tidy(s, default_area=area) if not datasets.empty else tidy.empty(),
    )


def local_kpi_details() -> pd.DataFrame:
    return kpi_details(readable_store())


def register() -> pd.DataFrame:
    return local_register(readable_store())


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
    return readable_store().list_datasets()


def fingerprint(listed: pd.DataFrame) -> tuple:
    return tuple(zip(listed["dataset_id"].tolist(), listed["active_version"].tolist()))


def load_dataset(dataset_id: int, version: int) -> pd.DataFrame:
    """One stored version, read once per session (child-level data stays in this session)."""
    return session_cached(f"data.{dataset_id}", version, lambda: store().load(dataset_id))
