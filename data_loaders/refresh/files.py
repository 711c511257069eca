"""Download a data set's files beside the old ones, check them, then swap them in together.

Each file is hashed as it streams (SHA-256 for the manifest, MD5 to match the content API's
ETag) and must look like an EES data file; the old set is replaced only when all are good.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

from data_loaders.national.ees import EES_REQUIRED
from data_loaders.refresh.locate import Located, locate
from data_loaders.refresh.sources import DataSetSpec, FileSpec
from data_loaders.refresh.web import Fetcher, Offline, Rejected, offline_reason


@dataclass(frozen=True)
class Staged:
    file: FileSpec
    where: Located
    tmp: Path
    sha256: str  # of the CSV as served, before we gzip it
    rows: int


def download(fetcher: Fetcher, where: Located, file: FileSpec, folder: Path) -> Staged:
    """Stream one CSV into a gzipped temp file beside its target, hashing and checking it."""
    tmp = folder / f".{file.name}.{os.getpid()}.part.csv.gz"  # .csv.gz: pandas infers gzip
    try:
        return _stream(fetcher, where, file, tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _stream(fetcher: Fetcher, where: Located, file: FileSpec, tmp: Path) -> Staged:
    resp = fetcher.get(where.url)
    if resp.status_code != 200:
        raise Rejected(f"{file.name}: the server answered {resp.status_code}")
    etag = resp.headers.get("ETag", "").strip('"').lower()
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)  # MD5 only to match the ETag
    head, lines, last = b"", 0, b"\n"
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        try:
            for chunk in resp.iter_content(1 << 16):
                sha.update(chunk)
                md5.update(chunk)
                out.write(chunk)
                lines += chunk.count(b"\n")
                last = chunk[-1:] or last
                head += chunk if b"\n" not in head and len(head) < 1 << 20 else b""
        except requests.RequestException as exc:  # the body broke off, or stalled
            raise Offline(offline_reason(exc, fetcher.timeout)) from None
    if re.fullmatch(r"[0-9a-f]{32}", etag) and etag != md5.hexdigest():
        raise Rejected(f"{file.name}: checksum mismatch (MD5 {md5.hexdigest()}, ETag {etag})")
    first = head.split(b"\n")[0].decode("utf-8-sig", "replace")
    columns = {c.strip() for c in next(csv.reader([first]), [])}
    missing = [c for c in dict.fromkeys((*EES_REQUIRED, file.column)) if c not in columns]
    if missing:
        raise Rejected(f"{file.name}: not an EES data file (no {', '.join(missing)})")
    rows = lines - 1 + (last != b"\n")
    if rows < 1:
        raise Rejected(f"{file.name}: the file has no rows")
    return Staged(file, where, tmp, sha.hexdigest(), rows)


def refresh_one(
    fetcher: Fetcher, spec: DataSetSpec, folder: Path, previous: dict | None, dry_run: bool = False
) -> dict | None:
    """Fetch every file of a data set, then replace them together: the new manifest entry.

    Nothing is replaced until every file has downloaded and passed its checks, so a failure
    leaves the previous set whole. None on a dry run, or when nothing changed.
    """
    found = locate(fetcher, spec)
    if dry_run:
        for f, where in found:
            print(f"{spec.name}/{f.name}.csv.gz <- {where.url} ({where.release}, {where.api} API)")
        return None
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[Staged] = []
    try:
        for f, where in found:
            staged.append(download(fetcher, where, f, folder))
        old = {e["file"]: e["sha256"] for e in (previous or {}).get("files", [])}
        targets = [folder / f"{s.file.name}.csv.gz" for s in staged]
        if all(old.get(t.name) == s.sha256 and t.exists() for s, t in zip(staged, targets)):
            print(f"{spec.name}: already up to date ({found[0][1].release})")
            return None  # same bytes: leave the files alone so the app's cache stays valid
        if spec.check:
            try:
                spec.check({s.file.name: s.tmp for s in staged})
            except (ValueError, KeyError) as exc:
                raise Rejected(f"{spec.title}: the new files do not load ({exc})") from None
        for s, target in zip(staged, targets):  # all good: only now replace the old files
            os.replace(s.tmp, target)
    finally:
        for s in staged:
            s.tmp.unlink(missing_ok=True)
    files = [
        {
            "file": t.name,
            "title": s.where.title,
            "url": s.where.url,
            "api": s.where.api,
            "version": s.where.version,
            "sha256": s.sha256,
            "rows": s.rows,
        }
        for s, t in zip(staged, targets)
    ]
    release = found[0][1].release
    print(f"{spec.name}: {len(files)} files from {release}")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return {"dataset": spec.name, "release": release, "fetched_at": now, "files": files}


def read_manifest(root: Path) -> dict:
    try:
        return json.loads((root / "manifest.json").read_text())
    except (OSError, ValueError):
        return {}


def write_manifest(root: Path, manifest: dict) -> None:
    tmp = root / f".manifest.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    os.replace(tmp, root / "manifest.json")
