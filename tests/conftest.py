"""Shared fixtures: the real national table, built once per test session into a temp cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def national(tmp_path_factory: pytest.TempPathFactory):
    """The national tidy table as the app loads it (from a cache private to this session)."""
    from data_loaders import build

    os.environ.setdefault("SEND_LENS_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    return build.load_tidy()
