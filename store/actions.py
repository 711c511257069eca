"""Commentary and actions on local KPIs, kept beside the uploads in the store's database.

A partnership board's exception report needs, for every red KPI, what is happening and what
will be done: a commentary, an action, its owner and a date. They are saved here, one
table (``kpi_actions``) in the same database as the upload store (SQLite on a laptop,
PostgreSQL on a team instance), so they persist and are shared like the data.

Every save adds a version for its KPI, area and period; nothing is updated or deleted, so
the rows are their own audit trail (who wrote what, when, in UTC). The latest version is the
one in force. Saving exactly what is already in force writes nothing. Text is kept as typed
(trimmed and length-capped; text holding a UPN, NHS number or ULN is refused); it is escaped when exported (``reports.format.escape_for_spreadsheet``
for spreadsheets, HTML escaping for the printable page), never here.

Like the store, this module logs ids and counts only, never commentary: a note about a
service can still describe a child.

Every row belongs to one workspace: reading needs the viewer role there and saving the
analyst role (``store.access.require``, checked in the same transaction), and each save is
audited. Version numbers are counted per KPI, area and period across workspaces (so a store
made before workspaces keeps its unique key); each workspace sees only its own versions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError

from store import audit
from store.access import Action, require
from store.identity import User
from store.schema import (
    DEFAULT_WORKSPACE,
    WRITE,
    database_url,
    ensure_extra_tables,
    make_engine,
)
from uploads.identifiers import identifier_in_text, identifier_message

log = logging.getLogger(__name__)

MAX_TEXT = 4000
MAX_NAME = 200
_RETRIES = 3

metadata = MetaData()

kpi_actions = Table(
    "kpi_actions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("indicator", String(200), nullable=False),  # "local:ehc_20wk_pct"
    Column("area_code", String(40), nullable=False),
    Column("period", String(10), nullable=False),  # canonical: "2025-03"
    Column("version", Integer, nullable=False),
    Column("commentary", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("owner", String(MAX_NAME), nullable=False),
    Column("due_date", Date, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(MAX_NAME), nullable=False),
    Column("workspace_id", String(40), nullable=False, server_default=DEFAULT_WORKSPACE),
    UniqueConstraint("indicator", "area_code", "period", "version", name="uq_kpi_actions_version"),
    Index("ix_kpi_actions_area", "area_code"),
    sqlite_autoincrement=True,
)

COLUMNS = [
    "indicator",
    "area_code",
    "period",
    "version",
    "commentary",
    "action",
    "owner",
    "due_date",
    "created_at",
    "created_by",
]
_FIELDS = ("commentary", "action", "owner", "due_date")


@dataclass(frozen=True)
class ActionRecord:
    """One saved version. ``unchanged`` is True when a save wrote nothing (this is the
    version already in force)."""

    indicator: str
    area_code: str
    period: str
    version: int
    commentary: str
    action: str
    owner: str
    due_date: date | None
    created_at: datetime
    created_by: str
    unchanged: bool = False


def engine_of(store: Any | None = None) -> Engine:
    """The store's engine (so actions live in the same database), else one from
    ``store.database_url()``."""
    engine = getattr(store, "_engine", None)
    return engine if isinstance(engine, Engine) else make_engine(database_url())


def ensure_schema(engine: Engine) -> None:
    """Create the table if it is missing (once per engine per process)."""
    ensure_extra_tables(engine, metadata, 7346152)


def _clean(value: str | None, limit: int, what: str) -> str:
    cleaned = (value or "").strip()
    if len(cleaned) > limit:
        raise ValueError(f"{what} is longer than {limit:,} characters")
    return cleaned


def save_action(
    engine: Engine,
    indicator: str,
    area_code: str,
    period: str,
    *,
    commentary: str = "",
    action: str = "",
    owner: str = "",
    due_date: date | None = None,
    by: User,
    workspace: str,
) -> ActionRecord:
    """Save a new version of the commentary and action for one KPI, area and period."""
    indicator = _clean(indicator, 200, "The indicator id")
    area_code = _clean(area_code, 40, "The area code")
    period = _clean(period, 10, "The period")
    if not indicator or not area_code or not period:
        raise ValueError("an indicator, an area and a period are needed")
    if not isinstance(by, User):
        raise TypeError("who saved it must be a store.identity.User")
    saved_by = by.label[:MAX_NAME]
    fields = {
        "commentary": _clean(commentary, MAX_TEXT, "The commentary"),
        "action": _clean(action, MAX_TEXT, "The action"),
        "owner": _clean(owner, MAX_NAME, "The owner"),
        "due_date": due_date,
    }
    for name in ("commentary", "action", "owner"):
        # The same detector as uploads' free-text columns: an identifier typed here would be
        # kept verbatim, beside pseudonymised data, and shown to every viewer.
        if kind := identifier_in_text(str(fields[name])):
            raise ValueError(identifier_message(kind, f"The {name}"))
    ensure_schema(engine)
    key = (
        (kpi_actions.c.indicator == indicator)
        & (kpi_actions.c.area_code == area_code)
        & (kpi_actions.c.period == period)
    )
    mine = kpi_actions.c.workspace_id == workspace
    for attempt in range(_RETRIES):
        try:
            with engine.connect() as conn:
                conn.execution_options(**{WRITE: True})
                with conn.begin():
                    require(conn, by, workspace, Action.WRITE)
                    if conn.dialect.name == "postgresql":
                        # Serialise savers of the same KPI, area and period for this transaction,
                        # so version numbers are taken in turn rather than raced for.
                        conn.execute(
                            text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                            {"k": f"kpi_actions|{indicator}|{area_code}|{period}"},
                        )
                    latest = (
                        conn.execute(
                            select(kpi_actions)
                            .where(key & mine)
                            .order_by(kpi_actions.c.version.desc())
                            .limit(1)
                        )
                        .mappings()
                        .first()
                    )
                    if latest is not None and all(latest[f] == fields[f] for f in _FIELDS):
                        return replace(_record(latest), unchanged=True)
                    highest = conn.execute(
                        select(func.max(kpi_actions.c.version)).where(key)
                    ).scalar_one()
                    number = int(highest or 0) + 1
                    row = {
                        "indicator": indicator,
                        "area_code": area_code,
                        "period": period,
                        "version": number,
                        **fields,
                        "created_at": datetime.now(UTC),
                        "created_by": saved_by,
                    }
                    conn.execute(insert(kpi_actions).values(**row, workspace_id=workspace))
                    audit.record(
                        conn,
                        by,
                        "save",
                        workspace,
                        kind="kpi_action",
                        name=f"{indicator} {area_code} {period}",
                        version=number,
                    )
            log.info("actions: saved version %d for %s %s %s", number, indicator, area_code, period)
            return _record(row)
        except IntegrityError:
            # Two people saved the same KPI at once (PostgreSQL); the next attempt numbers after them.
            if attempt == _RETRIES - 1:
                raise
    raise RuntimeError("unreachable")  # pragma: no cover


def latest_actions(
    engine: Engine, area_code: str | None = None, *, by: User, workspace: str
) -> pd.DataFrame:
    """The version in force for every KPI and period (of one area if given) in the
    workspace; ``COLUMNS``."""
    ensure_schema(engine)
    grouped = (
        select(
            kpi_actions.c.indicator,
            kpi_actions.c.area_code,
            kpi_actions.c.period,
            func.max(kpi_actions.c.version).label("version"),
        )
        .where(kpi_actions.c.workspace_id == workspace)
        .group_by(kpi_actions.c.indicator, kpi_actions.c.area_code, kpi_actions.c.period)
    )
    if area_code is not None:
        grouped = grouped.where(kpi_actions.c.area_code == area_code)
    newest = grouped.subquery()
    query = (
        select(*[kpi_actions.c[c] for c in COLUMNS])
        .join(
            newest,
            (kpi_actions.c.indicator == newest.c.indicator)
            & (kpi_actions.c.area_code == newest.c.area_code)
            & (kpi_actions.c.period == newest.c.period)
            & (kpi_actions.c.version == newest.c.version),
        )
        .order_by(kpi_actions.c.indicator, kpi_actions.c.period)
    )
    return _frame(engine, query, by, workspace)


def action_history(
    engine: Engine,
    indicator: str,
    area_code: str,
    period: str | None = None,
    *,
    by: User,
    workspace: str,
) -> pd.DataFrame:
    """Every saved version for one KPI and area (one period if given) in the workspace,
    newest first."""
    ensure_schema(engine)
    query = select(*[kpi_actions.c[c] for c in COLUMNS]).where(
        kpi_actions.c.indicator == indicator,
        kpi_actions.c.area_code == area_code,
        kpi_actions.c.workspace_id == workspace,
    )
    if period is not None:
        query = query.where(kpi_actions.c.period == period)
    query = query.order_by(kpi_actions.c.period.desc(), kpi_actions.c.version.desc())
    return _frame(engine, query, by, workspace)


def _frame(engine: Engine, query: Any, by: User, workspace: str) -> pd.DataFrame:
    with engine.connect() as conn:
        require(conn, by, workspace, Action.READ)
        rows = [dict(r) for r in conn.execute(query).mappings()]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    frame["version"] = frame["version"].astype("Int64")
    return frame


def _record(row: Any) -> ActionRecord:
    created = row["created_at"]
    # SQLite hands back the UTC wall time without a zone; PostgreSQL an aware datetime.
    created = created.replace(tzinfo=UTC) if created.tzinfo is None else created.astimezone(UTC)
    return ActionRecord(
        indicator=row["indicator"],
        area_code=row["area_code"],
        period=row["period"],
        version=int(row["version"]),
        commentary=row["commentary"],
        action=row["action"],
        owner=row["owner"],
        due_date=row["due_date"],
        created_at=created,
        created_by=row["created_by"],
    )
