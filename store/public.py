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

from store import actions
from store.datasets import Store
from store.schema import StoreError
from uploads.public import MESSAGE, public_mode

__all__ = ["PublicModeError", "public_mode", "public_store", "refuse_writes"]

# Reads, transactions around them, and creating a missing table in the empty database.
_ALLOWED = ("SELECT", "PRAGMA", "BEGIN", "CREATE")


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
        words = statement.lstrip().split(None, 1)
        if not words or words[0].upper() not in _ALLOWED:
            raise PublicModeError()


def public_store(directory: Path | None = None) -> Store:
    """An empty store (a fresh SQLite file with every table) that refuses all writes.

    Not the instance's configured database: a public instance must not show a team's data
    even if it is pointed at one by mistake.
    """
    folder = directory or Path(tempfile.mkdtemp(prefix="send-lens-public-"))
    store = Store(f"sqlite:///{folder / 'public.sqlite'}")
    actions.ensure_schema(actions.engine_of(store))
    refuse_writes(actions.engine_of(store))
    return store
