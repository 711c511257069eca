"""The upload store: every local upload kept as a dataset version, in SQLite or PostgreSQL.

An analyst on a laptop gets an SQLite file in their user data directory; a hosted team
instance sets ``SEND_LENS_DATABASE_URL`` (or the same key in Streamlit secrets, which ``ui/``
reads and passes in) to a PostgreSQL URL. Both behave the same:

- every upload is a new version of a dataset (identified by kind and name), written in one
  transaction together with its data and an audit row. A crash, an exception or a kill
  part-way leaves the previous version active and intact, and no trace of the new one;
- an upload identical (same file SHA-256) to the active version writes nothing;
- a rollback makes another kept version active and deletes nothing; a delete removes a
  dataset, all its versions and data in one transaction; both are audited;
- the data is stored as one Parquet blob per version (types kept, one INSERT, fast for
  100,000 rows), checked against its SHA-256 on every load;
- every dataset belongs to one workspace, and every operation takes the acting
  ``store.identity.User`` (``by``) and the workspace, and checks the user's role there
  (``store.access.require``) in its own transaction: reading needs viewer, saving analyst,
  deleting and rolling back admin. A dataset of another workspace is "not found".

Record-level kinds (``RECORD_LEVEL_KINDS``) are child-level: callers must only show them
through aggregation functions. Nothing here logs or caches data: logs carry ids and counts,
and every load returns a fresh frame, so the result must never go into a cache shared
between sessions (``st.cache_resource`` may hold the ``Store`` itself, which holds no data).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, delete, func, insert, inspect, select, update

from store import audit as audit_trail
from store.access import Action, PermissionDenied, require
from store.failures import (
    DRIVER_ERRORS,
    KeyMismatchError,
    StoreDamagedError,
    StoreFailure,
    failure,
)
from store.identity import User
from store.schema import (
    WRITE,
    NotFoundError,
    StoreError,
    create_schema,
    data_dir,
    database_url,
    datasets,
    from_parquet,
    make_engine,
    normalise_url,
    period_range,
    secure_sqlite,
    to_parquet,
    version_data,
    versions,
)
from uploads.keys import FINGERPRINT_ATTR
from uploads.schemas import KINDS

__all__ = [
    "RECORD_LEVEL_KINDS",
    "NotFoundError",
    "PermissionDenied",
    "Store",
    "StoreError",
    "StoreFailure",
    "VersionInfo",
    "data_dir",
    "database_url",
]

log = logging.getLogger(__name__)

RECORD_LEVEL_KINDS = frozenset({"ehc_tracker", "cohort", "outcomes_return"})
_KIND = re.compile(r"[a-z][a-z0-9_]{0,39}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class VersionInfo:
    """One version of a dataset. ``duplicate`` is True when a save wrote nothing because the
    file was identical to the active version (this is then that version)."""

    dataset_id: int
    kind: str
    name: str
    version: int
    active: bool
    created_at: datetime  # UTC
    created_by: str
    file_name: str
    file_sha256: str
    row_count: int
    column_count: int
    source_rows: int | None
    period_from: str | None
    period_to: str | None
    data_bytes: int
    duplicate: bool = False
    workspace_id: str = ""
    key_fingerprint: str | None = None  # of the key its child ids were hashed with, if any

    @property
    def record_level(self) -> bool:
        return self.kind in RECORD_LEVEL_KINDS

    @property
    def label(self) -> str:
        """How a tidy row names its source: ``upload:<name> v<version>``."""
        return f"upload:{self.name} v{self.version}"


# --- the store ----------------------------------------------------------------------------------


def dialect_insert(backend: str) -> Any:
    """The backend's ``insert`` (with ``on_conflict_do_*``). PostgreSQL's dialect is imported
    only by a PostgreSQL store: it took 0.13-0.17 s of a laptop's first page (importtime)."""
    if backend == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


class Store:
    """Dataset versions in one database. Holds an engine (a connection pool), never data."""

    def __init__(self, url: str | None = None, **engine_args: Any) -> None:
        url = normalise_url(url) if url else database_url()
        # What was tightened at start (files or folder readable by others), for the Data page.
        self.notices: list[str] = secure_sqlite(url)
        self._engine = make_engine(url, **engine_args)
        try:
            if self.backend == "sqlite":
                self._check_integrity()
            create_schema(self._engine)
        except DRIVER_ERRORS as exc:
            self._engine.dispose()
            raise failure(exc, self.where, writing=False) from None
        except StoreFailure:
            self._engine.dispose()
            raise

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    @property
    def url(self) -> str:
        """The database URL with any password hidden, for showing on the Data page."""
        return self._engine.url.render_as_string(hide_password=True)

    @property
    def where(self) -> str:
        """The store as messages name it: the SQLite file, or the database URL (no password)."""
        url = self._engine.url
        return f"SQLite file {url.database}" if self.backend == "sqlite" else self.url

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    # --- writes ---------------------------------------------------------------------------------

    def save_version(
        self,
        kind: str,
        name: str,
        frame: pd.DataFrame,
        *,
        file_name: str,
        file_sha256: str,
        by: User,
        workspace: str,
        source_rows: int | None = None,
    ) -> VersionInfo:
        """Keep ``frame`` as the next version of dataset (kind, name) and make it active.

        One transaction inserts the dataset (if new), the version row, the data and an audit
        row, and points the dataset at the new version. If ``file_sha256`` equals the active
        version's, nothing is written and that version comes back with ``duplicate=True``.
        """
        kind, name, file_sha256 = _check(kind, name, file_sha256)
        created_by = _who(by)
        if len(file_name) > 500:
            raise ValueError("file name is longer than 500 characters")
        if not isinstance(frame, pd.DataFrame):
            raise TypeError("frame must be a pandas DataFrame")
        source_rows = None if source_rows is None else int(source_rows)
        with self._read(for_write=True) as conn:
            require(conn, by, workspace, Action.WRITE)
        fingerprint = _key_fingerprint(kind, frame)
        same = self._active_if_same(workspace, kind, name, file_sha256)
        if same is not None:  # checked again under the lock below; this spares the encoding
            return same
        blob = to_parquet(frame)
        blob_sha = hashlib.sha256(blob).hexdigest()
        period_from, period_to = period_range(frame)
        with self._write() as conn:
            require(conn, by, workspace, Action.WRITE)  # again: the role may have changed
            now = datetime.now(UTC)
            dataset = self._lock_or_create(conn, workspace, kind, name, created_by, now)
            dataset_id = int(dataset["id"])
            if fingerprint is not None:
                self._refuse_other_keys(conn, workspace, fingerprint)
            if dataset["active_version"] is not None:
                active = self._info(conn, workspace, dataset_id, int(dataset["active_version"]))
                if active.file_sha256 == file_sha256:
                    log.info(
                        "store: dataset %d upload equals active version %d",
                        dataset_id,
                        active.version,
                    )
                    return replace(active, duplicate=True)
            previous = conn.execute(
                select(func.max(versions.c.version)).where(versions.c.dataset_id == dataset_id)
            ).scalar_one()
            number = int(previous or 0) + 1
            row = {
                "dataset_id": dataset_id,
                "version": number,
                "kind": kind,
                "created_at": now,
                "created_by": created_by,
                "file_name": file_name,
                "file_sha256": file_sha256,
                "row_count": len(frame),
                "column_count": frame.shape[1],
                "source_rows": source_rows,
                "period_from": period_from,
                "period_to": period_to,
                "data_bytes": len(blob),
                "key_fingerprint": fingerprint,
            }
            inserted = conn.execute(insert(versions).values(**row)).inserted_primary_key
            assert inserted is not None  # a single-row insert always has a key
            version_id = inserted[0]
            self._insert_data(conn, int(version_id), blob, blob_sha)
            conn.execute(
                update(datasets)
                .where(datasets.c.id == dataset_id)
                .values(active_version=number, updated_at=now, updated_by=created_by)
            )
            detail = {"rows": len(frame), "columns": frame.shape[1], "file_sha256": file_sha256}
            audit_trail.record(
                conn,
                by,
                "save",
                workspace,
                dataset_id=dataset_id,
                kind=kind,
                name=name,
                version=number,
                detail=detail,
                at=now,
            )
        log.info("store: saved dataset %d version %d (%d rows)", dataset_id, number, len(frame))
        return VersionInfo(**row, name=name, active=True, workspace_id=workspace)

    def rollback(self, dataset_id: int, version: int, *, by: User, workspace: str) -> VersionInfo:
        """Make a kept version (older or newer) the active one. Nothing is deleted."""
        who = _who(by)
        with self._write() as conn:
            require(conn, by, workspace, Action.DELETE)
            dataset = self._lock(conn, workspace, dataset_id)
            info = self._info(conn, workspace, dataset_id, version)  # NotFoundError if not kept
            previous = dataset["active_version"]
            if previous == version:
                return info
            now = datetime.now(UTC)
            conn.execute(
                update(datasets)
                .where(datasets.c.id == dataset_id)
                .values(active_version=version, updated_at=now, updated_by=who)
            )
            audit_trail.record(
                conn,
                by,
                "rollback",
                workspace,
                dataset_id=dataset_id,
                kind=info.kind,
                name=info.name,
                version=version,
                detail={"from_version": previous},
                at=now,
            )
        log.info(
            "store: dataset %d rolled back from version %s to %d", dataset_id, previous, version
        )
        return replace(info, active=True)

    def delete_dataset(self, dataset_id: int, *, by: User, workspace: str) -> int:
        """Remove a dataset with all its versions and data; returns how many versions went."""
        _who(by)
        with self._write() as conn:
            require(conn, by, workspace, Action.DELETE)
            dataset = self._lock(conn, workspace, dataset_id)
            ids = select(versions.c.id).where(versions.c.dataset_id == dataset_id)
            count = len(conn.execute(ids).all())
            conn.execute(delete(version_data).where(version_data.c.version_id.in_(ids)))
            conn.execute(delete(versions).where(versions.c.dataset_id == dataset_id))
            conn.execute(delete(datasets).where(datasets.c.id == dataset_id))
            audit_trail.record(
                conn,
                by,
                "delete",
                workspace,
                dataset_id=dataset_id,
                kind=dataset["kind"],
                name=dataset["name"],
                version=dataset["active_version"],
                detail={"versions_removed": count},
            )
        log.info("store: deleted dataset %d (%d versions)", dataset_id, count)
        return count

    # --- reads ----------------------------------------------------------------------------------

    def can(self, by: User, workspace: str, action: Action | str) -> bool:
        """Whether ``by`` may do ``action`` in the workspace (for showing or hiding a control;
        every operation checks again itself)."""
        try:
            self.require(by, workspace, action)
        except PermissionDenied:
            return False
        return True

    def require(self, by: User, workspace: str, action: Action | str) -> str:
        """The user's role, or :class:`PermissionDenied`: for actions done outside the store,
        such as showing record-level rows."""
        with self._read() as conn:
            return require(conn, by, workspace, action)

    def list_datasets(self, *, by: User, workspace: str) -> pd.DataFrame:
        """One row per dataset of the workspace, with its active version's details.

        Columns: dataset_id, kind, name, record_level, active_version, versions, rows,
        columns, file_name, uploaded_by, uploaded_at (the active version's), period_from,
        period_to, last_updated, updated_by (last save or rollback), key_fingerprint.
        """
        counts = (
            select(versions.c.dataset_id, func.count().label("versions"))
            .group_by(versions.c.dataset_id)
            .subquery()
        )
        query = (
            select(
                datasets.c.id.label("dataset_id"),
                datasets.c.kind,
                datasets.c.name,
                datasets.c.active_version,
                counts.c.versions,
                versions.c.row_count.label("rows"),
                versions.c.column_count.label("columns"),
                versions.c.file_name,
                versions.c.created_by.label("uploaded_by"),
                versions.c.created_at.label("uploaded_at"),
                versions.c.period_from,
                versions.c.period_to,
                datasets.c.updated_at.label("last_updated"),
                datasets.c.updated_by,
                versions.c.key_fingerprint,
            )
            .select_from(datasets)
            .join(counts, counts.c.dataset_id == datasets.c.id, isouter=True)
            .join(
                versions,
                (versions.c.dataset_id == datasets.c.id)
                & (versions.c.version == datasets.c.active_version),
                isouter=True,
            )
            .where(datasets.c.workspace_id == workspace)
            .order_by(datasets.c.kind, datasets.c.name)
        )
        with self._read() as conn:
            require(conn, by, workspace, Action.READ)
            rows = [dict(r) for r in conn.execute(query).mappings()]
        frame = _frame(
            rows, [c.name for c in query.selected_columns], ("uploaded_at", "last_updated")
        )
        frame.insert(3, "record_level", frame["kind"].isin(RECORD_LEVEL_KINDS).astype(bool))
        for col in ("active_version", "versions", "rows", "columns"):
            frame[col] = frame[col].astype("Int64")
        return frame

    def list_versions(self, dataset_id: int, *, by: User, workspace: str) -> pd.DataFrame:
        """Every kept version of a dataset, newest first (columns as :class:`VersionInfo`)."""
        with self._read() as conn:
            require(conn, by, workspace, Action.READ)
            infos = self._infos(conn, workspace, versions.c.dataset_id == dataset_id)
        if not infos and not self._exists(workspace, dataset_id):
            raise NotFoundError(f"no dataset {dataset_id}")
        rows = [{k: getattr(i, k) for k in _INFO_FIELDS} for i in infos]
        frame = _frame(rows, _INFO_FIELDS, ("created_at",))
        return frame.drop(columns=["duplicate"]).sort_values(
            "version", ascending=False, ignore_index=True
        )

    def version_info(
        self, dataset_id: int, version: int | None = None, *, by: User, workspace: str
    ) -> VersionInfo:
        """The details of one version (the active one by default), without its data."""
        with self._read() as conn:
            require(conn, by, workspace, Action.READ)
            if version is None:
                version = self._active_version(conn, workspace, dataset_id)
            return self._info(conn, workspace, dataset_id, version)

    def load(
        self, dataset_id: int, version: int | None = None, *, by: User, workspace: str
    ) -> pd.DataFrame:
        """The data of one version, the active one by default, exactly as it was saved.

        A viewer may load record-level data only for the page to aggregate it; showing its
        rows needs ``Action.VIEW_RECORDS`` (:meth:`require`)."""
        query = (
            select(versions.c.id, version_data.c.sha256, version_data.c.data)
            .join(version_data, version_data.c.version_id == versions.c.id)
            .join(datasets, datasets.c.id == versions.c.dataset_id)
            .where(datasets.c.workspace_id == workspace)
        )
        with self._read() as conn:
            require(conn, by, workspace, Action.READ)
            if version is None:
                version = self._active_version(conn, workspace, dataset_id)
            row = conn.execute(
                query.where(versions.c.dataset_id == dataset_id, versions.c.version == version)
            ).one_or_none()
        if row is None:
            raise NotFoundError(f"dataset {dataset_id} has no version {version}")
        return from_parquet(bytes(row.data), row.sha256, f"dataset {dataset_id} version {version}")

    def load_active(
        self, kind: str, *, by: User, workspace: str
    ) -> list[tuple[VersionInfo, pd.DataFrame]]:
        """The active version of every dataset of one kind in the workspace, in one query."""
        query = (
            select(
                datasets.c.id, datasets.c.active_version, version_data.c.sha256, version_data.c.data
            )
            .join(
                versions,
                (versions.c.dataset_id == datasets.c.id)
                & (versions.c.version == datasets.c.active_version),
            )
            .join(version_data, version_data.c.version_id == versions.c.id)
            .where(datasets.c.kind == kind, datasets.c.workspace_id == workspace)
            .order_by(datasets.c.name)
        )
        with self._read() as conn:
            require(conn, by, workspace, Action.READ)
            rows = conn.execute(query).all()
            infos = {
                (i.dataset_id, i.version): i
                for i in self._infos(conn, workspace, versions.c.kind == kind)
            }
        return [
            (
                infos[(r.id, r.active_version)],
                from_parquet(bytes(r.data), r.sha256, f"dataset {r.id} version {r.active_version}"),
            )
            for r in rows
        ]

    def load_kind(self, kind: str, *, by: User, workspace: str) -> dict[str, pd.DataFrame]:
        """The active version of every dataset of one kind, by dataset name."""
        return {
            info.name: frame for info, frame in self.load_active(kind, by=by, workspace=workspace)
        }

    def audit_log(
        self,
        dataset_id: int | None = None,
        limit: int | None = None,
        *,
        by: User,
        workspace: str,
    ) -> pd.DataFrame:
        """The workspace's audit rows, newest first (admins only): id, at, actor (email),
        action, workspace_id, dataset_id, kind, name, version, detail (ids and counts)."""
        return audit_trail.audit_rows(
            self._engine, by, workspace=workspace, dataset_id=dataset_id, limit=limit
        )

    def record_event(self, by: User, action: str, workspace: str | None, **what: Any) -> None:
        """Audit an event that changes no data here: a sign-in, an export of record-level
        data (which needs the analyst role), a key change."""
        audit_trail.record_event(self._engine, by, action, workspace, **what)

    # --- internals --------------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction: committed on success, rolled back on any exception. A failure
        of the database becomes a :class:`StoreFailure` saying whether anything was saved."""
        committing = False
        try:
            with self._engine.connect() as conn:
                conn.execution_options(**{WRITE: True})
                with conn.begin():
                    yield conn
                    committing = True
        except PermissionDenied:  # a PermissionError, so an OSError: a refusal, not a failure
            raise
        except DRIVER_ERRORS as exc:
            raise failure(exc, self.where, writing=True, committing=committing) from None

    @contextmanager
    def _read(self, *, for_write: bool = False) -> Iterator[Connection]:
        """A read; ``for_write`` when it is the first step of a save, so that a failure
        says "nothing was saved"."""
        try:
            with self._engine.connect() as conn:
                yield conn
        except PermissionDenied:
            raise
        except DRIVER_ERRORS as exc:
            raise failure(exc, self.where, writing=for_write) from None

    def _check_integrity(self) -> None:
        """SQLite's quick check, and that the file is SEND Lens's (or empty), before use."""
        with self._engine.connect() as conn:
            found = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA quick_check").all()]
            tables = set(inspect(conn).get_table_names())
        if found != ["ok"]:
            raise StoreDamagedError(
                f"The SEND Lens store ({self.where}) is damaged: SQLite's integrity check found "
                f"{len(found)} problem(s). Nothing was changed. Restore the file from a backup, "
                "or move it aside to start an empty store."
            )
        if tables and "store_meta" not in tables:
            raise StoreDamagedError(
                f"{self.where} is not a SEND Lens store (it holds other tables: "
                f"{', '.join(sorted(tables)[:5])}). Nothing was changed. Point "
                "SEND_LENS_DATA_DIR or SEND_LENS_DATABASE_URL at SEND Lens's own store."
            )

    def _refuse_other_keys(self, conn: Connection, workspace: str, fingerprint: str) -> None:
        """The key is instance-wide: data made with another key in any workspace refuses the
        save (another workspace's dataset is not named, only counted in)."""
        others = conn.execute(
            select(datasets.c.workspace_id, datasets.c.name, versions.c.key_fingerprint)
            .join(versions, versions.c.dataset_id == datasets.c.id)
            .where(
                versions.c.key_fingerprint.is_not(None),
                versions.c.key_fingerprint != fingerprint,
            )
            .distinct()
        ).all()
        if others:
            raise KeyMismatchError(
                key_mismatch_message(
                    [
                        (
                            r.name
                            if r.workspace_id == workspace
                            else "a dataset of another workspace",
                            r.key_fingerprint,
                        )
                        for r in others
                    ],
                    fingerprint,
                    "Nothing was saved: its children would not link to the stored ones.",
                )
            )

    def _insert_data(self, conn: Connection, version_id: int, blob: bytes, sha256: str) -> None:
        # A method of its own so that the crash tests can fail or stall a save right here.
        conn.execute(
            insert(version_data).values(
                version_id=version_id, format="parquet", sha256=sha256, data=blob
            )
        )

    def _lock_or_create(
        self, conn: Connection, workspace: str, kind: str, name: str, who: str, now: datetime
    ) -> Mapping[str, Any]:
        conn.execute(
            dialect_insert(self.backend)(datasets)
            .values(
                workspace_id=workspace,
                kind=kind,
                name=name,
                created_at=now,
                created_by=who,
                updated_at=now,
                updated_by=who,
            )
            .on_conflict_do_nothing(index_elements=["workspace_id", "kind", "name"])
        )
        query = select(datasets).where(
            datasets.c.workspace_id == workspace, datasets.c.kind == kind, datasets.c.name == name
        )
        return dict(conn.execute(query.with_for_update()).mappings().one())

    def _lock(self, conn: Connection, workspace: str, dataset_id: int) -> Mapping[str, Any]:
        # Another workspace's dataset is "not found": its existence is not disclosed either.
        query = (
            select(datasets)
            .where(datasets.c.id == dataset_id, datasets.c.workspace_id == workspace)
            .with_for_update()
        )
        row = conn.execute(query).mappings().one_or_none()
        if row is None:
            raise NotFoundError(f"no dataset {dataset_id}")
        return dict(row)

    def _exists(self, workspace: str, dataset_id: int) -> bool:
        query = select(datasets.c.id).where(
            datasets.c.id == dataset_id, datasets.c.workspace_id == workspace
        )
        with self._read() as conn:
            return conn.execute(query).first() is not None

    def _active_version(self, conn: Connection, workspace: str, dataset_id: int) -> int:
        active = conn.execute(
            select(datasets.c.active_version).where(
                datasets.c.id == dataset_id, datasets.c.workspace_id == workspace
            )
        ).one_or_none()
        if active is None or active[0] is None:
            raise NotFoundError(f"no dataset {dataset_id}")
        return int(active[0])

    def _active_if_same(
        self, workspace: str, kind: str, name: str, sha256: str
    ) -> VersionInfo | None:
        query = select(datasets.c.id, datasets.c.active_version).where(
            datasets.c.workspace_id == workspace, datasets.c.kind == kind, datasets.c.name == name
        )
        with self._read(for_write=True) as conn:
            row = conn.execute(query).one_or_none()
            if row is None or row.active_version is None:
                return None
            info = self._info(conn, workspace, row.id, row.active_version)
        return replace(info, duplicate=True) if info.file_sha256 == sha256 else None

    def _info(self, conn: Connection, workspace: str, dataset_id: int, version: int) -> VersionInfo:
        found = self._infos(
            conn, workspace, (versions.c.dataset_id == dataset_id) & (versions.c.version == version)
        )
        if not found:
            raise NotFoundError(f"dataset {dataset_id} has no version {version}")
        return found[0]

    def _infos(self, conn: Connection, workspace: str, where: Any) -> list[VersionInfo]:
        query = (
            select(versions, datasets.c.name, datasets.c.active_version, datasets.c.workspace_id)
            .join(datasets, datasets.c.id == versions.c.dataset_id)
            .where(where, datasets.c.workspace_id == workspace)
        )
        out = []
        for r in conn.execute(query).mappings():
            fields = {k: r[k] for k in _INFO_FIELDS if k in r and k not in ("active", "created_at")}
            out.append(
                VersionInfo(
                    **fields,
                    active=r["version"] == r["active_version"],
                    created_at=_utc(r["created_at"]),
                )
            )
        return out


_INFO_FIELDS = [f for f in VersionInfo.__dataclass_fields__]


# --- checks and small helpers --------------------------------------------------------------


def id_columns(kind: str) -> list[str]:
    schema = KINDS.get(kind)
    return [c.name for c in schema.columns if c.identifier] if schema else []


def _key_fingerprint(kind: str, frame: pd.DataFrame) -> str | None:
    """The fingerprint a frame carries from ``read_upload``; refused if it has child ids and
    none, since their key could not be checked and they might never link."""
    fingerprint = frame.attrs.get(FINGERPRINT_ATTR)
    held = [c for c in id_columns(kind) if c in frame.columns and frame[c].notna().any()]
    if held and not fingerprint:
        raise ValueError(
            f"the {', '.join(held)} column(s) hold child ids with no key fingerprint: "
            "child-level data must come through uploads.intake.read_upload"
        )
    return str(fingerprint) if fingerprint else None


def key_mismatch_message(
    stored: Iterable[tuple[str, str | None]], current: str | None, outcome: str
) -> str:
    """What to say when data made with two keys meet: which datasets, and what to do."""
    names = ", ".join(f"'{n}' (key {(fp or 'unknown')[:8]})" for n, fp in sorted(set(stored)))
    return (
        f"Child ids made with a different pseudonymisation key (this one is "
        f"{(current or 'unknown')[:8]}) are in: {names}. {outcome} Restore the key those "
        "datasets were made with (SEND_LENS_PSEUDONYMISATION_KEY or the key file), or delete "
        "those datasets on the Data page and upload them again with the current key."
    )


def _check(kind: str, name: str, sha256: str) -> tuple[str, str, str]:
    if not _KIND.fullmatch(kind or ""):
        raise ValueError(f"kind must be a short lower-case identifier, not {kind!r}")
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValueError("a dataset name must have 1 to 200 characters")
    sha256 = (sha256 or "").strip().lower()
    if not _SHA256.fullmatch(sha256):
        raise ValueError("file_sha256 must be 64 hexadecimal digits")
    return kind, name, sha256


def _who(by: User) -> str:
    """How the person is named in "saved by" (never the server's operating-system user)."""
    if not isinstance(by, User):
        raise TypeError("who did it must be a store.identity.User")
    return by.label[:200]


def _utc(value: datetime) -> datetime:
    # SQLite hands back the UTC wall time without a zone; PostgreSQL an aware datetime.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _frame(rows: list[dict[str, Any]], columns: list[str], times: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for col in times:
        frame[col] = pd.to_datetime(frame[col], utc=True)
    return frame
