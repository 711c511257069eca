"""A public read-only instance: national data only, every upload and store feature refused.

``SEND_LENS_PUBLIC=1`` is for an instance anyone may open (a council's public dashboard). The
pages hide their upload and save controls, but the refusal that matters is here, on the
server: the store such an instance gets is an empty database whose engine refuses every
statement that would change data, so no request, however crafted, can store anything; and
``uploads.intake.read_upload`` refuses to parse a file at all.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from store import actions, story
from store.datasets import Store
from store.schema import StoreError
from uploads.public import MESSAGE, public_mode

__all__ = ["PublicModeError", "public_mode", "public_store", "refuse_writes"]

# Reads and the read transactions around them. A write transaction on SQLite starts with
# BEGIN IMMEDIATE (store.schema), so every save, rollback or delete is refused at its start.
_ALLOWED_WORDS = ("SELECT", "PRAGMA")
_ALLOWED_STATEMENTS = ("BEGIN",)


class PublicModeError(StoreError):
    """A write or upload attempted on a public read-only instance."""

    def __init__(self) -> None:
        super().__init__(MESSAGE)


def refuse_writes(engine: Engine) -> None:
    """Make ``engine`` raise :class:`PublicModeError` before any data-changing statement runs."""

    @event.listens_for(engine, "before_cursor_execute")
    def _refuse(
        _conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        words = statement.split()
        if not words:
            raise PublicModeError()
        if words[0].upper() not in _ALLOWED_WORDS and " ".join(words) not in _ALLOWED_STATEMENTS:
            raise PublicModeError()


def public_store(directory: Path | None = None) -> Store:
    """An empty store (a fresh SQLite file with every table) that refuses all writes.

    Tables are created before the refusal is switched on: a module that creates its table on
    first use must be added here (as ``actions`` and ``story`` are).

    Not the instance's configured database: a public instance must not show a team's data
    even if it is pointed at one by mistake.
    """
    folder = directory or Path(tempfile.mkdtemp(prefix="send-lens-public-"))
    store = Store(f"sqlite:///{folder / 'public.sqlite'}")
    actions.ensure_schema(actions.engine_of(store))
    story.ensure_schema(actions.engine_of(store))
    refuse_writes(actions.engine_of(store))
    return store
