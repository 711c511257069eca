"""The area's own data in the app: the store, who is uploading, and local tidy rows.

Local data never goes into a cache shared between sessions: the store handle is a resource
(it holds a connection pool, no data), and what is read from it lives in this session's
state, refreshed whenever the store's list of active versions changes.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

import tidy
from store import datasets as store_module
from store.datasets import Store
from store.local_data import kpi_details, local_register, local_tidy
from store.public import public_mode, public_store

CACHE_KEY = "local.cache"
T = TypeVar("T")


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
    """The area's store; on a public instance an empty one that refuses every write."""
    if public_mode():
        return _public_store()
    return _store(database_url())


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
    s = store()
    datasets = s.list_datasets()
    return session_cached(
        "tidy",
        (fingerprint(datasets), area),
        lambda: local_tidy(s, default_area=area) if not datasets.empty else tidy.empty(),
    )


def local_kpi_details() -> pd.DataFrame:
    return kpi_details(store())


def register() -> pd.DataFrame:
    return local_register(store())


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
    return store().list_datasets()


def fingerprint(listed: pd.DataFrame) -> tuple:
    return tuple(zip(listed["dataset_id"].tolist(), listed["active_version"].tolist()))


def load_dataset(dataset_id: int, version: int) -> pd.DataFrame:
    """One stored version, read once per session (child-level data stays in this session)."""
    return session_cached(f"data.{dataset_id}", version, lambda: store().load(dataset_id))
