"""The pseudonymisation key as a chain of keys, its fingerprint, and its file.

Why a chain. HMAC cannot be undone, and SEND Lens never keeps raw ids, so a key cannot be
replaced by re-hashing the raw ids with a new one. A rotation therefore *extends* the chain:
every stored pseudonym ``p`` becomes ``HMAC(new_key, p)``, and from then on a new upload is
hashed through every key in turn, ``HMAC(k_n, ... HMAC(k_1, HMAC(k_0, id)))``, so it lands on
the same pseudonym as the re-keyed stored data and still links.

What that means for security. A pseudonym can be recomputed from a guessed id (a UPN or NHS
number has few enough possibilities to try them all) only by someone holding *every* key of
the chain. After a rotation, a copy of the old key file (an old backup, a leaked laptop) no
longer lets anyone test guesses against the stored or any new data; that is the point of
rotating. It does not help against someone who has the current key file, which holds the
whole chain (one key per line, oldest first); losing any line of it breaks every link, so
back it up as a whole. Stored pseudonyms made before the rotation are gone from the store;
exports taken earlier still carry the old ones and no longer match.

The fingerprint identifies a chain without revealing it: the chain's keyed hash of a fixed
label. The label is lower case with spaces, which no normalised id ever is, so a fingerprint
never equals a child's pseudonym; without the keys nobody can compute it, and unlike a plain
hash of the key it gives nothing to test guessed keys against offline.

The chain comes from ``SEND_LENS_PSEUDONYMISATION_KEY`` (one key, or several on separate lines)
or from the key file, created on first use with owner-only permissions in an owner-only
folder. Whether a new key may be created where data already exists is the store's decision
(``store.keystore``), made before this module is asked to create one.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from uploads import pseudonymise
from uploads.pseudonymise import (
    CONFIG_ENV,
    KEY_ENV,
    KEY_FILE,
    MIN_KEY_CHARS,
    REPO,
    PseudonymisationKeyError,
    config_dir,
)

log = logging.getLogger(__name__)

FINGERPRINT_LABEL = "send-lens pseudonymisation key fingerprint v1"
FINGERPRINT_ATTR = "key_fingerprint"  # on a frame from read_upload: the key it was hashed with
PENDING_SUFFIX = ".pending"  # a rotation's new chain, before the store has committed to it


@dataclass(frozen=True)
class KeyChain:
    """The keys an id is hashed through, oldest first, and where they came from."""

    keys: tuple[bytes, ...]
    source: str  # "environment" or the key file's path

    def hashes(self, ids: list[str]) -> list[str]:
        """Each id hashed through every key in turn (one key: plain HMAC-SHA256)."""
        return self.hashes_from(ids, 0)

    def hashes_from(self, codes: list[str], start: int) -> list[str]:
        """Codes already hashed through the first ``start`` keys, through the rest."""
        out = codes
        for key in self.keys[start:]:
            out = pseudonymise.keyed_hashes(out, key)
        return out

    @property
    def fingerprint(self) -> str:
        return self.hashes([FINGERPRINT_LABEL])[0]

    def extended(self, key: bytes) -> KeyChain:
        return KeyChain((*self.keys, key), self.source)


def key_file() -> Path:
    return config_dir() / KEY_FILE


def from_environment() -> bool:
    return os.environ.get(KEY_ENV) is not None


def key_present() -> bool:
    """Whether a key exists now (set in the environment, or a key file), without making one."""
    return from_environment() or key_file().exists()


def load_chain(*, create: bool = True) -> KeyChain:
    """The key chain: from the environment, else the key file (made on first use if
    ``create``; else a missing file is :class:`PseudonymisationKeyError`)."""
    from_env = os.environ.get(KEY_ENV)
    if from_env is not None:
        keys = _parse(from_env, KEY_ENV)
        return KeyChain(keys, "environment")
    path = key_file()
    _check_outside_repository(path)
    secure_folder(path.parent)
    if create:
        _create_once(path, secrets.token_hex(32) + "\n")
    elif not path.exists():
        raise PseudonymisationKeyError(f"There is no pseudonymisation key file at {path}.")
    secure_file(path)
    return KeyChain(_parse(path.read_text(encoding="utf-8"), f"The key file {path}"), str(path))


def load_key() -> bytes:
    """The secret key, when it has never been rotated (a rotated chain: :func:`load_chain`)."""
    chain = load_chain()
    if len(chain.keys) != 1:
        raise PseudonymisationKeyError(
            "The pseudonymisation key has been rotated; hash through uploads.keys.load_chain()."
        )
    return chain.keys[0]


def new_key() -> bytes:
    return secrets.token_hex(32).encode("utf-8")


def write_pending(chain: KeyChain) -> Path:
    """Write a rotation's chain beside the key file (owner-only, flushed to disk); it becomes
    the key file only once the store has committed the re-keyed data (:func:`commit_pending`)."""
    path = key_file()
    pending = path.with_name(path.name + PENDING_SUFFIX)
    pending.unlink(missing_ok=True)
    _create_once(pending, "".join(k.decode("utf-8") + "\n" for k in chain.keys))
    return pending


def pending_chain() -> KeyChain | None:
    """The chain of a rotation that was started but not finished, if any."""
    pending = key_file().with_name(KEY_FILE + PENDING_SUFFIX)
    if not pending.exists():
        return None
    return KeyChain(_parse(pending.read_text(encoding="utf-8"), str(pending)), str(pending))


@contextmanager
def rotation_lock() -> Iterator[bool]:
    """Whether this process holds the rotation lock (never waits): while one process rotates,
    no other may rotate or tidy up its pending file. The lock is a file lock, so it goes
    with the process however it ends."""
    try:
        import fcntl
    except ImportError:  # Windows: one user on a laptop, no other process to race
        yield True
        return
    path = key_file().with_name(KEY_FILE + ".lock")
    secure_folder(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def commit_pending() -> None:
    path = key_file()
    os.replace(path.with_name(path.name + PENDING_SUFFIX), path)  # atomic on one filesystem
    _fsync_folder(path.parent)


def discard_pending() -> None:
    key_file().with_name(KEY_FILE + PENDING_SUFFIX).unlink(missing_ok=True)


def secure_folder(folder: Path) -> list[str]:
    """Create ``folder`` owner-only (0700), or tighten it; says what it tightened."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return _tighten(folder, 0o700)


def secure_file(path: Path) -> list[str]:
    """Tighten an existing file to owner-only (0600); says what it tightened."""
    return _tighten(path, 0o600) if path.exists() else []


def _tighten(path: Path, mode: int) -> list[str]:
    if os.name != "posix":
        return []
    current = stat.S_IMODE(path.stat().st_mode)
    if current & 0o077 == 0:
        return []
    path.chmod(mode)
    note = f"{path} was readable by others ({current:o}); it is now owner-only ({mode:o})."
    log.warning("%s", note)
    return [note]


def _create_once(path: Path, content: str) -> None:
    try:
        # O_EXCL: two sessions starting together must not each write a different key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    log.info("wrote a pseudonymisation key file in %s", path.parent)


def _fsync_folder(folder: Path) -> None:
    if os.name == "posix":
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _check_outside_repository(path: Path) -> None:
    if path.resolve().is_relative_to(REPO):
        # A key inside the working tree is one `git add .` away from being published.
        raise PseudonymisationKeyError(
            f"The pseudonymisation key would be created inside the project folder ({path}). "
            f"Set {CONFIG_ENV} to a folder outside it."
        )


def _parse(text: str, where: str) -> tuple[bytes, ...]:
    keys = tuple(line.strip().encode("utf-8") for line in text.splitlines() if line.strip())
    if not keys or any(len(k) < MIN_KEY_CHARS for k in keys):
        if where == KEY_ENV:
            raise PseudonymisationKeyError(
                f"{KEY_ENV} is set but shorter than {MIN_KEY_CHARS} characters; "
                "use a long random value (for example 64 hexadecimal characters)."
            )
        raise PseudonymisationKeyError(
            f"{where} is empty or holds a key shorter than {MIN_KEY_CHARS} characters; "
            "restore it from your backup."
        )
    return keys
