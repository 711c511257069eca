"""The upload store: versions, rollback, delete, audit, and atomicity under crashes and kills.

Every test runs on SQLite, and also on PostgreSQL when ``SEND_LENS_TEST_POSTGRES_URL`` is set
(CI sets it; ``.ci/run`` starts a throwaway server). If the URL is set but the server cannot
be reached the tests fail: they never quietly skip PostgreSQL. Each PostgreSQL test gets a
schema of its own (through ``search_path``), dropped afterwards.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine, event, func, text, update
from sqlalchemy import select as sql_select
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from store import admin as store_admin
from store import audit as store_audit
from store import schema as store_schema
from store.admin import Retention
from store.datasets import NotFoundError, Store, StoreError, data_dir, database_url
from store.failures import (
    StoreDamagedError,
    StoreFullError,
    StoreReadOnlyError,
    StoreUnavailableError,
)
from store.identity import User

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("SEND_LENS_TEST_POSTGRES_URL", "").strip()
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not POSTGRES_URL,
            reason="PostgreSQL not configured: set SEND_LENS_TEST_POSTGRES_URL (README, Test it)",
        ),
    ),
]


def sha(n: int) -> str:
    return f"{n:064x}"


def person(name: str) -> User:
    """The one user of a laptop install: admin of the default workspace."""
    return User(email=f"{name}@example.org", name=name, local=True)


def as_(name: str) -> dict:
    return {"by": person(name), "workspace": store_schema.DEFAULT_WORKSPACE}


ANN = as_("ann")


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'store.db').as_posix()}"
        return
    base = store_schema.normalise_url(POSTGRES_URL)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, poolclass=NullPool, connect_args={"connect_timeout": 10})
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        pytest.fail(
            f"SEND_LENS_TEST_POSTGRES_URL is set but PostgreSQL is unreachable: {exc}",
            pytrace=False,
        )
    scoped = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    yield scoped.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    s = Store(url)
    yield s
    s.close()


def sample() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "urn": pd.array(["012345", "100001", None, "000007"], dtype="str"),
            "period": ["2024/25", "2023/24", "2025-03", "2024"],
            "value": [1.5, np.nan, -3.25, 1e12],
            "count": np.array([1, 2, 3, 4], dtype="int64"),
            "maybe": pd.array([1, None, 3, 4], dtype="Int64"),
            "flag": [True, False, True, False],
            "when": pd.to_datetime(
                ["2024-01-31 00:00", None, "2025-03-01 12:30", "1999-12-31 23:59"]
            ),
            "when_utc": pd.to_datetime(
                ["2024-01-31", "2024-02-01", None, "2025-03-01"]
            ).tz_localize("UTC"),
            "note": ["=SUM(A1)", "", "ünïcødé", None],
        }
    )


def save(
    store: Store, frame: pd.DataFrame, n: int, name: str = "Monthly KPIs", kind: str = "kpi_return"
):
    return store.save_version(
        kind, name, frame, file_name=f"kpi_{n}.xlsx", file_sha256=sha(n), **as_(f"user{n}")
    )


TABLES = (
    store_schema.datasets,
    store_schema.versions,
    store_schema.version_data,
    store_schema.audit,
)


def table_counts(store: Store) -> dict[str, int]:
    engine = store._engine
    with engine.connect() as conn:
        return {
            t.name: conn.execute(sql_select(func.count()).select_from(t)).scalar_one()
            for t in TABLES
        }


def orphans(store: Store) -> int:
    """Version rows without data, data without a version, versions without a dataset, and
    datasets whose active version does not exist."""
    queries = [
        "SELECT count(*) FROM versions v LEFT JOIN version_data d ON d.version_id = v.id"
        " WHERE d.version_id IS NULL",
        "SELECT count(*) FROM version_data d LEFT JOIN versions v ON v.id = d.version_id WHERE v.id IS NULL",
        "SELECT count(*) FROM versions v LEFT JOIN datasets s ON s.id = v.dataset_id WHERE s.id IS NULL",
        "SELECT count(*) FROM datasets s LEFT JOIN versions v"
        " ON v.dataset_id = s.id AND v.version = s.active_version WHERE v.id IS NULL",
    ]
    with store._engine.connect() as conn:
        return sum(conn.execute(text(q)).scalar_one() for q in queries)


# --- where the database lives -------------------------------------------------------------------


def test_database_url_defaults_to_sqlite_in_the_user_data_dir(tmp_path: Path):
    env = {"SEND_LENS_DATA_DIR": str(tmp_path / "mine")}
    assert database_url(env) == f"sqlite:///{(tmp_path / 'mine' / 'send_lens.db').as_posix()}"
    assert (tmp_path / "mine").is_dir()
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg")}
    assert data_dir(env, windows=False) == str(tmp_path / "xdg" / "send-lens")
    assert (tmp_path / "xdg" / "send-lens").is_dir()
    assert data_dir({"XDG_DATA_HOME": "relative"}, windows=False).endswith(
        "/.local/share/send-lens"
    )
    win = data_dir({"LOCALAPPDATA": r"C:\Users\ann\AppData\Local"}, windows=True)
    assert win == r"C:\Users\ann\AppData\Local\send-lens"


def test_database_url_from_the_environment_uses_psycopg():
    pg = "postgresql+psycopg://u:p@db/x"
    assert database_url({"SEND_LENS_DATABASE_URL": "postgresql://u:p@db/x"}) == pg
    assert (
        database_url({"SEND_LENS_DATABASE_URL": "postgres://u@db/x"})
        == "postgresql+psycopg://u@db/x"
    )
    assert database_url({"SEND_LENS_DATABASE_URL": "sqlite:////tmp/x.db"}) == "sqlite:////tmp/x.db"
    with pytest.raises(ValueError, match="SQLite and PostgreSQL"):
        database_url({"SEND_LENS_DATABASE_URL": "mysql://u@db/x"})


def test_sqlite_has_wal_busy_timeout_and_foreign_keys(tmp_path: Path):
    s = Store(f"sqlite:///{tmp_path / 'x.db'}")
    with s._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert (
            conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
            == store_schema.SQLITE_BUSY_TIMEOUT_MS
        )
    s.close()


# --- saving and loading ----------------------------------------------------------------------------


def test_round_trip_keeps_types_and_values(store: Store):
    frame = sample()
    info = save(store, frame, 1)
    assert (info.version, info.active, info.duplicate) == (1, True, False)
    assert (info.row_count, info.column_count) == (4, 9)
    assert (info.period_from, info.period_to) == ("2023/24", "2025-03")
    assert info.created_at.tzinfo is not None and info.label == "upload:Monthly KPIs v1"
    loaded = store.load(info.dataset_id, **ANN)
    pd.testing.assert_frame_equal(loaded, frame)
    assert loaded["urn"].tolist()[:2] == ["012345", "100001"]
    assert store.version_info(info.dataset_id, **ANN) == info


def test_attrs_do_not_travel_through_the_store(store: Store):
    frame = sample()
    frame.attrs["shared"] = True  # the mark that lets indicators.py cache a table for everyone
    info = save(store, frame, 1)
    assert store.load(info.dataset_id, **ANN).attrs == {}
    assert frame.attrs == {"shared": True}


def test_versions_increment_and_are_listed(store: Store):
    first = save(store, sample(), 1)
    second = save(store, sample().head(2), 2)
    other = save(store, sample(), 3, name="Another")
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert first.dataset_id == second.dataset_id != other.dataset_id
    versions = store.list_versions(first.dataset_id, **ANN)
    assert versions["version"].tolist() == [2, 1]
    assert versions["active"].tolist() == [True, False]
    assert versions["row_count"].tolist() == [2, 4]
    assert versions["created_by"].tolist() == ["user2", "user1"]
    datasets = store.list_datasets(**ANN).set_index("name")
    assert datasets.loc["Monthly KPIs", "active_version"] == 2
    assert datasets.loc["Monthly KPIs", "versions"] == 2
    assert datasets.loc["Monthly KPIs", "rows"] == 2
    assert datasets.loc["Another", "versions"] == 1
    assert not datasets["record_level"].any()
    assert datasets["uploaded_at"].dt.tz is not None
    pd.testing.assert_frame_equal(store.load(first.dataset_id, 1, **ANN), sample())


def test_same_name_in_another_kind_is_another_dataset(store: Store):
    a = save(store, sample(), 1, name="2025", kind="kpi_return")
    b = save(store, sample(), 2, name="2025", kind="ehc_tracker")
    assert a.dataset_id != b.dataset_id and b.record_level and not a.record_level
    assert set(store.load_kind("ehc_tracker", **ANN)) == {"2025"}
    assert store.list_datasets(**ANN).set_index("kind").loc["ehc_tracker", "record_level"]


def test_load_active_returns_each_datasets_active_version(store: Store):
    save(store, sample(), 1, name="A")
    save(store, sample().head(1), 2, name="A")
    b = save(store, sample(), 3, name="B")
    save(store, sample(), 4, name="C", kind="survey")
    loaded = store.load_active("kpi_return", **ANN)
    assert [(i.name, i.version, len(f)) for i, f in loaded] == [("A", 2, 1), ("B", 1, 4)]
    store.rollback(loaded[0][0].dataset_id, 1, **as_("ann"))
    assert {n: len(f) for n, f in store.load_kind("kpi_return", **ANN).items()} == {"A": 4, "B": 4}
    assert store.load_kind("cohort", **ANN) == {}
    assert b.source_rows is None


def test_duplicate_upload_writes_nothing(store: Store):
    first = save(store, sample(), 1)
    before = table_counts(store)
    again = store.save_version(
        "kpi_return",
        "Monthly KPIs",
        sample(),
        file_name="renamed.xlsx",
        file_sha256=sha(1).upper(),
        **as_("bob"),
    )
    assert again.duplicate and again.version == 1 and again.created_by == "user1"
    assert table_counts(store) == before
    # Identical to a version that is no longer active: a real new upload, so a new version.
    save(store, sample().head(1), 2)
    store.rollback(first.dataset_id, 1, **as_("ann"))
    third = save(store, sample().head(1), 2)
    assert (third.version, third.duplicate) == (3, False)


def test_rollback_changes_the_active_version_and_keeps_all(store: Store):
    first = save(store, sample(), 1)
    save(store, sample().head(2), 2)
    back = store.rollback(first.dataset_id, 1, **as_("carol"))
    assert (back.version, back.active) == (1, True)
    pd.testing.assert_frame_equal(store.load(first.dataset_id, **ANN), sample())
    versions = store.list_versions(first.dataset_id, **ANN)
    assert versions["version"].tolist() == [2, 1] and versions["active"].tolist() == [False, True]
    assert len(store.load(first.dataset_id, 2, **ANN)) == 2
    assert store.list_datasets(**ANN).loc[0, "updated_by"] == "carol"
    forward = store.rollback(first.dataset_id, 2, **as_("dan"))
    assert forward.version == 2
    with pytest.raises(NotFoundError):
        store.rollback(first.dataset_id, 9, **as_("dan"))
    with pytest.raises(NotFoundError):
        store.rollback(999, 1, **as_("dan"))
    assert store.list_versions(first.dataset_id, **ANN)["active"].tolist() == [True, False]


def test_delete_removes_the_dataset_its_versions_and_data(store: Store):
    gone = save(store, sample(), 1)
    save(store, sample().head(1), 2)
    kept = save(store, sample(), 3, name="Kept")
    assert store.delete_dataset(gone.dataset_id, **as_("erin")) == 2
    assert table_counts(store) == {"datasets": 1, "versions": 1, "version_data": 1, "audit": 4}
    assert store.list_datasets(**ANN)["name"].tolist() == ["Kept"]
    for call in (
        lambda: store.load(gone.dataset_id, **ANN),
        lambda: store.load(gone.dataset_id, 1, **ANN),
        lambda: store.list_versions(gone.dataset_id, **ANN),
        lambda: store.delete_dataset(gone.dataset_id, **as_("erin")),
    ):
        with pytest.raises(NotFoundError):
            call()
    pd.testing.assert_frame_equal(store.load(kept.dataset_id, **ANN), sample())
    again = save(store, sample(), 4)  # the name is free again; the id is never reused
    assert again.version == 1 and again.dataset_id not in (gone.dataset_id, kept.dataset_id)


def test_audit_rows_for_save_rollback_and_delete(store: Store):
    first = save(store, sample(), 1)
    save(store, sample().head(1), 2)
    save(store, sample().head(1), 2)  # duplicate: nothing written, nothing audited
    store.rollback(first.dataset_id, 1, **as_("carol"))
    store.rollback(first.dataset_id, 1, **as_("carol"))  # already active: no change, no row
    store.delete_dataset(first.dataset_id, **as_("erin"))
    log = store.audit_log(**ANN)
    assert log["action"].tolist() == ["delete", "rollback", "save", "save"]
    assert log["actor"].tolist() == [
        f"{who}@example.org" for who in ("erin", "carol", "user2", "user1")
    ]
    assert (log["workspace_id"] == "local").all()
    assert log["version"].tolist() == [1, 1, 2, 1]
    assert (log["dataset_id"] == first.dataset_id).all() and (log["name"] == "Monthly KPIs").all()
    assert log.loc[0, "detail"] == {"versions_removed": 2}
    assert log.loc[1, "detail"] == {"from_version": 2}
    assert log.loc[3, "detail"] == {"rows": 4, "columns": 9, "file_sha256": sha(1)}
    assert log["at"].is_monotonic_decreasing and log["at"].dt.tz is not None
    assert (
        len(store.audit_log(limit=1, **ANN)) == 1
        and len(store.audit_log(dataset_id=12345, **ANN)) == 0
    )


def test_bad_arguments_are_refused_before_anything_is_written(store: Store):
    cases = [
        dict(kind="KPI Return", name="x", file_sha256=sha(1)),
        dict(kind="kpi_return", name="  ", file_sha256=sha(1)),
        dict(kind="kpi_return", name="x", file_sha256="abc"),
    ]
    for case in cases:
        with pytest.raises(ValueError):
            store.save_version(frame=sample(), file_name="f.csv", **case, **ANN)
    with pytest.raises(TypeError, match="User"):  # a bare name is not an identity
        store.save_version(
            "kpi_return",
            "x",
            sample(),
            file_name="f.csv",
            file_sha256=sha(1),
            by="root",
            workspace="local",
        )
    with pytest.raises(ValueError, match="column 'mixed' mixes types") as caught:
        save(store, pd.DataFrame({"mixed": ["SECRET-NAME", 3]}), 1)
    assert "SECRET" not in str(caught.value)
    with pytest.raises(ValueError, match="unique strings"):
        save(store, pd.DataFrame([[1, 2]], columns=["a", "a"]), 1)
    assert table_counts(store) == {"datasets": 0, "versions": 0, "version_data": 0, "audit": 0}


def test_damaged_data_is_detected(store: Store):
    info = save(store, sample(), 1)
    with store._engine.begin() as conn:
        conn.execute(store_schema.version_data.update().values(sha256=sha(0)))
    with pytest.raises(StoreError, match="damaged"):
        store.load(info.dataset_id, **ANN)


def test_concurrent_saves_queue_and_number_versions_uniquely(store: Store):
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(3):
                save(store, sample().head(1 + i), 100 + worker * 10 + i, name="Shared")
                store.list_datasets(**ANN)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    dataset_id = int(store.list_datasets(**ANN).loc[0, "dataset_id"])
    assert sorted(store.list_versions(dataset_id, **ANN)["version"]) == list(range(1, 13))
    assert orphans(store) == 0


def test_readers_are_not_blocked_by_a_writer(store: Store, monkeypatch):
    first = save(store, sample(), 1)
    inside, release = threading.Event(), threading.Event()
    original = Store._insert_data

    def slow(self, *args):
        original(self, *args)
        inside.set()
        release.wait(10)

    monkeypatch.setattr(Store, "_insert_data", slow)
    writer = threading.Thread(target=save, args=(store, sample().head(1), 2))
    writer.start()
    try:
        assert inside.wait(10)
        # Mid-write, other sessions still read the last committed state at once.
        assert store.list_datasets(**ANN).loc[0, "active_version"] == 1
        pd.testing.assert_frame_equal(store.load(first.dataset_id, **ANN), sample())
    finally:
        release.set()
        writer.join()
    assert store.list_datasets(**ANN).loc[0, "active_version"] == 2


# --- atomicity: an exception, then a real kill -------------------------------------------------------


@pytest.mark.parametrize("failing", ["_insert_data", "audit"])
def test_an_exception_mid_save_leaves_the_previous_version(store: Store, monkeypatch, failing: str):
    first = save(store, sample(), 1)
    before = table_counts(store)

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    if failing == "audit":  # the audit row is written last, in the same transaction
        monkeypatch.setattr(store_audit, "record", boom)
    else:
        monkeypatch.setattr(Store, failing, boom)
    with pytest.raises(RuntimeError, match="disk on fire"):
        save(store, sample().head(1), 2)
    with pytest.raises(RuntimeError):
        save(store, sample(), 3, name="Brand new")  # a new dataset leaves no row either
    monkeypatch.undo()
    assert table_counts(store) == before
    assert orphans(store) == 0
    assert store.list_versions(first.dataset_id, **ANN)["version"].tolist() == [1]
    pd.testing.assert_frame_equal(store.load(first.dataset_id, **ANN), sample())
    assert save(store, sample().head(1), 2).version == 2  # the number was not used up


KILL_CHILD = r"""
import sys, time
import numpy as np, pandas as pd
from store.datasets import Store
from store.identity import User

url, point = sys.argv[1], sys.argv[2]
original = Store._insert_data

def stall(self, conn, version_id, blob, sha256):
    # Inside the open transaction: the version row is in; the data is in too for "after_data".
    if point == "after_data":
        original(self, conn, version_id, blob, sha256)
    print(f"ready {len(blob)}", flush=True)
    time.sleep(120)

Store._insert_data = stall
rng = np.random.default_rng(7)
n = 300_000
frame = pd.DataFrame({"x": rng.random(n), "y": rng.random(n), "code": rng.integers(0, 10**9, n).astype(str)})
Store(url).save_version(
    "kpi_return", "Monthly KPIs", frame, file_name="big.csv", file_sha256="f" * 64,
    by=User("child@example.org", local=True), workspace="local",
)
print("committed", flush=True)
"""


@pytest.mark.parametrize("point", ["before_data", "after_data"])
def test_a_kill_mid_save_leaves_the_previous_version_intact(store: Store, url: str, point: str):
    first = save(store, sample(), 1)
    before = table_counts(store)
    wal = Path(f"{make_url(url).database}-wal") if store.backend == "sqlite" else None
    wal_before = wal.stat().st_size if wal is not None and wal.exists() else 0
    child = subprocess.Popen(
        [sys.executable, "-c", KILL_CHILD, url, point],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        ready, _, _ = select.select([child.stdout], [], [], 60)
        line = child.stdout.readline().decode() if ready else ""
        assert line.startswith("ready"), (
            f"child never reached the write: {child.stderr.read1().decode()}"
        )
        blob_bytes = int(line.split()[1])
        assert blob_bytes > 4_000_000  # a large write, bigger than SQLite's page cache
        if store.backend == "postgresql":
            with store._engine.connect() as conn:
                open_tx = conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'"
                    )
                ).scalar_one()
            assert open_tx >= 1  # the child really is mid-transaction
        elif point == "after_data":
            # Uncommitted pages of the blob really are in the file (SQLite spills what does
            # not fit its page cache).
            assert wal.stat().st_size - wal_before > 2_000_000
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()

    reopened = Store(url)
    try:
        assert table_counts(reopened) == before
        assert orphans(reopened) == 0
        versions = reopened.list_versions(first.dataset_id, **ANN)
        assert versions["version"].tolist() == [1] and versions["active"].tolist() == [True]
        pd.testing.assert_frame_equal(reopened.load(first.dataset_id, **ANN), sample())
        if reopened.backend == "sqlite":
            with reopened._engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        # The store still takes writes (on PostgreSQL once the server has seen the client go).
        assert save(reopened, sample().head(1), 2).version == 2
    finally:
        reopened.close()


def test_logs_carry_ids_and_counts_never_data(store: Store, caplog):
    caplog.set_level("DEBUG", logger="store.datasets")
    info = save(store, pd.DataFrame({"child_name": ["Ada Example"]}), 1, name="Secret name")
    store.rollback(info.dataset_id, 1, **as_("a"))
    store.delete_dataset(info.dataset_id, **as_("a"))
    text_logged = caplog.text
    assert "Ada Example" not in text_logged and "Secret name" not in text_logged
    assert "saved dataset" in text_logged


# --- files owner-only, integrity at start, failures that say whether a save happened -------------


def test_store_files_are_owner_only_and_loose_ones_tightened(tmp_path: Path, monkeypatch):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    monkeypatch.setenv("SEND_LENS_DATA_DIR", str(folder))
    monkeypatch.delenv("SEND_LENS_DATABASE_URL", raising=False)
    s = Store()
    save(s, sample(), 1)
    db = folder / "send_lens.db"
    assert any("now owner-only" in n and str(folder) in n for n in s.notices)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {"send_lens.db", "send_lens.db-wal", "send_lens.db-shm"} <= set(modes)
    assert set(modes.values()) == {0o600}, modes
    s.close()
    db.chmod(0o644)
    again = Store()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert any(str(db) in n for n in again.notices)
    again.close()


def test_a_damaged_sqlite_file_is_caught_at_start_naming_the_file(tmp_path: Path):
    path = tmp_path / "store.db"
    s = Store(f"sqlite:///{path}")
    for n in range(1, 4):
        save(s, pd.DataFrame({"value": np.random.default_rng(n).random(3000)}), n)
    s.close()  # the last connection checkpoints the WAL into the file
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 8 * page
    data[3 * page : 6 * page] = b"\xa5" * (3 * page)  # pages of tables and indexes
    path.write_bytes(bytes(data))
    with pytest.raises(StoreDamagedError) as caught:
        Store(f"sqlite:///{path}")
    assert str(path) in str(caught.value) and "backup" in str(caught.value)


def test_a_file_that_is_not_a_database_or_not_ours_is_refused(tmp_path: Path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all " * 200)
    with pytest.raises(StoreDamagedError, match=r"junk\.db"):
        Store(f"sqlite:///{junk}")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(StoreDamagedError, match=r"not a SEND Lens store.*invoices"):
        Store(f"sqlite:///{other}")
    with sqlite3.connect(other) as conn:  # and nothing was added to it
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert names == ["invoices"]


def test_an_unreachable_postgresql_is_a_clear_failure():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once closed
    url = f"postgresql://u:secret@127.0.0.1:{port}/db?connect_timeout=3"
    with pytest.raises(StoreUnavailableError) as caught:
        Store(url)
    message = str(caught.value)
    assert "cannot be reached" in message and "secret" not in message and str(port) in message


def test_a_full_database_refuses_the_save_and_keeps_the_previous_version(tmp_path: Path):
    # SQLite's own "database or disk is full" (SQLITE_FULL), raised by the driver: the page
    # limit is how SQLite itself caps a file, so this is the error a full disk gives.
    path = tmp_path / "store.db"
    s = Store(f"sqlite:///{path}")
    first = save(s, sample(), 1)
    s.close()
    pages = int(sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0])
    capped = Store(f"sqlite:///{path}")
    event.listen(
        capped._engine,
        "connect",
        lambda dbapi, _rec: dbapi.execute(f"PRAGMA max_page_count = {pages + 2}"),
    )
    capped._engine.dispose()
    big = pd.DataFrame({"value": np.random.default_rng(1).random(200_000)})
    with pytest.raises(StoreFullError) as caught:
        save(capped, big, 2)
    assert caught.value.saved is False
    assert "Nothing was saved" in str(caught.value) and str(path) in str(caught.value)
    assert capped.version_info(first.dataset_id, **ANN).version == 1
    assert len(capped.list_versions(first.dataset_id, **ANN)) == 1


def test_a_read_only_database_refuses_writes_with_a_message(tmp_path: Path):
    path = tmp_path / "store.db"
    s = Store(f"sqlite:///{path}")
    first = save(s, sample(), 1)
    s.close()
    read_only = Store(f"sqlite:///file:{path}?mode=ro&uri=true")
    with pytest.raises(StoreReadOnlyError) as caught:
        save(read_only, sample(), 2)
    assert "Nothing was saved" in str(caught.value) and caught.value.saved is False
    assert len(read_only.list_versions(first.dataset_id, **ANN)) == 1


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MB filesystem (tmpfs), so the store meets a real full and read-only disk."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
    )
    if made.returncode != 0:
        pytest.skip("mounting a tmpfs needs root; the page-limit test covers a full database")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_and_then_read_only_disk(tiny_disk: Path):
    s = Store(f"sqlite:///{tiny_disk / 'store.db'}")
    first = save(s, sample(), 1)
    big = pd.DataFrame({"value": np.random.default_rng(2).random(300_000)})  # 2.4 MB
    with pytest.raises(StoreFullError) as full:
        save(s, big, 2)
    assert "full" in str(full.value) and "Nothing was saved" in str(full.value)
    assert s.version_info(first.dataset_id, **ANN).version == 1
    pd.testing.assert_frame_equal(s.load(first.dataset_id, **ANN), sample())
    s.close()
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
    with pytest.raises(StoreReadOnlyError) as ro:
        save(Store(f"sqlite:///{tiny_disk / 'store.db'}"), sample().head(2), 3)
    assert "read-only" in str(ro.value) and str(tiny_disk) in str(ro.value)


# --- retention -----------------------------------------------------------------------------------


ADMIN = ANN["by"]  # the local user: an instance admin


def instance_audit(store: Store) -> pd.DataFrame:
    """The audit rows of instance-wide actions (no workspace), newest first."""
    rows = store_audit.audit_rows(store._engine, ADMIN)
    return rows[rows["workspace_id"].isna()].reset_index(drop=True)


def test_retention_deletes_old_inactive_versions_never_the_active_one(store: Store):
    for n in range(1, 6):
        save(store, sample().head(n), n)  # versions 1..5 of one dataset
    other = save(store, sample(), 9, name="Other")
    listed = store.list_datasets(**ANN).set_index("name")
    dataset_id = int(listed.loc["Monthly KPIs", "dataset_id"])
    store.rollback(dataset_id, 2, **ANN)  # version 2 is in use
    assert store_admin.retention(store) == Retention()
    store_admin.set_retention(store, Retention(keep_versions=2), by=ADMIN)
    assert store_admin.retention(store) == Retention(keep_versions=2)
    removed = store_admin.apply_retention(store, by=ADMIN)
    # The newest two (5, 4) are kept, 2 stays because it is active: 1 and 3 go.
    assert removed == 2
    assert store.list_versions(dataset_id, **ANN)["version"].tolist() == [5, 4, 2]
    assert store.version_info(dataset_id, **ANN).version == 2
    assert len(store.list_versions(other.dataset_id, **ANN)) == 1
    rows = instance_audit(store)
    assert rows["action"].tolist()[:2] == ["retention", "retention_set"]
    assert (rows["actor"].iloc[0], rows["actor"].iloc[1]) == (ADMIN.email, ADMIN.email)
    assert rows["detail"].iloc[0]["versions_removed"] == 2
    assert rows["detail"].iloc[0]["datasets"] == {str(dataset_id): 2}
    assert rows["detail"].iloc[1] == {"keep_versions": 2, "max_age_days": None}
    with store._engine.connect() as conn:
        blobs = conn.execute(sql_select(func.count()).select_from(store_schema.version_data))
        assert blobs.scalar_one() == 4  # 3 versions kept + Other's one


def test_retention_by_age_counts_days_from_each_save(store: Store):
    for n in range(1, 4):
        save(store, sample(), n)
    dataset_id = int(store.list_datasets(**ANN)["dataset_id"].iloc[0])
    saved_on = {1: datetime(2025, 1, 1), 2: datetime(2025, 2, 1), 3: datetime(2025, 3, 1)}
    with store._engine.begin() as conn:
        for version, when in saved_on.items():
            conn.execute(
                update(store_schema.versions)
                .where(store_schema.versions.c.version == version)
                .values(created_at=when.replace(tzinfo=UTC))
            )
    now = datetime(2025, 3, 5, tzinfo=UTC)
    store_admin.set_retention(store, Retention(max_age_days=40), by=ADMIN)
    # On 5 March: version 1 is 63 days old (goes), version 2 is 32 days old (stays).
    assert store_admin.apply_retention(store, by=ADMIN, now=now) == 1
    assert store.list_versions(dataset_id, **ANN)["version"].tolist() == [3, 2]
    store_admin.set_retention(store, Retention(max_age_days=3), by=ADMIN)
    # Version 3 is 4 days old, but it is the one in use.
    assert store_admin.apply_retention(store, by=ADMIN, now=now) == 1
    assert store.list_versions(dataset_id, **ANN)["version"].tolist() == [3]


def test_retention_spans_every_workspace(store: Store):
    """The setting is instance-wide: applying it trims every workspace's old versions."""
    from store import workspaces

    workspaces.create_workspace(store._engine, ADMIN, "west", "West", [])
    west = {"by": ADMIN, "workspace": "west"}
    for n in range(1, 4):
        save(store, sample().head(n), n)
        store.save_version(
            "kpi_return",
            "West KPIs",
            sample().head(n),
            file_name="w.xlsx",
            file_sha256=sha(10 + n),
            **west,
        )
    store_admin.set_retention(store, Retention(keep_versions=1), by=ADMIN)
    assert store_admin.apply_retention(store, by=ADMIN) == 4  # 2 old versions in each
    local_id = int(store.list_datasets(**ANN)["dataset_id"].iloc[0])
    west_id = int(store.list_datasets(**west)["dataset_id"].iloc[0])
    assert store.list_versions(local_id, **ANN)["version"].tolist() == [3]
    assert store.list_versions(west_id, **west)["version"].tolist() == [3]


def test_retention_needs_an_instance_admin(store: Store, monkeypatch: pytest.MonkeyPatch):
    """An admin of a workspace is not enough: the setting applies to every workspace."""
    from store import workspaces
    from store.access import PermissionDenied

    monkeypatch.setenv("SEND_LENS_ADMINS", "boss@council.gov.uk")
    boss = User("Boss@Council.gov.uk")
    workspaces.create_workspace(store._engine, boss, "west", "West", [])
    wendy = User("wendy@council.gov.uk")
    workspaces.set_role(store._engine, boss, "west", wendy.email, "admin")
    for n in range(1, 3):
        store.save_version(
            "kpi_return",
            "West KPIs",
            sample().head(n),
            file_name="w.xlsx",
            file_sha256=sha(n),
            by=wendy,
            workspace="west",
        )
    before = len(store_audit.audit_rows(store._engine, boss))
    with pytest.raises(
        PermissionDenied, match=r"wendy@council\.gov\.uk cannot change the retention"
    ):
        store_admin.set_retention(store, Retention(keep_versions=1), by=wendy)
    store_admin.set_retention(store, Retention(keep_versions=1), by=boss)
    with pytest.raises(PermissionDenied, match="SEND_LENS_ADMINS"):
        store_admin.apply_retention(store, by=wendy)
    assert store_admin.retention(store) == Retention(keep_versions=1)
    west_id = int(store.list_datasets(by=wendy, workspace="west")["dataset_id"].iloc[0])
    assert len(store.list_versions(west_id, by=wendy, workspace="west")) == 2  # none deleted
    rows = store_audit.audit_rows(store._engine, boss)
    assert len(rows) == before + 1 and rows["actor"].iloc[0] == "boss@council.gov.uk"
    assert store_admin.apply_retention(store, by=boss) == 1


def test_a_retention_limit_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        Retention(keep_versions=0)


def test_a_store_from_before_key_fingerprints_gains_the_column(store: Store, url: str):
    first = save(store, sample(), 1)
    with store._engine.begin() as conn:
        conn.execute(text("ALTER TABLE versions DROP COLUMN key_fingerprint"))
    store.close()
    reopened = Store(url)  # add_missing_columns puts it back, old rows NULL
    assert reopened.version_info(first.dataset_id, **ANN).key_fingerprint is None
    pd.testing.assert_frame_equal(reopened.load(first.dataset_id, **ANN), sample())
    assert save(reopened, sample(), 2).version == 2
    with reopened._engine.connect() as conn:
        assert store_schema.add_missing_columns(conn, store_schema.metadata) == []
    reopened.close()


def test_each_backend_upserts_with_its_own_dialect():
    # Imported when a store writes (not on every page), so the PostgreSQL path, which needs
    # a server to run end to end, is checked here for picking PostgreSQL's own insert.
    from sqlalchemy.dialects import postgresql, sqlite

    from store.datasets import dialect_insert

    assert dialect_insert("postgresql") is postgresql.insert
    assert dialect_insert("sqlite") is sqlite.insert
