"""Where the upload store lives, its tables, its engine and how a frame is encoded (see
``store.py``, which holds the ``Store`` itself).

SQLAlchemy Core only. The schema is created with ``MetaData.create_all``; there are no
migrations yet. When the schema first changes, add Alembic and make revision 1 match
``SCHEMA_VERSION`` 1 below (it is recorded in ``store_meta``).

Table layout (every upload is one dataset version; nothing is updated in place except
``datasets.active_version`` and ``datasets.updated_*``):

``datasets``      one row per (kind, name): which version is active, who last changed it.
``versions``      one row per upload: number, who, when (UTC), file name and SHA-256, row and
                  column counts, periods covered.
``version_data``  the uploaded frame itself, one Parquet blob per version, with its SHA-256.
``audit``         one row per sign-in, save, rollback, delete, role change, export or key
                  change: who (email), when, which workspace, what. Deliberately no foreign
                  key, so the trail survives the deletion of what it describes; append-only
                  (a trigger refuses UPDATE and DELETE on both back ends).
``workspaces``    one partnership's data: id, name, the LA codes it covers. Every dataset (and
                  every commentary and action, ``store.actions``) belongs to one.
``memberships``   who (email) has which role (viewer, analyst, admin) in which workspace.
``store_meta``    key/value pairs; ``schema_version``.
"""

from __future__ import annotations

import hashlib
import io
import ntpath
import os
import re
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.schema import CreateColumn, CreateTable

import tidy
from uploads import keys

APP_DIR_NAME = "send-lens"
DB_FILE = "send_lens.db"
SCHEMA_VERSION = 1
DEFAULT_WORKSPACE = "local"  # where a store made before workspaces puts its data
SQLITE_BUSY_TIMEOUT_MS = 30_000
# The execution option that marks a write transaction (SQLite then takes the write lock at
# BEGIN, so two writers queue instead of one failing half-way).
WRITE = "send_lens_write"


class StoreError(Exception):
    """Something the store cannot do; the message never contains uploaded data."""


class NotFoundError(StoreError, LookupError):
    """No such dataset or version."""


metadata = MetaData()

datasets = Table(
    "datasets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("workspace_id", String(40), nullable=False, server_default=DEFAULT_WORKSPACE),
    Column("active_version", Integer, nullable=True),  # a version number of this dataset
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(200), nullable=False),
    UniqueConstraint("workspace_id", "kind", "name", name="uq_datasets_workspace_kind_name"),
    sqlite_autoincrement=True,  # ids are never reused, so the audit trail stays unambiguous
)

versions = Table(
    "versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "dataset_id",
        Integer,
        ForeignKey("datasets.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("version", Integer, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("file_name", String(500), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("row_count", BigInteger, nullable=False),
    Column("column_count", Integer, nullable=False),
    Column("source_rows", BigInteger, nullable=True),
    Column("period_from", String(10), nullable=True),
    Column("period_to", String(10), nullable=True),
    Column("data_bytes", BigInteger, nullable=False),
    # The pseudonymisation key's fingerprint (uploads.keys) when the data holds hashed ids;
    # added after schema 1 by add_missing_columns, so it is nullable.
    Column("key_fingerprint", String(64), nullable=True),
    UniqueConstraint("dataset_id", "version", name="uq_versions_dataset_version"),
    sqlite_autoincrement=True,
)

version_data = Table(
    "version_data",
    metadata,
    Column(
        "version_id",
        Integer,
        ForeignKey("versions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("format", String(20), nullable=False),  # "parquet"
    Column("sha256", String(64), nullable=False),  # of the blob, checked on every load
    Column("data", LargeBinary, nullable=False),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(20), nullable=False),  # one of store.audit.ACTIONS
    Column("dataset_id", Integer, nullable=True),  # no foreign key: survives a delete
    Column("kind", String(40), nullable=True),
    Column("name", String(200), nullable=True),
    Column("version", Integer, nullable=True),
    Column("detail", JSON, nullable=True),  # ids and counts only, never data
    # None for a sign-in; rows written before workspaces belong to the default one.
    Column("workspace_id", String(40), nullable=True, server_default=DEFAULT_WORKSPACE),
    Index("ix_audit_dataset", "dataset_id"),
    sqlite_autoincrement=True,
)

workspaces = Table(
    "workspaces",
    metadata,
    Column("id", String(40), primary_key=True),  # a slug: "local", "west-yorkshire"
    Column("name", String(200), nullable=False),
    Column("la_codes", Text, nullable=False, server_default=""),  # comma-separated GSS codes
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
)

memberships = Table(
    "memberships",
    metadata,
    Column("email", String(200), primary_key=True),  # lower-cased, as store.identity.User
    Column(
        "workspace_id",
        String(40),
        ForeignKey("workspaces.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("role", String(20), nullable=False),  # viewer, analyst, admin
    Column("granted_at", DateTime(timezone=True), nullable=False),
    Column("granted_by", String(200), nullable=False),
)

store_meta = Table(
    "store_meta",
    metadata,
    Column("key", String(50), primary_key=True),
    Column("value", Text, nullable=False),
)


# --- where the database lives and how to reach it -----------------------------------------------


def data_dir(env: Mapping[str, str] | None = None, *, windows: bool | None = None) -> str:
    """The user data directory, created if missing.

    ``SEND_LENS_DATA_DIR`` if set; else ``%LOCALAPPDATA%\\send-lens`` on Windows; else
    ``$XDG_DATA_HOME/send-lens`` (when set to an absolute path) or ``~/.local/share/send-lens``.
    """
    env = os.environ if env is None else env
    windows = os.name == "nt" if windows is None else windows
    if env.get("SEND_LENS_DATA_DIR"):
        folder = os.path.expanduser(env["SEND_LENS_DATA_DIR"])
    elif windows:
        base = env.get("LOCALAPPDATA") or ntpath.join(os.path.expanduser("~"), "AppData", "Local")
        folder = ntpath.join(base, APP_DIR_NAME)
    else:
        xdg = env.get("XDG_DATA_HOME", "")
        base = (
            xdg if os.path.isabs(xdg) else os.path.join(os.path.expanduser("~"), ".local", "share")
        )
        folder = os.path.join(base, APP_DIR_NAME)
    if windows == (os.name == "nt"):  # only create real paths on this platform
        Path(folder).mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def database_url(env: Mapping[str, str] | None = None) -> str:
    """``SEND_LENS_DATABASE_URL`` (PostgreSQL gets the psycopg driver), else an SQLite file
    ``send_lens.db`` in :func:`data_dir`."""
    env = os.environ if env is None else env
    url = env.get("SEND_LENS_DATABASE_URL", "").strip()
    if url:
        return normalise_url(url)
    return "sqlite:///" + Path(data_dir(env), DB_FILE).as_posix()


def normalise_url(url: str) -> str:
    """Use the psycopg (v3) driver for PostgreSQL; reject back ends the store does not support.

    ``postgresql://`` and ``postgres://`` become ``postgresql+psycopg://``.
    """
    url = url.strip()
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(f"the store supports SQLite and PostgreSQL, not {backend!r}")
    return url


def secure_sqlite(url: str) -> list[str]:
    """Make an SQLite store owner-only before it is opened: the folder 0700 (created so, or
    tightened when it is SEND Lens's own data folder; a folder chosen by a URL may be shared,
    so it is left alone), the file created 0600 (SQLite gives its -wal and -shm files the
    database file's permissions), and any existing file, -wal or -shm tightened to 0600.
    Returns what it tightened, to be shown."""
    if make_url(url).get_backend_name() != "sqlite":
        return []
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return []
    path = Path(database)
    folder = path.parent
    notes: list[str] = []
    if not folder.exists() or folder.resolve() == Path(data_dir()).resolve():
        notes += keys.secure_folder(folder)
    if not path.exists():
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
        except OSError:
            return notes  # a read-only folder: opening the store will say so
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        # Not ours to change (another owner): SQLite's own errors will tell.
        with suppress(OSError):
            notes += keys.secure_file(file)
    return notes


def make_engine(url: str, **engine_args: Any) -> Engine:
    """An engine for the store. SQLite gets WAL, a busy timeout and foreign keys.

    WAL lets every Streamlit session read while one writes; the busy timeout makes a second
    writer wait for the first instead of failing; write transactions take the lock at BEGIN
    (``BEGIN IMMEDIATE``) so they never fail on upgrading a read lock part-way through.
    """
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "postgresql":
        engine_args.setdefault("pool_pre_ping", True)
        return create_engine(url, **engine_args)

    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    connect_args = dict(engine_args.pop("connect_args", {}))
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
    engine = create_engine(url, connect_args=connect_args, **engine_args)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy emits BEGIN itself (below), as its SQLite docs recommend, so that DDL
        # and SELECTs are transactional too.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@contextmanager
def creating_tables(engine: Engine, tables: MetaData, lock_key: int) -> Iterator[Connection]:
    """A write transaction that has created ``tables``' missing tables, safely when several
    processes start at once; more set-up can run in it before it commits."""
    with engine.connect() as conn:
        conn.execution_options(**{WRITE: True})
        with conn.begin():
            if engine.dialect.name == "postgresql":
                # DDL is transactional in PostgreSQL; the lock serialises concurrent starts.
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key})
            tables.create_all(conn, checkfirst=True)
            add_missing_columns(conn, tables)
            yield conn


def add_missing_columns(conn: Connection, tables: MetaData) -> list[str]:
    """Add to existing tables the columns ``tables`` declares and they lack (``table.column``
    names come back): the one migration the store needs so far (the workspace columns,
    ``versions.key_fingerprint``). A new column must be nullable or have a server default, so
    a store written by an older SEND Lens opens with its old rows kept and given a value."""
    inspector = inspect(conn)
    added = []
    for table in tables.sorted_tables:
        if not inspector.has_table(table.name):
            continue
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if column.primary_key or (not column.nullable and column.server_default is None):
                raise StoreError(f"cannot add the required column {table.name}.{column.name}")
            spec = CreateColumn(column).compile(dialect=conn.dialect)
            table_name = conn.dialect.identifier_preparer.format_table(table)
            conn.execute(text(f"ALTER TABLE {table_name} ADD COLUMN {spec}"))
            added.append(f"{table.name}.{column.name}")
    return added


_EXTRA_READY: dict[int, weakref.WeakSet[Engine]] = {}


def ensure_extra_tables(engine: Engine, tables: MetaData, lock_key: int) -> None:
    """Create a module's own tables beside the store's (and the columns an older store's
    lack), once per engine and table set per process; the store's schema first, since
    every row belongs to one of its workspaces."""
    ready = _EXTRA_READY.setdefault(lock_key, weakref.WeakSet())
    if engine in ready:
        return
    create_schema(engine)
    with creating_tables(engine, tables, lock_key):
        pass
    ready.add(engine)


def create_schema(engine: Engine) -> None:
    """Create any missing table, safely when several processes start at once; bring a store
    made before workspaces up to date (its data goes to the default workspace)."""
    if engine.dialect.name == "sqlite":
        _rebuild_sqlite_datasets(engine)
    with creating_tables(engine, metadata, 7346151) as conn:
        _unique_per_workspace(conn)
        append_only(conn, audit.name)
        if (
            conn.execute(
                select(workspaces.c.id).where(workspaces.c.id == DEFAULT_WORKSPACE)
            ).first()
            is None
        ):
            conn.execute(
                insert(workspaces).values(
                    id=DEFAULT_WORKSPACE,
                    name="Local",
                    la_codes="",
                    created_at=datetime.now(UTC),
                    created_by="send-lens",
                )
            )
        known = conn.execute(
            select(store_meta.c.value).where(store_meta.c.key == "schema_version")
        ).scalar_one_or_none()
        if known is None:
            conn.execute(insert(store_meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
        elif int(known) > SCHEMA_VERSION:
            raise RuntimeError(
                f"the store was written by a newer SEND Lens (schema {known}); upgrade this one"
            )


def _unique_per_workspace(conn: Connection) -> None:
    """Dataset names were unique per kind before workspaces; make them unique per workspace on
    PostgreSQL, so two partnerships can each keep a dataset of the same name (the example
    data). SQLite is rebuilt before this transaction (:func:`_rebuild_sqlite_datasets`)."""
    if conn.dialect.name != "postgresql":
        return
    old = [
        u
        for u in inspect(conn).get_unique_constraints(datasets.name)
        if list(u["column_names"]) == ["kind", "name"]
    ]
    if old:
        conn.execute(text(f'ALTER TABLE datasets DROP CONSTRAINT "{old[0]["name"]}"'))
        conn.execute(
            text(
                "ALTER TABLE datasets ADD CONSTRAINT uq_datasets_workspace_kind_name "
                "UNIQUE (workspace_id, kind, name)"
            )
        )


def _rebuild_sqlite_datasets(engine: Engine) -> None:
    """SQLite cannot drop a constraint: rebuild a pre-workspace ``datasets`` table the way
    SQLite's documentation says (foreign keys off, new table, copy, drop, rename, check), so
    deleting the old table does not cascade to the versions that point at it."""
    old_sql = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'datasets'"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        found = cursor.execute(old_sql).fetchone()
        if found is None or "uq_datasets_kind_name" not in found[0]:
            return
        cursor.execute("PRAGMA foreign_keys = OFF")  # only outside a transaction
        cursor.execute("BEGIN IMMEDIATE")
        try:
            found = cursor.execute(old_sql).fetchone()  # another process may have done it
            if "uq_datasets_kind_name" in found[0]:
                present = [r[1] for r in cursor.execute("PRAGMA table_info(datasets)")]
                names = ", ".join(c.name for c in datasets.columns if c.name in present)
                sequence = cursor.execute(
                    "SELECT seq FROM sqlite_sequence WHERE name = 'datasets'"
                ).fetchone()
                staging = datasets.to_metadata(MetaData(), name="datasets_rebuilt")
                cursor.execute(str(CreateTable(staging).compile(dialect=engine.dialect)))
                cursor.execute(
                    f"INSERT INTO datasets_rebuilt ({names}) SELECT {names} FROM datasets"
                )
                cursor.execute("DROP TABLE datasets")
                cursor.execute("ALTER TABLE datasets_rebuilt RENAME TO datasets")
                if sequence is not None:  # ids are never reused, even of deleted datasets
                    cursor.execute(
                        "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'datasets'",
                        (sequence[0],),
                    )
                if cursor.execute("PRAGMA foreign_key_check").fetchall():
                    raise StoreError("the store's datasets could not be moved into workspaces")
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        finally:
            cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        raw.close()


def append_only(conn: Connection, table: str) -> None:
    """A trigger that refuses UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) on ``table``:
    the audit trail cannot be edited, not even by an admin with the app's database login."""
    message = f"the {table} table is append-only"
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(
                f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{message}'; END $$"
            )
        )
        for name, when in (("rows", "UPDATE OR DELETE"), ("truncate", "TRUNCATE")):
            each = "ROW" if name == "rows" else "STATEMENT"
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only_{name} ON {table}"))
            conn.execute(
                text(
                    f"CREATE TRIGGER {table}_append_only_{name} BEFORE {when} ON {table} "
                    f"FOR EACH {each} EXECUTE FUNCTION {table}_append_only()"
                )
            )
        return
    for event_name in ("UPDATE", "DELETE"):
        conn.exec_driver_sql(
            f"CREATE TRIGGER IF NOT EXISTS {table}_append_only_{event_name.lower()} "
            f"BEFORE {event_name} ON {table} BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )


# --- how a frame is kept ------------------------------------------------------------------------


def to_parquet(frame: pd.DataFrame) -> bytes:
    """The frame as Parquet bytes (zstd), its index and ``attrs`` left out.

    An error names the column at fault and never quotes a value from it.
    """
    names = list(frame.columns)
    if not all(isinstance(c, str) for c in names) or len(set(names)) != len(names):
        raise ValueError("column names must be unique strings")
    plain = frame.reset_index(drop=True)
    plain.attrs = {}  # e.g. a "shared" mark must not travel into or out of the store
    buffer = io.BytesIO()
    try:
        plain.to_parquet(buffer, engine="pyarrow", index=False, compression="zstd")
    except (pa.ArrowException, TypeError, ValueError):
        for col in names:
            try:
                pa.Table.from_pandas(plain[[col]], preserve_index=False)
            except (pa.ArrowException, TypeError, ValueError):
                raise ValueError(f"column {col!r} mixes types and cannot be stored") from None
        raise ValueError("the frame cannot be stored as Parquet") from None
    return buffer.getvalue()


def from_parquet(blob: bytes, sha256: str, what: str) -> pd.DataFrame:
    """Decode a stored blob after checking it against its SHA-256."""
    if hashlib.sha256(blob).hexdigest() != sha256:
        raise StoreError(f"the stored data of {what} is damaged (checksum mismatch)")
    frame = pd.read_parquet(io.BytesIO(blob), engine="pyarrow")
    frame.attrs = {}
    return frame


def period_range(frame: pd.DataFrame) -> tuple[str | None, str | None]:
    """Earliest and latest canonical period in a ``period`` column, if there is one."""
    if "period" not in frame.columns:
        return None, None
    labels = frame["period"].dropna().astype(str).str.strip().unique()
    canonical = [p for p in labels if re.fullmatch(tidy.PERIOD_PATTERN, p)]
    if not canonical:
        return None, None
    ordered = sorted(canonical, key=tidy.period_sort_key)
    return ordered[0], ordered[-1]
