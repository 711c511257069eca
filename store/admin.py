"""The store's instance-wide operations: key fingerprints, re-keying the stored child ids for
a key rotation (``store.keystore``), and the retention of old versions.

The pseudonymisation key and the retention setting apply to every workspace, so changing
them needs an instance admin (``store.access.require_instance_admin``: an email in
``SEND_LENS_ADMINS``, or the local user of a laptop install), checked here on the server side
and again inside the transaction that makes the change. Each change writes one audit row
(``store.audit``) with the acting ``User`` and no workspace, in the same transaction.

These are functions of a :class:`store.datasets.Store` rather than its methods only to keep
that module short; they use its transactions, so a database failure says whether anything
was saved exactly as a save's does.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import delete, select, update

from store import audit as audit_trail
from store.access import require_instance_admin
from store.datasets import (
    RECORD_LEVEL_KINDS,
    Store,
    _utc,
    dialect_insert,
    id_columns,
    key_mismatch_message,
)
from store.failures import KeyMismatchError
from store.identity import User
from store.schema import datasets, from_parquet, store_meta, to_parquet, version_data, versions

log = logging.getLogger(__name__)

_RETENTION_KEYS = {"keep_versions": "retention_keep_versions", "max_age_days": "retention_days"}


@dataclass(frozen=True)
class Retention:
    """How long inactive versions are kept: the newest ``keep_versions`` of each dataset
    (the active one always stays, counted or not) and none older than ``max_age_days``.
    None means no limit; the default keeps everything."""

    keep_versions: int | None = None
    max_age_days: int | None = None

    def __post_init__(self) -> None:
        for value in (self.keep_versions, self.max_age_days):
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError("a retention limit must be a whole number of at least 1")


def key_fingerprints(store: Store, *, workspace: str | None = None) -> dict[str | None, list[str]]:
    """Which datasets, in every workspace, hold child ids made with which key (None: saved
    before fingerprints were kept), each list of names sorted. The key is instance-wide, so
    every workspace counts; with ``workspace``, another workspace's dataset is listed as
    "a dataset of another workspace", so a refusal shown to a member does not disclose it."""
    query = (
        select(
            datasets.c.name, datasets.c.workspace_id, versions.c.kind, versions.c.key_fingerprint
        )
        .join(versions, versions.c.dataset_id == datasets.c.id)
        .where(
            versions.c.key_fingerprint.is_not(None)
            | versions.c.kind.in_(sorted(RECORD_LEVEL_KINDS))
        )
        .distinct()
    )
    with store._read() as conn:
        rows = conn.execute(query).all()
    found: dict[str | None, set[str]] = {}
    for r in rows:
        if r.key_fingerprint is not None or id_columns(r.kind):
            hidden = workspace is not None and r.workspace_id != workspace
            name = "a dataset of another workspace" if hidden else r.name
            found.setdefault(r.key_fingerprint, set()).add(name)
    return {fp: sorted(names) for fp, names in found.items()}


def rekey_pseudonyms(
    store: Store,
    old_fingerprint: str,
    new_fingerprint: str,
    rehash: Callable[[list[str]], list[str]],
    *,
    by: User,
    adopt_unmarked: bool = False,
) -> int:
    """Instance admin only: pass every stored child id, in every workspace, through
    ``rehash`` and mark its version with ``new_fingerprint``, in one transaction with an
    audit row.

    Every version holding ids must carry ``old_fingerprint``; any other is refused before
    anything changes, and so is one saved before fingerprints were kept unless the admin
    says it was made with the current key (``adopt_unmarked``). Returns how many versions
    were re-keyed."""
    what = "rotate the pseudonymisation key"
    require_instance_admin(by, what)
    with store._write() as conn:
        require_instance_admin(by, what)  # the configuration is read again at the change
        rows = conn.execute(
            select(versions.c.id, versions.c.kind, versions.c.key_fingerprint, datasets.c.name)
            .join(datasets, datasets.c.id == versions.c.dataset_id)
            .order_by(versions.c.id)
        ).all()
        changed = 0
        for row in rows:
            if row.key_fingerprint is None and not id_columns(row.kind):
                continue
            blob_row = conn.execute(
                select(version_data).where(version_data.c.version_id == row.id)
            ).one()
            frame = from_parquet(bytes(blob_row.data), blob_row.sha256, f"version {row.id}")
            held = [c for c in id_columns(row.kind) if c in frame.columns]
            unmarked = row.key_fingerprint is None
            if unmarked and not any(frame[c].notna().any() for c in held):
                continue  # no child ids in it: nothing to re-key
            if row.key_fingerprint != old_fingerprint and not (unmarked and adopt_unmarked):
                raise KeyMismatchError(
                    key_mismatch_message(
                        [(row.name, row.key_fingerprint)],
                        old_fingerprint,
                        "The key was not rotated; nothing changed. (Data saved before key "
                        "fingerprints were kept shows 'unknown': rotate with "
                        "--adopt-unmarked if it was made with the current key.)",
                    )
                )
            for col in held:
                frame[col] = _rehashed(frame[col], rehash)
            blob = to_parquet(frame)
            conn.execute(
                update(version_data)
                .where(version_data.c.version_id == row.id)
                .values(data=blob, sha256=hashlib.sha256(blob).hexdigest())
            )
            conn.execute(
                update(versions)
                .where(versions.c.id == row.id)
                .values(key_fingerprint=new_fingerprint, data_bytes=len(blob))
            )
            changed += 1
        detail = {
            "versions_rekeyed": changed,
            "adopt_unmarked": adopt_unmarked,
            "from_key": old_fingerprint[:8],
            "to_key": new_fingerprint[:8],
        }
        audit_trail.record(conn, by, "key_change", None, detail=detail)
    log.info("store: re-keyed %d versions", changed)
    return changed


def retention(store: Store) -> Retention:
    """The retention setting (kept in the store, so every session and instance sees it)."""
    with store._read() as conn:
        rows = dict(
            conn.execute(
                select(store_meta.c.key, store_meta.c.value).where(
                    store_meta.c.key.in_(list(_RETENTION_KEYS.values()))
                )
            ).all()
        )
    return Retention(
        **{f: int(rows[k]) if rows.get(k) else None for f, k in _RETENTION_KEYS.items()}
    )


def set_retention(store: Store, policy: Retention, *, by: User) -> None:
    """Instance admin only: change the retention setting, audited. Nothing is deleted until
    :func:`apply_retention`."""
    what = "change the retention setting"
    require_instance_admin(by, what)
    insert = dialect_insert(store.backend)
    with store._write() as conn:
        require_instance_admin(by, what)
        for field, key in _RETENTION_KEYS.items():
            value = getattr(policy, field)
            upsert = insert(store_meta).values(key=key, value=str(value or ""))
            conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=["key"], set_={"value": upsert.excluded.value}
                )
            )
        detail = {"keep_versions": policy.keep_versions, "max_age_days": policy.max_age_days}
        audit_trail.record(conn, by, "retention_set", None, detail=detail)


def apply_retention(store: Store, *, by: User, now: datetime | None = None) -> int:
    """Instance admin only: delete, in every workspace, the inactive versions the retention
    setting no longer keeps, in one transaction with one audit row. The active version is
    never deleted. Returns how many versions went."""
    what = "apply the retention setting"
    require_instance_admin(by, what)
    policy = retention(store)
    now = now or datetime.now(UTC)
    with store._write() as conn:
        require_instance_admin(by, what)
        rows = conn.execute(
            select(
                versions.c.id,
                versions.c.dataset_id,
                versions.c.version,
                versions.c.created_at,
                datasets.c.active_version,
            )
            .join(datasets, datasets.c.id == versions.c.dataset_id)
            .order_by(versions.c.dataset_id, versions.c.version.desc())
            .with_for_update()
        ).all()
        doomed: dict[int, list[int]] = {}
        rank: dict[int, int] = {}
        for r in rows:
            rank[r.dataset_id] = rank.get(r.dataset_id, 0) + 1  # 1 = the newest
            if r.version == r.active_version:
                continue
            too_many = policy.keep_versions is not None and rank[r.dataset_id] > (
                policy.keep_versions
            )
            too_old = (
                policy.max_age_days is not None
                and (now - _utc(r.created_at)).total_seconds() > policy.max_age_days * 86400
            )
            if too_many or too_old:
                doomed.setdefault(r.dataset_id, []).append(r.id)
        ids = [i for group in doomed.values() for i in group]
        if ids:
            conn.execute(delete(version_data).where(version_data.c.version_id.in_(ids)))
            conn.execute(delete(versions).where(versions.c.id.in_(ids)))
        detail = {
            "versions_removed": len(ids),
            "keep_versions": policy.keep_versions,
            "max_age_days": policy.max_age_days,
            "datasets": {str(d): len(v) for d, v in doomed.items()},
        }
        audit_trail.record(conn, by, "retention", None, detail=detail, at=now)
    log.info("store: retention removed %d versions of %d datasets", len(ids), len(doomed))
    return len(ids)


def _rehashed(ids: pd.Series, rehash: Callable[[list[str]], list[str]]) -> pd.Series:
    present = ids.notna()
    out = ids.astype("string").copy()
    out[present] = rehash(out[present].tolist())
    return out
