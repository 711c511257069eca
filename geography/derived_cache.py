"""Frames derived from shipped files, built once and kept as parquet in the data cache.

The school register (read from the census XLSX, 24,000 rows of cell conversions) and the
ward, LA and sub-ICB of every school (a point-in-polygon join) took 1-3 s each on the first Map
visit of every server process; read back from parquet they take milliseconds. Each file is
keyed by the size and modification time of the files it is derived from and of the geography
code, so a data refresh or a code change rebuilds it; it is written atomically, so a crash
never leaves half a file to be read.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
CODE = Path(__file__).resolve().parent


def cache_dir() -> Path:
    """Where caches live: ``SEND_LENS_CACHE_DIR`` or ``data/cache`` in the project."""
    return Path(os.environ.get("SEND_LENS_CACHE_DIR", ROOT / "data" / "cache"))


def source_key(folders: Iterable[Path], code: Iterable[Path] = ()) -> str:
    """A hash of every file's path, size and modification time in ``folders``, of the
    geography code and of the other modules in ``code`` that shape the frame (reading every
    byte of the census on each start would cost what we save)."""
    digest = hashlib.sha256()
    files = sorted(p for folder in folders for p in folder.rglob("*") if p.is_file())
    for path in [*files, *sorted(CODE.glob("*.py")), *sorted(code)]:
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{int(stat.st_mtime)}".encode())
    return digest.hexdigest()[:16]


def cached_frame(name: str, key: str, build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``build()``'s frame, from ``<cache>/<name>-<key>.parquet`` when that exists."""
    folder = cache_dir()
    path = folder / f"{name}-{key}.parquet"
    if path.exists():
        try:
            return pd.read_parquet(path)
        except (OSError, ValueError):
            pass  # an unreadable file is rebuilt and replaced below
    frame = build()
    _write(frame, folder, name, path)
    return frame


def _write(frame: pd.DataFrame, folder: Path, name: str, path: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".parquet.tmp", delete=False) as tmp:
            tmp_path = Path(tmp.name)
        try:
            frame.to_parquet(tmp_path, index=False)
            os.replace(tmp_path, path)
        finally:
            tmp_path.unlink(missing_ok=True)
        for old in folder.glob(f"{name}-*.parquet"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        # A read-only install still works: it derives the frame in memory on each start.
        return
