"""``python -m data_loaders.refresh.command`` against recorded responses: never the network.

A transport adapter mounted on the session answers every request from
``tests/fixtures/refresh`` (see its README: hand-written in the real shapes).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPResponse

from data_loaders.refresh import command as refresh
from data_loaders.refresh.locate import API, CONTENT
from data_loaders.refresh.sources import _EHCP, DATASETS
from data_loaders.refresh.web import ATTEMPTS

FIXTURES = Path(__file__).parent / "fixtures/refresh"
SEN_PUB = "a91d9e05-be82-474c-85ae-4913158406d0"
PHASE, NEED = "019df85e-ab00-7458-a4ff-b381997776cb", "019df85e-5c5f-7007-abfd-d3067e63007d"
EHCP_RELEASE = json.loads((FIXTURES / "content_ehcp_release.json").read_text())
PHASE_CSV = (FIXTURES / "sen_phase_type.csv").read_bytes()
NEED_CSV = (FIXTURES / "sen_primary_need.csv").read_bytes()
CASELOAD_CSV = (FIXTURES / "ehcp_caseload.csv").read_bytes()
Capture = pytest.CaptureFixture[str]


class Recorded(HTTPAdapter):
    """Answers from a table of recorded replies, served in turn (the last one repeats)."""

    def __init__(self) -> None:
        super().__init__()
        self.routes: list[tuple[str, dict[str, str], list]] = []
        self.calls: list[tuple[str, object]] = []

    def add(self, url: str, *replies: object, **query: str) -> None:
        self.routes.insert(0, (url, query, list(replies)))  # later routes win

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        self.calls.append((request.url, timeout))
        parts = urlsplit(request.url)
        base, query = f"{parts.scheme}://{parts.netloc}{parts.path}", dict(parse_qsl(parts.query))
        for url, want, replies in self.routes:
            if url == base and all(query.get(k) == v for k, v in want.items()):
                reply = replies.pop(0) if len(replies) > 1 else replies[0]
                if isinstance(reply, BaseException):
                    raise reply
                status, headers, body = reply
                raw = HTTPResponse(
                    body=io.BytesIO(body),
                    headers=headers,
                    status=status,
                    reason=headers.get("reason", ""),
                    preload_content=False,
                    decode_content=True,
                    request_url=request.url,
                )
                return self.build_response(request, raw)
        raise AssertionError(f"unexpected request {request.url}")

    def count(self, url: str) -> int:
        return sum(1 for u, _ in self.calls if u.split("?")[0] == url)


def json_reply(name: str) -> tuple[int, dict, bytes]:
    return 200, {"Content-Type": "application/json; charset=utf-8"}, (FIXTURES / name).read_bytes()


def api_csv(body: bytes) -> tuple[int, dict, bytes]:
    # The public API sends the data set's CSV gzip-encoded (DataSetsController.DownloadDataSetCsv).
    return 200, {"Content-Type": "text/csv", "Content-Encoding": "gzip"}, gzip.compress(body)


def content_file(body: bytes, md5: str | None = None) -> tuple[int, dict, bytes]:
    # The content API's ETag is the lower-case hex MD5 of the file (ReleaseFileController.Stream).
    etag = md5 or hashlib.md5(body).hexdigest()
    return 200, {"Content-Type": "text/csv", "ETag": f'"{etag}"'}, body


def service_unavailable() -> tuple[int, dict, bytes]:
    return 503, {"reason": "Service Unavailable"}, b"busy"


def recorded() -> Recorded:
    """Every reply a full refresh needs: SEN via the public API, EHC plans via the content API."""
    rec = Recorded()
    pubs = f"{API}/publications"
    sen, ehcp = "Special educational needs in England", "Education, health and care plans"
    rec.add(pubs, json_reply("api_publications_sen.json"), search=sen)
    rec.add(pubs, json_reply("api_publications_none.json"), search=ehcp)
    rec.add(f"{API}/publications/{SEN_PUB}/data-sets", json_reply("api_sen_data_sets.json"))
    for data_set, body in ((PHASE, PHASE_CSV), (NEED, NEED_CSV)):
        rec.add(f"{API}/data-sets/{data_set}/versions/1.0", json_reply("api_data_set_version.json"))
        rec.add(f"{API}/data-sets/{data_set}/csv", api_csv(body), dataSetVersion="1.0")
    rec.add(
        f"{CONTENT}/publications/education-health-and-care-plans/releases/latest",
        json_reply("content_ehcp_release.json"),
    )
    for info in EHCP_RELEASE["downloadFiles"]:
        rec.add(ehcp_url(info["fileName"]), content_file(CASELOAD_CSV))
    return rec


def ehcp_url(file_name: str) -> str:
    info = next(f for f in EHCP_RELEASE["downloadFiles"] if f["fileName"] == file_name)
    return f"{CONTENT}/releases/{EHCP_RELEASE['id']}/files/{info['id']}"


def session_for(rec: Recorded) -> requests.Session:
    session = requests.Session()
    session.mount("https://", rec)
    session.mount("http://", rec)
    return session


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A parquet cache of our own for build.invalidate_cache(): never the project's."""
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "tidy.parquet").write_bytes(b"old")
    (folder / "tidy.json").write_text("{}")
    monkeypatch.setenv("SEND_LENS_CACHE_DIR", str(folder))
    return folder


def run(rec: Recorded, root: Path, *args: str) -> int:
    return refresh.main(list(args), session=session_for(rec), root=root, backoff=0)


def seed(root: Path) -> dict:
    """A previous refresh: old files and their manifest, which failures must leave alone."""
    (root / "sen_in_england").mkdir(parents=True)
    (root / "ehcp").mkdir()
    (root / "sen_in_england/phase_type.csv.gz").write_bytes(b"old phase")
    (root / "sen_in_england/primary_need.csv.gz").write_bytes(b"old need")
    (root / "ehcp/caseload.csv.gz").write_bytes(b"old caseload")
    manifest = {
        name: {
            "dataset": name,
            "release": f"{name} old release",
            "fetched_at": "2025-01-31T09:00:00+00:00",
            "files": [],
        }
        for name in DATASETS
    }
    (root / "manifest.json").write_text(json.dumps(manifest))
    return snapshot(root)


def snapshot(root: Path) -> dict:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}


def test_success_writes_every_file_and_the_manifest(
    tmp_path: Path, cache: Path, capsys: Capture
) -> None:
    rec, root = recorded(), tmp_path / "refreshed"
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src: str | Path, dst: str | Path) -> None:
        replaced.append((Path(src).name, Path(dst).name))
        assert Path(src).parent == Path(dst).parent  # same folder, so the rename is atomic
        real_replace(src, dst)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("data_loaders.refresh.files.os.replace", spy)
        assert run(rec, root) == 0

    assert gzip.decompress((root / "sen_in_england/phase_type.csv.gz").read_bytes()) == PHASE_CSV
    assert gzip.decompress((root / "sen_in_england/primary_need.csv.gz").read_bytes()) == NEED_CSV
    assert gzip.decompress((root / "ehcp/caseload.csv.gz").read_bytes()) == CASELOAD_CSV
    ehcp = sorted(p.name for p in (root / "ehcp").iterdir())
    assert ehcp == sorted(f"{name}.csv.gz" for name in _EHCP)
    assert not [p for p in root.rglob(".*") if p.is_file()], "temporary files left behind"
    assert ("phase_type.csv.gz" in dict(replaced).values()) and replaced[-1][1] == "manifest.json"
    assert all(src.startswith(".") for src, _ in replaced)

    manifest = json.loads((root / "manifest.json").read_text())
    sen = manifest["sen_in_england"]
    assert sen["release"] == "Special educational needs in England: Academic year 2024/25"
    phase = next(f for f in sen["files"] if f["file"] == "phase_type.csv.gz")
    assert phase["sha256"] == hashlib.sha256(PHASE_CSV).hexdigest()
    assert phase["rows"] == PHASE_CSV.count(b"\n") - 1
    assert phase["url"] == f"{API}/data-sets/{PHASE}/csv?dataSetVersion=1.0"
    assert (phase["version"], phase["api"]) == ("1.0", "public")
    caseload = next(f for f in manifest["ehcp"]["files"] if f["file"] == "caseload.csv.gz")
    assert caseload["url"] == ehcp_url("caseload.csv") and caseload["api"] == "content"
    assert caseload["rows"] == 3 and manifest["ehcp"]["release"].endswith("Reporting year 2025")
    assert manifest["ehcp"]["fetched_at"].startswith("20")

    assert not (cache / "tidy.parquet").exists(), "the parquet cache should be invalidated"
    assert "cache was cleared" in capsys.readouterr().out
    assert all(timeout == (10.0, 30.0) for _, timeout in rec.calls)  # connect and read timeouts


def test_the_new_data_is_what_the_loader_reads(tmp_path: Path, cache: Path) -> None:
    from data_loaders.national.sen_in_england import load_files, load_sen_in_england

    root = tmp_path / "refreshed"
    assert run(recorded(), root, "--only", "sen_in_england") == 0
    expected = load_files(FIXTURES / "sen_phase_type.csv", FIXTURES / "sen_primary_need.csv")
    assert load_sen_in_england(root / "sen_in_england").equals(expected)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (requests.ConnectionError("Name or service not known"), "no connection"),
        (requests.ConnectTimeout("timed out"), "no connection within 5 s"),
        (requests.exceptions.ProxyError("407"), "the proxy refused the connection"),
    ],
)
def test_offline_says_so_in_one_line_and_changes_nothing(
    tmp_path: Path, capsys: Capture, error: Exception, reason: str
) -> None:
    root = tmp_path / "refreshed"
    before = seed(root)
    rec = Recorded()
    rec.add(f"{API}/publications", error)
    assert run(rec, root, "--timeout", "5") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"Could not reach explore-education-statistics ({reason}): ")
    assert "the app will keep using " in err
    assert "the data refreshed on 2025-01-31 (sen_in_england old release)" in err
    assert err.rstrip().endswith("Check your connection or proxy and try again.")
    assert snapshot(root) == before
    assert rec.count(f"{API}/publications") == ATTEMPTS  # retried before giving up


def test_never_refreshed_and_offline_points_to_the_shipped(tmp_path: Path, capsys: Capture) -> None:
    rec = Recorded()
    rec.add(f"{API}/publications", requests.ConnectionError("down"))
    assert run(rec, tmp_path / "refreshed", "--only", "ehcp") == 2
    err = capsys.readouterr().err
    assert "keep using the shipped Education, health and care plans release of June 2025" in err
    assert not (tmp_path / "refreshed").exists()


def test_a_timeout_mid_download_leaves_the_old_files(tmp_path: Path, capsys: Capture) -> None:
    root = tmp_path / "refreshed"
    before = seed(root)
    rec = recorded()
    rec.add(f"{API}/data-sets/{NEED}/csv", requests.ReadTimeout("read timed out"))
    assert run(rec, root, "--only", "sen_in_england") == 2
    assert "(no answer within 30 s)" in capsys.readouterr().err
    assert snapshot(root) == before  # phase_type downloaded fine but was not put in place alone


def test_a_bad_checksum_is_rejected(tmp_path: Path, capsys: Capture) -> None:
    root = tmp_path / "refreshed"
    before = seed(root)
    rec = recorded()
    rec.add(ehcp_url("caseload.csv"), content_file(CASELOAD_CSV, md5="0" * 32))
    assert run(rec, root, "--only", "ehcp") == 1
    err = capsys.readouterr().err
    assert "checksum mismatch" in err and "The previous files are unchanged." in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert snapshot(root) == before


def test_a_page_that_is_not_an_ees_csv_is_rejected(tmp_path: Path, capsys: Capture) -> None:
    root = tmp_path / "refreshed"
    before = seed(root)
    rec = recorded()
    login_page = b"<html><body>Please sign in to the proxy</body></html>\n"
    rec.add(f"{API}/data-sets/{PHASE}/csv", api_csv(login_page))
    assert run(rec, root, "--only", "sen_in_england") == 1
    assert "not an EES data file (no time_period, time_identifier" in capsys.readouterr().err
    assert snapshot(root) == before


def test_an_ees_csv_the_loader_cannot_read_is_rejected(tmp_path: Path, capsys: Capture) -> None:
    root = tmp_path / "refreshed"
    before = seed(root)
    rec = recorded()
    # EES-shaped, right filter column, but no provision or count columns at all.
    odd = (
        b"time_period,time_identifier,geographic_level,phase_type_grouping\n"
        b"202425,Academic year,National,Total\n"
    )
    rec.add(f"{API}/data-sets/{NEED}/csv", api_csv(odd))
    assert run(rec, root, "--only", "sen_in_england") == 1
    assert "the new files do not load" in capsys.readouterr().err
    assert snapshot(root) == before


def test_a_503_is_retried_then_succeeds(tmp_path: Path) -> None:
    root = tmp_path / "refreshed"
    rec = recorded()
    url = f"{API}/data-sets/{PHASE}/csv"
    rec.add(url, service_unavailable(), api_csv(PHASE_CSV), dataSetVersion="1.0")
    assert run(rec, root, "--only", "sen_in_england") == 0
    assert rec.count(url) == 2
    assert gzip.decompress((root / "sen_in_england/phase_type.csv.gz").read_bytes()) == PHASE_CSV


def test_a_server_that_stays_down_is_reported_as_offline(tmp_path: Path, capsys: Capture) -> None:
    rec = recorded()
    rec.add(f"{API}/publications/{SEN_PUB}/data-sets", service_unavailable())
    assert run(rec, tmp_path / "refreshed", "--only", "sen_in_england") == 2
    assert "(the server answered 503 Service Unavailable)" in capsys.readouterr().err
    assert rec.count(f"{API}/publications/{SEN_PUB}/data-sets") == ATTEMPTS


def test_dry_run_fetches_nothing(tmp_path: Path, capsys: Capture) -> None:
    rec = recorded()
    assert run(rec, tmp_path / "refreshed", "--dry-run") == 0
    out = capsys.readouterr().out
    assert f"phase_type.csv.gz <- {API}/data-sets/{PHASE}/csv?dataSetVersion=1.0" in out
    assert f"ehcp/caseload.csv.gz <- {ehcp_url('caseload.csv')}" in out
    assert not (tmp_path / "refreshed").exists()
    assert not [u for u, _ in rec.calls if "/csv" in u or "/files/" in u]


def test_an_unchanged_release_leaves_files_and_cache_alone(
    tmp_path: Path, cache: Path, capsys: Capture
) -> None:
    root = tmp_path / "refreshed"
    assert run(recorded(), root, "--only", "sen_in_england") == 0
    before = snapshot(root)
    (cache / "tidy.parquet").write_bytes(b"rebuilt")
    assert run(recorded(), root, "--only", "sen_in_england") == 0
    assert "already up to date" in capsys.readouterr().out
    assert snapshot(root) == before and (cache / "tidy.parquet").exists()


def test_invalidate_cache_is_optional(monkeypatch: pytest.MonkeyPatch) -> None:
    import data_loaders.build as build

    monkeypatch.delattr(build, "invalidate_cache")
    assert refresh.invalidate_cache() is False


def test_a_captive_portal_instead_of_json_is_rejected(tmp_path: Path, capsys: Capture) -> None:
    rec = recorded()
    rec.add(f"{API}/publications", (200, {"Content-Type": "text/html"}, b"<html>Sign in</html>"))
    assert run(rec, tmp_path / "refreshed", "--only", "ehcp") == 1
    err = capsys.readouterr().err
    assert "did not answer with JSON" in err and "Traceback" not in err
