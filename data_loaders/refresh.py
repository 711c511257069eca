"""Fetch the newest national releases from explore-education-statistics (EES).

    python -m data_loaders.refresh [--only NAME] [--dry-run] [--timeout S]

Files land in ``data/refreshed/<name>/<file>.csv.gz`` (gzipped as downloaded), recorded in
``data/refreshed/manifest.json``; the shipped copies under ``data/`` are never touched.

Interfaces as verified (2026) in dfe-analytical-services/explore-education-statistics (C#
controllers and view models) and its eesyapi.py client, through the project's code search:
- Public API (Public.Data.Api: PublicationsController, DataSetsController, PaginatedListViewModel,
  DataSetViewModel, DataSetVersionViewModel). GET /v1/publications?search=&page=&pageSize= ->
  {results: [{id, title, slug}], paging: {totalPages}}; GET /v1/publications/{id}/data-sets ->
  {results: [{id, title, status, latestVersion: {version, published}}], paging};
  GET /v1/data-sets/{id}/versions/{v} -> {release: {title, slug}};
  GET /v1/data-sets/{id}/csv?dataSetVersion=v -> the underlying CSV, Content-Encoding: gzip.
  It lists only the data sets a publisher exposed there, so we fall back to the
- Content API (Content.Api: ReleaseController, ReleaseFileController; ReleaseViewModel, FileInfo).
  GET /api/publications/{slug}/releases/latest -> {id (release version), title, slug,
  downloadFiles: [{id, fileName, name, type}]}; GET /api/releases/{id}/files/{fileId} -> the
  file, its ETag the lower-case hex MD5 of the bytes (CacheWithETag(ComputeMd5Hash)).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

from data_loaders.ees import EES_REQUIRED

ROOT = Path(__file__).resolve().parent.parent
API = "https://api.education.gov.uk/statistics/v1"
CONTENT = "https://content.explore-education-statistics.service.gov.uk/api"
RETRY_STATUS = (429, 500, 502, 503, 504)
ATTEMPTS = 4


@dataclass(frozen=True)
class FileSpec:
    """One CSV of a release, stored as ``<name>.csv.gz``."""

    name: str
    title: str  # regex on the data set's title (public API) or the file's title (content API)
    file_name: str  # regex on the release file's name (content API)
    column: str = "phase_type_grouping"  # a column it must have beyond the EES standard ones


@dataclass(frozen=True)
class DataSetSpec:
    name: str
    slug: str
    title: str
    shipped: str  # what the app uses when this has never been refreshed
    files: tuple[FileSpec, ...]
    check: Callable[[dict[str, Path]], object] | None = None  # loads staged files before use


def _check_sen_in_england(paths: dict[str, Path]) -> object:
    from data_loaders.sen_in_england import load_files

    return load_files(paths.get("phase_type"), paths.get("primary_need"))


def _check_ees(paths: dict[str, Path]) -> object:
    from data_loaders.ees import read_ees  # periods and area codes must parse

    return [read_ees(path) for path in paths.values()]


# EHCP titles: the data set names in the June 2025 release's data guidance (data/sen2/2025).
_EHCP = {
    "caseload": r"^Number of education, health \(EHC\) plans as at January each year$",
    "sen_needs_all_plans": r"^Number of education, health \(EHC\) plans .*primary type",
    "newplans": r"^Number of new EHC plans during the calendar year$",
    "requests": r"^Number of requests for an EHC needs assessment",
    "assessments": r"^Number of EHC needs assessments",
    "timeliness_20_week": r"^Timeliness",
    "annual_reviews": r"^Number and outcome of annual reviews",
    "ceased_plans": r"^Number of EHC plans which ceased",
    "personal_budgets": r"^Number of EHC plans with a personal budget",
}
_PHASE_TITLE = r"^Pupils in all schools, by type of SEN provision"
_NEED_TITLE = r"^(NC year|Year group),? by type of SEN provision and type of need"
DATASETS: dict[str, DataSetSpec] = {
    "sen_in_england": DataSetSpec(
        "sen_in_england",
        "special-educational-needs-in-england",
        "Special educational needs in England",
        "LAIT's SEN figures (SEN in England is not shipped)",
        (
            FileSpec("phase_type", _PHASE_TITLE, r"^sen_phase_type"),
            FileSpec("primary_need", _NEED_TITLE, r"^sen_ncyear"),
        ),
        _check_sen_in_england,
    ),
    "ehcp": DataSetSpec(
        "ehcp",
        "education-health-and-care-plans",
        "Education, health and care plans",
        "the shipped Education, health and care plans release of June 2025",
        tuple(FileSpec(n, title, rf"^{n}\.csv$", "time_period") for n, title in _EHCP.items()),
        _check_ees,
    ),
}


class RefreshError(Exception):
    """A failed refresh; the message is one plain-English line. Nothing was changed."""


class Offline(RefreshError):
    """EES could not be reached, or kept failing."""


class Rejected(RefreshError):
    """EES answered, but with something we will not store."""


@dataclass(frozen=True)
class Located:
    url: str
    release: str
    version: str
    api: str  # "public" or "content"
    title: str


@dataclass
class Fetcher:
    session: requests.Session
    timeout: float = 30.0
    backoff: float = 1.0

    def get(self, url: str, params: dict | None = None) -> requests.Response:
        """A streamed GET, retried with backoff on connection errors, timeouts and 5xx.

        A plain loop rather than urllib3's Retry, so that the retries are testable offline
        with a transport adapter, and so that a failure mid-body is reported, not hidden.
        """
        timeouts = (min(10.0, self.timeout), self.timeout)  # (connect, read)
        for attempt in range(ATTEMPTS):
            last = attempt == ATTEMPTS - 1
            try:
                resp = self.session.get(url, params=params, timeout=timeouts, stream=True)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if last:
                    raise Offline(_reason(exc, self.timeout)) from None
            except requests.RequestException as exc:
                raise Rejected(f"the request for {url} failed ({exc})") from None
            else:
                if resp.status_code not in RETRY_STATUS:
                    return resp
                resp.close()
                if last:
                    raise Offline(f"the server answered {resp.status_code} {resp.reason}".strip())
            time.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")

    def json(self, url: str, params: dict | None = None) -> dict | None:
        """A JSON document, or None when the server says there is none (404)."""
        resp = self.get(url, params)
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise Rejected(f"{url} answered {resp.status_code}")
        try:
            return resp.json()
        except ValueError:  # before RequestException: requests' JSONDecodeError is both
            raise Rejected(f"{url} did not answer with JSON") from None
        except requests.RequestException as exc:  # the body broke off, or stalled
            raise Offline(_reason(exc, self.timeout)) from None


def _reason(exc: Exception, timeout: float) -> str:
    if isinstance(exc, requests.ConnectTimeout):
        return f"no connection within {timeout:g} s"
    if isinstance(exc, requests.Timeout):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, requests.exceptions.ProxyError):
        return "the proxy refused the connection"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the download broke off"
    return "no connection"


def _pages(fetcher: Fetcher, url: str, params: dict) -> list[dict]:
    results: list[dict] = []
    page = 1
    while True:
        doc = fetcher.json(url, {**params, "page": page, "pageSize": 20}) or {}
        results += doc.get("results", [])
        if page >= int(doc.get("paging", {}).get("totalPages", 1)):
            return results
        page += 1


def locate(fetcher: Fetcher, spec: DataSetSpec) -> list[tuple[FileSpec, Located]]:
    """Where each file is: the public API if it has the data set, else the latest release."""
    pubs = _pages(fetcher, f"{API}/publications", {"search": spec.title})
    pub = next((p for p in pubs if p.get("slug") == spec.slug), None)
    sets = _pages(fetcher, f"{API}/publications/{pub['id']}/data-sets", {}) if pub else []
    sets = [s for s in sets if s.get("status") != "Withdrawn" and s.get("latestVersion")]
    release: dict | None = None
    found = []
    for file in spec.files:
        where = _from_api(fetcher, spec, file, sets)
        if where is None:
            if release is None:
                release = fetcher.json(f"{CONTENT}/publications/{spec.slug}/releases/latest") or {}
            where = _from_release(spec, file, release)
        if where is None:
            raise Rejected(f"{spec.title}: the latest release has no file like {file.name!r}")
        found.append((file, where))
    return found


def _from_api(
    fetcher: Fetcher, spec: DataSetSpec, file: FileSpec, sets: list[dict]
) -> Located | None:
    matches = [s for s in sets if re.search(file.title, s.get("title", ""), re.I)]
    if not matches:
        return None
    def rank(s: dict) -> tuple[bool, str]:  # Published before Deprecated, then the newest
        return s.get("status") == "Published", s["latestVersion"].get("published", "")

    best = max(matches, key=rank)
    version, base = best["latestVersion"]["version"], f"{API}/data-sets/{best['id']}"
    meta = fetcher.json(f"{base}/versions/{version}") or {}
    release = f"{spec.title}: {meta.get('release', {}).get('title', '')}".rstrip(": ")
    url = f"{base}/csv?dataSetVersion={version}"
    return Located(url, release, version, "public", best["title"])


def _from_release(spec: DataSetSpec, file: FileSpec, release: dict) -> Located | None:
    for info in release.get("downloadFiles", []):
        named = re.search(file.file_name, info.get("fileName", ""), re.I)
        named = named or re.search(file.title, info.get("name", ""), re.I)
        if named and str(info.get("type", "")).lower() == "data":
            url = f"{CONTENT}/releases/{release['id']}/files/{info['id']}"
            label = f"{spec.title}: {release.get('title', '')}".rstrip(": ")
            return Located(url, label, release.get("slug", ""), "content", info.get("name", ""))
    return None


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
            raise Offline(_reason(exc, fetcher.timeout)) from None
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
        {"file": t.name, "title": s.where.title, "url": s.where.url, "api": s.where.api,
         "version": s.where.version, "sha256": s.sha256, "rows": s.rows}
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


def _write_manifest(root: Path, manifest: dict) -> None:
    tmp = root / f".manifest.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    os.replace(tmp, root / "manifest.json")


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
        prog="python -m data_loaders.refresh", description=__doc__.split("\n")[0]
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
        except Exception as exc:  # noqa: BLE001 - one line for the user, never a traceback
            why = str(exc) if isinstance(exc, RefreshError) else f"{type(exc).__name__}: {exc}"
            print(f"Refresh of {name} failed: {why}. The previous files are unchanged.",
                  file=sys.stderr)
            code = 1
            continue
        if entry:
            manifest[name] = entry
            _write_manifest(root, manifest)
            changed += 1
    if changed and invalidate_cache():
        print("The app's cache was cleared: it rebuilds from the new data on its next start.")
    return code


if __name__ == "__main__":
    sys.exit(main())
