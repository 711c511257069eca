"""Fetch the newest national releases from explore-education-statistics (EES).

    python -m data_loaders.refresh.command [--only NAME] [--dry-run] [--timeout S]

Files land in ``data/refreshed/<name>/<file>.csv.gz`` (gzipped as downloaded), recorded in
``data/refreshed/manifest.json``; the shipped copies under ``data/`` are never touched.

The work is split by responsibility: ``sources`` (what to fetch), ``web`` (timeouts and
retries), ``locate`` (where EES keeps it) and ``files`` (download, checksums, atomic
replacement). This module is the command; ``__main__`` runs it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import requests

from data_loaders.refresh.files import read_manifest, refresh_one, write_manifest
from data_loaders.refresh.sources import DATASETS
from data_loaders.refresh.web import Fetcher, Offline, RefreshError

ROOT = Path(__file__).resolve().parents[2]


def invalidate_cache() -> bool:
    """Drop the parquet cache so the next app start rebuilds (when build.py offers that)."""
    try:
        from data_loaders.build import invalidate_cache as drop

        drop()
    except (ImportError, OSError):
        return False  # nothing to call, or a cache we cannot delete (it is rebuilt anyway)
    return True


def _keeps_using(names: list[str], manifest: dict) -> str:
    return "; ".join(
        f"the data refreshed on {manifest[n]['fetched_at'][:10]} ({manifest[n]['release']})"
        if n in manifest
        else DATASETS[n].shipped
        for n in names
    )


def main(
    argv: list[str] | None = None,
    *,
    session: requests.Session | None = None,
    root: Path | None = None,
    backoff: float = 1.0,
) -> int:
    """The command: 0 done, 1 something rejected, 2 offline. Keywords are for tests."""
    parser = argparse.ArgumentParser(
        prog="python -m data_loaders.refresh.command", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--only", choices=sorted(DATASETS), action="append", help="just this one")
    parser.add_argument("--dry-run", action="store_true", help="say what would be fetched")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")
    args = parser.parse_args(argv)
    root = root or ROOT / "data/refreshed"
    names = args.only or list(DATASETS)
    if session is None:
        session = requests.Session()
        session.headers["User-Agent"] = "SEND-Lens-refresh/0.1 (python-requests)"
    fetcher = Fetcher(session, args.timeout, backoff)
    manifest = read_manifest(root)
    code = changed = 0
    for i, name in enumerate(names):
        try:
            spec, previous = DATASETS[name], manifest.get(name)
            entry = refresh_one(fetcher, spec, root / name, previous, args.dry_run)
        except Offline as exc:  # the rest would fail the same way
            keeps = _keeps_using(names[i:], manifest)
            print(
                f"Could not reach explore-education-statistics ({exc}): the app will keep using "
                f"{keeps}. Check your connection or proxy and try again.",
                file=sys.stderr,
            )
            code = 2
            break
        except Exception as exc:
            why = str(exc) if isinstance(exc, RefreshError) else f"{type(exc).__name__}: {exc}"
            print(
                f"Refresh of {name} failed: {why}. The previous files are unchanged.",
                file=sys.stderr,
            )
            code = 1
            continue
        if entry:
            manifest[name] = entry
            write_manifest(root, manifest)
            changed += 1
    if changed and invalidate_cache():
        print("The app's cache was cleared: it rebuilds from the new data on its next start.")
    return code
