"""The audit trail: who (email), when (UTC), in which workspace, did what to which object.

Recorded in the same transaction as the change it describes, so a change and its audit row
are kept or lost together. Sign-in, upload, save, delete, roll back, role change, export of
record-level data, key change and retention are recorded. The table is append-only: a trigger
(``store.schema.append_only``) refuses UPDATE and DELETE, so not even an admin can edit it.
Rows hold ids, names and counts, never uploaded data.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from store.access import Action, configured_admins, member_workspaces, require
from store.identity import User
from store.schema import audit

ACTIONS = (
    "sign_in",
    "save",
    "delete",
    "rollback",
    "role_change",
    "workspace",
    "export",
    "key_change",
    "retention",  # old versions deleted by the retention setting
    "retention_set",  # the retention setting changed
    "example_load",
    "example_remove",
)
COLUMNS = ["id", "at", "actor", "action", "workspace_id", "dataset_id", "kind", "name"]
COLUMNS += ["version", "detail"]


def record(
    conn: Connection,
    user: User,
    action: str,
    workspace: str | None,
    *,
    kind: str | None = None,
    name: str | None = None,
    dataset_id: int | None = None,
    version: int | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Add one audit row inside the caller's transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    conn.execute(
        insert(audit).values(
            at=at or datetime.now(UTC),
            actor=user.email,
            action=action,
            workspace_id=workspace,
            dataset_id=dataset_id,
            kind=kind,
            name=name,
            version=version,
            detail=detail or {},
        )
    )


def record_event(
    engine: Engine, user: User, action: str, workspace: str | None, **what: Any
) -> None:
    """Record an event that changes nothing else (a sign-in, an export), in its own
    transaction. An export needs the right to see record-level data in that workspace."""
    with engine.begin() as conn:
        if action == "export" and workspace is not None:
            require(conn, user, workspace, Action.VIEW_RECORDS)
        record(conn, user, action, workspace, **what)


def audit_rows(
    engine: Engine,
    by: User,
    *,
    workspace: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    dataset_id: int | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Audit rows newest first, filtered; only of workspaces where ``by`` is an admin.

    Rows with no workspace (sign-ins) are shown to the configured admins only.
    """
    query = select(*[audit.c[c] for c in COLUMNS]).order_by(audit.c.id.desc())
    with engine.connect() as conn:
        if workspace is not None:
            require(conn, by, workspace, Action.ADMIN)
            query = query.where(audit.c.workspace_id == workspace)
        else:
            mine = [w for w, r in member_workspaces(conn, by).items() if r == "admin"]
            in_mine = audit.c.workspace_id.in_(mine)
            if by.email in configured_admins() or by.local:
                query = query.where(in_mine | audit.c.workspace_id.is_(None))
            else:
                query = query.where(in_mine)
        if actor:
            query = query.where(audit.c.actor == actor.strip().lower())
        if action:
            query = query.where(audit.c.action == action)
        if since is not None:
            query = query.where(audit.c.at >= since)
        if until is not None:
            query = query.where(audit.c.at < until)
        if dataset_id is not None:
            query = query.where(audit.c.dataset_id == dataset_id)
        if limit is not None:
            query = query.limit(limit)
        rows = [dict(r) for r in conn.execute(query).mappings()]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    for col in ("id", "dataset_id", "version"):
        frame[col] = frame[col].astype("Int64")
    return frame
