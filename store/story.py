"""The workshop story kept in the workspace: the analyst's choice and order of cards, and what
each room said about each card (comments, questions to follow up, show-of-hands votes).

Two tables in the store's database, both append-only like ``store.actions``: the latest
sequence is the one in force; every note is a row of its own with the card, the area, the
figures the card showed (as JSON) and the day of the session. A note never holds a name:
no column says who recorded it (the audit row, written in the same transaction, does, as for
every action), and text holding a UPN, NHS number or ULN is refused like any free text.

Reading needs the viewer role; saving the analyst role through ``Action.ROOM_NOTE``, the one
change workshop mode allows (``store.access.WORKSHOP_ACTIONS``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
)

from store import audit
from store.access import Action, require
from store.identity import User
from store.schema import WRITE, ensure_extra_tables
from uploads.identifiers import identifier_in_text, identifier_message

log = logging.getLogger(__name__)

MAX_TEXT = 2000
MAX_CARDS = 30
VOTES = ("yes", "partly", "no")  # "Does this match your experience?"

metadata = MetaData()

story_sequences = Table(
    "story_sequences",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", String(40), nullable=False),
    Column("cards", Text, nullable=False),  # JSON list of indicator ids, in order
    Column("saved_at", DateTime(timezone=True), nullable=False),
    Index("ix_story_sequences_workspace", "workspace_id"),
    sqlite_autoincrement=True,
)

room_notes = Table(
    "room_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", String(40), nullable=False),
    Column("area_code", String(40), nullable=False),
    Column("card", String(200), nullable=False),  # the card's indicator id
    Column("session_date", Date, nullable=False),
    Column("comment", Text, nullable=False),
    Column("question", Text, nullable=False),  # a question to follow up
    Column("votes_yes", Integer, nullable=True),  # None: no vote taken with this note
    Column("votes_partly", Integer, nullable=True),
    Column("votes_no", Integer, nullable=True),
    Column("figures", Text, nullable=False),  # JSON: what the card showed
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_room_notes_workspace_area", "workspace_id", "area_code"),
    sqlite_autoincrement=True,
)

NOTE_COLUMNS = [
    "id",
    "area_code",
    "card",
    "session_date",
    "comment",
    "question",
    "votes_yes",
    "votes_partly",
    "votes_no",
    "figures",
    "created_at",
]


def ensure_schema(engine: Engine) -> None:
    """Create the tables if they are missing (once per engine per process)."""
    ensure_extra_tables(engine, metadata, 7346153)


def _text(value: str, what: str) -> str:
    cleaned = (value or "").strip()
    if len(cleaned) > MAX_TEXT:
        raise ValueError(f"{what} is longer than {MAX_TEXT:,} characters")
    if kind := identifier_in_text(cleaned):
        raise ValueError(identifier_message(kind, what))
    return cleaned


def _writer(engine: Engine) -> Connection:
    """A connection for a write transaction (SQLite takes its write lock at BEGIN)."""
    conn = engine.connect()
    conn.execution_options(**{WRITE: True})
    return conn


def save_sequence(engine: Engine, cards: Sequence[str], *, by: User, workspace: str) -> list[str]:
    """Save the workspace's choice and order of story cards (indicator ids, repeats dropped)."""
    chosen = list(dict.fromkeys(str(c).strip() for c in cards if str(c).strip()))
    if not chosen:
        raise ValueError("choose at least one card")
    if len(chosen) > MAX_CARDS:
        raise ValueError(f"a story has at most {MAX_CARDS} cards")
    ensure_schema(engine)
    with _writer(engine) as conn, conn.begin():
        require(conn, by, workspace, Action.ROOM_NOTE)
        conn.execute(
            insert(story_sequences).values(
                workspace_id=workspace, cards=json.dumps(chosen), saved_at=datetime.now(UTC)
            )
        )
        audit.record(conn, by, "save", workspace, kind="story_order", detail={"cards": len(chosen)})
    log.info("story: saved a sequence of %d cards", len(chosen))
    return chosen


def saved_sequence(engine: Engine, *, by: User, workspace: str) -> list[str] | None:
    """The workspace's saved card ids in order, or None when it has saved none."""
    ensure_schema(engine)
    with engine.connect() as conn:
        require(conn, by, workspace, Action.READ)
        found = conn.execute(
            select(story_sequences.c.cards)
            .where(story_sequences.c.workspace_id == workspace)
            .order_by(story_sequences.c.id.desc())
            .limit(1)
        ).scalar_one_or_none()
    return None if found is None else [str(c) for c in json.loads(found)]


def add_note(
    engine: Engine,
    area_code: str,
    card: str,
    *,
    comment: str = "",
    question: str = "",
    votes: Mapping[str, int] | None = None,
    figures: Mapping[str, Any],
    session_date: date,
    by: User,
    workspace: str,
) -> int:
    """Record what the room said about one card; the new note's id.

    ``votes`` counts hands for each of ``VOTES`` (all three, whole numbers from 0). At least
    a comment, a question or a vote is needed.
    """
    comment = _text(comment, "The comment")
    question = _text(question, "The question")
    counts: dict[str, int | None] = dict.fromkeys(VOTES)
    if votes is not None:
        if set(votes) != set(VOTES):
            raise ValueError(f"a vote counts {', '.join(VOTES)}")
        for choice in VOTES:
            n = votes[choice]
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise ValueError(f"the count for '{choice}' must be a whole number from 0")
            counts[choice] = n
    if not comment and not question and votes is None:
        raise ValueError("write a comment or a question, or count a vote")
    if not area_code.strip() or not card.strip():
        raise ValueError("a note needs its area and its card")
    ensure_schema(engine)
    with _writer(engine) as conn, conn.begin():
        require(conn, by, workspace, Action.ROOM_NOTE)
        note_id = conn.execute(
            insert(room_notes)
            .values(
                workspace_id=workspace,
                area_code=area_code.strip(),
                card=card.strip(),
                session_date=session_date,
                comment=comment,
                question=question,
                votes_yes=counts["yes"],
                votes_partly=counts["partly"],
                votes_no=counts["no"],
                figures=json.dumps(dict(figures), default=str),
                created_at=datetime.now(UTC),
            )
            .returning(room_notes.c.id)
        ).scalar_one()
        audit.record(
            conn, by, "save", workspace, kind="room_note", name=f"{card} {area_code}"[:200]
        )
    log.info("story: note %d recorded for a card", note_id)
    return int(note_id)


def notes(
    engine: Engine, area_code: str | None = None, *, by: User, workspace: str
) -> pd.DataFrame:
    """Every note of the workspace (of one area if given), oldest first; ``NOTE_COLUMNS``,
    with ``figures`` read back into a dict."""
    ensure_schema(engine)
    query = select(*[room_notes.c[c] for c in NOTE_COLUMNS]).where(
        room_notes.c.workspace_id == workspace
    )
    if area_code is not None:
        query = query.where(room_notes.c.area_code == area_code)
    with engine.connect() as conn:
        require(conn, by, workspace, Action.READ)
        rows = [dict(r) for r in conn.execute(query.order_by(room_notes.c.id)).mappings()]
    frame = pd.DataFrame(rows, columns=NOTE_COLUMNS)
    frame["figures"] = frame["figures"].map(json.loads)
    for choice in VOTES:
        frame[f"votes_{choice}"] = frame[f"votes_{choice}"].astype("Int64")
    return frame
