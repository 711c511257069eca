"""Where the newest release of each file is on explore-education-statistics (EES).

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

import re
from dataclasses import dataclass

from data_loaders.refresh.sources import DataSetSpec, FileSpec
from data_loaders.refresh.web import Fetcher, Rejected

API = "https://api.education.gov.uk/statistics/v1"
CONTENT = "https://content.explore-education-statistics.service.gov.uk/api"


@dataclass(frozen=True)
class Located:
    url: str
    release: str
    version: str
    api: str  # "public" or "content"
    title: str


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
