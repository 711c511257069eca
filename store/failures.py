"""What can go wrong with the store, in words a user can act on, saying whether a change was saved.

Every failure of the database itself (PostgreSQL down, a damaged SQLite file, a read-only
folder, a full disk) reaches callers as a :class:`StoreFailure`, whose message names the store
and says whether the change the user asked for happened. ``saved`` is False when the
transaction was rolled back (nothing changed), None when nobody can know (the connection was
lost while committing), and True never: a failure after a commit is not a failure. Messages
never quote uploaded data, only where the store is and what to do.
"""

from __future__ import annotations

import errno
import sqlite3

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from store.schema import StoreError

NOT_SAVED = "Nothing was saved; the store is as it was before."
UNKNOWN = (
    "The connection was lost while saving, so it may or may not have been saved: "
    "reload the page and check the versions listed on the Data page before trying again."
)
NOTHING_CHANGED = "Nothing was changed."


class StoreFailure(StoreError):
    """The store could not be read or written. ``saved``: False, or None if unknown."""

    def __init__(self, message: str, *, saved: bool | None = False) -> None:
        super().__init__(message)
        self.saved = saved


class StoreUnavailableError(StoreFailure):
    """The database server cannot be reached (or the SQLite file cannot be opened)."""


class StoreDamagedError(StoreFailure):
    """The SQLite file is damaged, or is not a SEND Lens store."""


class StoreReadOnlyError(StoreFailure):
    """The store's folder, file or database refuses writes."""


class StoreFullError(StoreFailure):
    """The disk (or the database's quota) is full."""


class KeyMismatchError(StoreError):
    """Data made with one pseudonymisation key would be added to or linked with another's."""


class KeyMissingError(StoreError):
    """The key is missing though the store holds data pseudonymised with it."""


# SQLite's extended result names (sqlite3.Error.sqlite_errorname), by the failure they mean.
_SQLITE = {
    "SQLITE_FULL": StoreFullError,
    "SQLITE_READONLY": StoreReadOnlyError,
    "SQLITE_CORRUPT": StoreDamagedError,
    "SQLITE_NOTADB": StoreDamagedError,
    "SQLITE_CANTOPEN": StoreUnavailableError,
    "SQLITE_PERM": StoreReadOnlyError,
    "SQLITE_AUTH": StoreReadOnlyError,
}
# PostgreSQL SQLSTATEs: disk full, out of memory/quota, read-only transaction or server.
_POSTGRES = {
    "53100": StoreFullError,
    "53400": StoreFullError,
    "25006": StoreReadOnlyError,
    "XX001": StoreDamagedError,
    "XX002": StoreDamagedError,
}
_ERRNO = {
    errno.ENOSPC: StoreFullError,
    errno.EDQUOT: StoreFullError,
    errno.EROFS: StoreReadOnlyError,
    errno.EACCES: StoreReadOnlyError,
    errno.EPERM: StoreReadOnlyError,
}


def classify(exc: BaseException) -> type[StoreFailure]:
    """Which failure an error from the driver or the file system is."""
    if isinstance(exc, OSError):
        return _ERRNO.get(exc.errno or 0, StoreUnavailableError)
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(orig, sqlite3.Error):
        name = getattr(orig, "sqlite_errorname", "") or ""
        for prefix, failure in _SQLITE.items():
            if name.startswith(prefix):
                return failure
        if "readonly" in name.lower() or "read-only" in str(orig).lower():
            return StoreReadOnlyError
        if name.startswith("SQLITE_IOERR"):
            # The disk refused a write; when it is full SQLite mostly says SQLITE_FULL.
            return StoreFullError if "full" in str(orig).lower() else StoreUnavailableError
        return StoreUnavailableError
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state in _POSTGRES:
        return _POSTGRES[state]
    return StoreUnavailableError


_WHAT = {
    StoreUnavailableError: "cannot be reached",
    StoreDamagedError: "is damaged",
    StoreReadOnlyError: "cannot be written to (it is read-only or its permissions refuse it)",
    StoreFullError: "is full: there is no space left on its disk",
}
_DO = {
    StoreUnavailableError: "Check that the database server is running and reachable.",
    StoreDamagedError: "Restore the file from a backup, or move it aside to start an empty store.",
    StoreReadOnlyError: "Check the folder's permissions and that its disk is not mounted read-only.",
    StoreFullError: "Free some space (or delete old versions) and try again.",
}


def failure(
    exc: BaseException, where: str, *, writing: bool, committing: bool = False
) -> StoreFailure:
    """A :class:`StoreFailure` for a driver or file-system error met at ``where``.

    ``committing``: the error came while committing, when a lost connection leaves the
    outcome unknown (SQLite rolls a failed commit back, so it is still "not saved")."""
    cls = classify(exc)
    unknown = committing and cls is StoreUnavailableError and "sqlite" not in where
    outcome = (UNKNOWN if unknown else NOT_SAVED) if writing else NOTHING_CHANGED
    message = f"The SEND Lens store ({where}) {_WHAT[cls]}. {outcome} {_DO[cls]}"
    return cls(message, saved=None if unknown else False)


DRIVER_ERRORS = (SQLAlchemyError, sqlite3.Error, OSError)
