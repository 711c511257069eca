"""Workspaces and their members, managed by an admin; every change is audited.

An admin of a workspace may rename it, change its LA codes and set or remove its members'
roles; creating a workspace needs a configured admin (``SEND_LENS_ADMINS``) or the local user,
who then becomes its first admin. An admin cannot remove the last admin of a workspace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from store import audit
from store.access import (
    ROLES,
    Action,
    PermissionDenied,
    configured_admins,
    member_workspaces,
    require,
)
from store.identity import User
from store.schema import WRITE, memberships, workspaces

_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
_LA = re.compile(r"E(06|07|08|09|10)\d{6}")
_EMAIL = re.compile(r"[^@\s]{1,100}@[^@\s]{1,100}")


@dataclass(frozen=True)
class Workspace:
    id: str
    name: str
    la_codes: tuple[str, ...]
    role: str  # the asking user's


def user_workspaces(engine: Engine, user: User) -> list[Workspace]:
    """The workspaces the user belongs to, with their role in each, by name."""
    with engine.connect() as conn:
        roles = member_workspaces(conn, user)
        rows = conn.execute(select(workspaces).where(workspaces.c.id.in_(list(roles)))).all()
    found = [Workspace(r.id, r.name, _codes(r.la_codes), roles[r.id]) for r in rows]
    return sorted(found, key=lambda w: (w.name.lower(), w.id))


def create_workspace(
    engine: Engine, by: User, workspace_id: str, name: str, la_codes: list[str]
) -> Workspace:
    """A new workspace, with ``by`` as its first admin."""
    workspace_id = (workspace_id or "").strip().lower()
    if not _ID.fullmatch(workspace_id):
        raise ValueError("a workspace id is 1 to 40 lower-case letters, digits or hyphens")
    if not (by.local or by.email in configured_admins()):
        raise PermissionDenied(
            f"{by.label} cannot create a workspace: only an admin named in SEND_LENS_ADMINS can."
        )
    name, codes = _name(name), _check_codes(la_codes)
    now = datetime.now(UTC)
    with engine.connect() as conn:
        conn.execution_options(**{WRITE: True})
        with conn.begin():
            taken = conn.execute(select(workspaces.c.id).where(workspaces.c.id == workspace_id))
            if taken.first() is not None:
                raise ValueError(f"there is already a workspace '{workspace_id}'")
            conn.execute(
                insert(workspaces).values(
                    id=workspace_id,
                    name=name,
                    la_codes=",".join(codes),
                    created_at=now,
                    created_by=by.email,
                )
            )
            _grant(conn, workspace_id, by.email, "admin", by, now)
            audit.record(
                conn,
                by,
                "workspace",
                workspace_id,
                kind="workspace",
                name=name,
                detail={"created": True, "la_codes": list(codes)},
                at=now,
            )
    return Workspace(workspace_id, name, codes, "admin")


def update_workspace(
    engine: Engine, by: User, workspace_id: str, name: str, la_codes: list[str]
) -> None:
    """Rename a workspace and set the LA codes it covers."""
    name, codes = _name(name), _check_codes(la_codes)
    with engine.connect() as conn:
        conn.execution_options(**{WRITE: True})
        with conn.begin():
            require(conn, by, workspace_id, Action.ADMIN)
            conn.execute(
                update(workspaces)
                .where(workspaces.c.id == workspace_id)
                .values(name=name, la_codes=",".join(codes))
            )
            audit.record(
                conn,
                by,
                "workspace",
                workspace_id,
                kind="workspace",
                name=name,
                detail={"la_codes": list(codes)},
            )


def set_role(engine: Engine, by: User, workspace_id: str, email: str, role: str | None) -> None:
    """Give ``email`` a role in the workspace, or remove them (``role=None``)."""
    email = (email or "").strip().lower()
    if not _EMAIL.fullmatch(email):
        raise ValueError("give the person's email address, like name@council.gov.uk")
    if role is not None and role not in ROLES:
        raise ValueError(f"a role is one of {', '.join(ROLES)}")
    now = datetime.now(UTC)
    with engine.connect() as conn:
        conn.execution_options(**{WRITE: True})
        with conn.begin():
            require(conn, by, workspace_id, Action.ADMIN)
            key = (memberships.c.email == email) & (memberships.c.workspace_id == workspace_id)
            before = conn.execute(select(memberships.c.role).where(key)).scalar_one_or_none()
            if before == "admin" and role != "admin":
                admins = conn.execute(
                    select(func.count()).where(
                        memberships.c.workspace_id == workspace_id, memberships.c.role == "admin"
                    )
                ).scalar_one()
                if admins <= 1 and not configured_admins():
                    raise ValueError("a workspace must keep at least one admin")
            conn.execute(delete(memberships).where(key))
            if role is not None:
                _grant(conn, workspace_id, email, role, by, now)
            audit.record(
                conn,
                by,
                "role_change",
                workspace_id,
                kind="membership",
                name=email,
                detail={"from": before, "to": role},
                at=now,
            )


def members(engine: Engine, by: User, workspace_id: str) -> pd.DataFrame:
    """email, role, granted_at, granted_by of one workspace (admins only)."""
    with engine.connect() as conn:
        require(conn, by, workspace_id, Action.ADMIN)
        rows = conn.execute(
            select(
                memberships.c.email,
                memberships.c.role,
                memberships.c.granted_at,
                memberships.c.granted_by,
            )
            .where(memberships.c.workspace_id == workspace_id)
            .order_by(memberships.c.email)
        ).all()
    frame = pd.DataFrame(rows, columns=["email", "role", "granted_at", "granted_by"])
    frame["granted_at"] = pd.to_datetime(frame["granted_at"], utc=True)
    return frame


def _grant(
    conn: Connection, workspace_id: str, email: str, role: str, by: User, now: datetime
) -> None:
    conn.execute(
        insert(memberships).values(
            email=email, workspace_id=workspace_id, role=role, granted_at=now, granted_by=by.email
        )
    )


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValueError("a workspace name must have 1 to 200 characters")
    return name


def _check_codes(codes: list[str]) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
    bad = [c for c in cleaned if not _LA.fullmatch(c)]
    if bad:
        raise ValueError(f"not local authority codes (like E08000032): {', '.join(bad)}")
    return cleaned


def _codes(text: str) -> tuple[str, ...]:
    return tuple(c for c in (text or "").split(",") if c)
