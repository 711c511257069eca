"""Who may do what, in which workspace: roles kept in the store, checked on the server side.

A **workspace** is one partnership's data (one or more LAs). A person has one role in each
workspace they belong to:

- ``viewer``: aggregates only, with small-number protection always on;
- ``analyst``: also uploads, saves commentary and actions, loads example data, and sees
  record-level views for data quality;
- ``admin``: also deletes, rolls back, manages workspaces, members and roles, and reads the
  audit. The key and retention apply to every workspace, so only an instance admin
  (:func:`require_instance_admin`) changes them.

The first admins come from configuration: every email in ``SEND_LENS_ADMINS`` (comma-separated)
is an admin of every workspace. In local mode (no sign-in) the one local user is the admin of
the default workspace. Every store operation calls :func:`require` inside its own
transaction, so calling it directly is refused exactly like clicking a hidden button.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum

from sqlalchemy import Connection, select

from store.identity import User
from store.schema import DEFAULT_WORKSPACE, memberships, workspaces

ROLES = ("viewer", "analyst", "admin")  # each can do everything the one before it can


class Action(StrEnum):
    READ = "read"  # list datasets, aggregates, protected figures
    VIEW_RECORDS = "view_records"  # record-level rows, unprotected small numbers, exports
    WRITE = "write"  # upload, save, commentary and actions, example data
    DELETE = "delete"  # delete a dataset, roll back a version, remove example data
    ADMIN = "admin"  # workspaces, members, roles, the audit
    ROOM_NOTE = "room_note"  # what a workshop room said about a story card; the card order


# In workshop mode, on a projector before parent carers, a session may read aggregates and
# record what the room said, and nothing else: no record-level views, uploads, deletes or
# settings, whatever the facilitator's role. Checked here, so a crafted request is refused too.
WORKSHOP_ACTIONS = frozenset({Action.READ, Action.ROOM_NOTE})


LEAST_ROLE: dict[Action, str] = {
    Action.READ: "viewer",
    Action.VIEW_RECORDS: "analyst",
    Action.WRITE: "analyst",
    Action.DELETE: "admin",
    Action.ADMIN: "admin",
    Action.ROOM_NOTE: "analyst",
}

_WHAT = {
    Action.READ: "see this workspace's data",
    Action.VIEW_RECORDS: "see record-level data",
    Action.WRITE: "upload or change data",
    Action.DELETE: "delete or roll back data",
    Action.ADMIN: "manage this workspace",
    Action.ROOM_NOTE: "record what a workshop said",
}


class PermissionDenied(PermissionError):
    """The acting user's role does not allow this; the message says what and who can."""


def configured_admins(env: Mapping[str, str] | None = None) -> frozenset[str]:
    """The lower-cased emails in ``SEND_LENS_ADMINS``: admins of every workspace."""
    env = os.environ if env is None else env
    return frozenset(
        e.strip().lower() for e in env.get("SEND_LENS_ADMINS", "").split(",") if e.strip()
    )


def is_instance_admin(user: User) -> bool:
    """Whether the user may change what is instance-wide (the pseudonymisation key, the
    retention setting): a configured admin, or the local user of a laptop install."""
    return user.local or user.email in configured_admins()


def require_instance_admin(user: User, what: str) -> None:
    """:class:`PermissionDenied` unless ``user`` is an instance admin. ``what``: the action,
    as in "change the retention setting". No workspace role is enough: the key and the
    retention apply to every workspace."""
    if not isinstance(user, User):
        raise TypeError("the acting user must be a store.identity.User")
    if user.workshop:
        raise PermissionDenied(f"In workshop mode nobody can {what}: leave workshop mode first.")
    if not is_instance_admin(user):
        raise PermissionDenied(
            f"{user.label} cannot {what}: it applies to every workspace, so only an admin "
            "named in SEND_LENS_ADMINS can."
        )


def role_of(conn: Connection, user: User, workspace: str) -> str | None:
    """The user's role in a workspace, or None when they are not a member (or it is gone)."""
    exists = conn.execute(select(workspaces.c.id).where(workspaces.c.id == workspace)).first()
    if exists is None:
        return None
    if user.email in configured_admins():
        return "admin"
    if user.local and workspace == DEFAULT_WORKSPACE:
        return "admin"
    return conn.execute(
        select(memberships.c.role).where(
            memberships.c.email == user.email, memberships.c.workspace_id == workspace
        )
    ).scalar_one_or_none()


def allows(role: str | None, action: Action | str, workshop: bool = False) -> bool:
    """Whether a role (None: not a member) may do an action, in workshop mode if ``workshop``."""
    if role not in ROLES or (workshop and Action(action) not in WORKSHOP_ACTIONS):
        return False
    return ROLES.index(role) >= ROLES.index(LEAST_ROLE[Action(action)])


def require(conn: Connection, user: User, workspace: str, action: Action | str) -> str:
    """The user's role in the workspace, or :class:`PermissionDenied` if it does not allow
    ``action``. Called inside the store's own transaction, never only by the page."""
    if not isinstance(user, User):
        raise TypeError("the acting user must be a store.identity.User")
    action = Action(action)
    role = role_of(conn, user, workspace)
    if user.workshop and action not in WORKSHOP_ACTIONS:
        raise PermissionDenied(
            f"In workshop mode nobody can {_WHAT[action]}: leave workshop mode first."
        )
    if not allows(role, action):
        needed = LEAST_ROLE[action]
        held = f"you are a {role}" if role else "you are not a member of it"
        raise PermissionDenied(
            f"{user.label} cannot {_WHAT[action]} in workspace '{workspace}': {held}; "
            f"this needs the {needed} role (ask an admin of the workspace)."
        )
    return role  # type: ignore[return-value]


def member_workspaces(conn: Connection, user: User) -> dict[str, str]:
    """The workspaces the user belongs to, id -> role (all of them for a configured admin)."""
    ids = conn.execute(select(workspaces.c.id).order_by(workspaces.c.name)).scalars().all()
    found = {w: role_of(conn, user, w) for w in ids}
    return {w: r for w, r in found.items() if r is not None}
