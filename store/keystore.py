"""The pseudonymisation key and the store together: the key in use must be the one the stored
child ids were made with, a key is never made anew where data already exists, and an admin
can rotate it (the chained scheme and what it protects are explained in ``uploads.keys``).

Rotation is all or nothing across the database and the key file:

1. the new chain is written beside the key file as ``pseudonymisation.key.pending``;
2. one database transaction re-keys every stored id and writes the audit row;
3. the pending file replaces the key file (an atomic rename).

A crash before 2 commits leaves the old data and the old key (the pending file is discarded
at the next start); a crash between 2 and 3 leaves re-keyed data and a pending file whose
fingerprint matches it, which :func:`checked_chain` finishes installing at the next start.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from store import admin
from store.access import require_instance_admin
from store.datasets import Store, key_mismatch_message
from store.failures import KeyMismatchError, KeyMissingError, StoreFailure
from store.identity import User
from uploads import keys, pseudonymise


@dataclass(frozen=True)
class Rotation:
    versions_rekeyed: int
    old_fingerprint: str
    new_fingerprint: str
    key_file: str


def checked_chain(store: Store, *, workspace: str | None = None) -> keys.KeyChain:
    """The key chain to hash uploads with, after checking it against every workspace's data
    (the key is instance-wide; ``workspace``: the one whose datasets the refusal may name).

    Refuses (:class:`KeyMissingError`) to make a new key when there is none but the store
    holds pseudonymised data, and (:class:`KeyMismatchError`) a key other than the one the
    stored data was made with. Finishes or discards an interrupted rotation first."""
    _recover_rotation(store)
    stored = admin.key_fingerprints(store, workspace=workspace)
    if not keys.key_present() and stored:
        names = sorted({n for group in stored.values() for n in group})
        raise KeyMissingError(
            f"The pseudonymisation key is missing ({keys.key_file()} does not exist and "
            f"{pseudonymise.KEY_ENV} is not set), but the store holds child-level data made "
            f"with it: {', '.join(repr(n) for n in names)}. No new key was made, since new "
            "uploads would then never link to that data. Restore the key file from your backup "
            f"(or set {pseudonymise.KEY_ENV}). If the key is lost for good, delete those "
            "datasets on the Data page and upload them again; a new key is then made."
        )
    chain = keys.load_chain()
    others = [
        (n, fp) for fp, names in stored.items() if fp and fp != chain.fingerprint for n in names
    ]
    if others:
        raise KeyMismatchError(
            key_mismatch_message(others, chain.fingerprint, "Uploads are refused until it is.")
        )
    return chain


def require_same_key(datasets: Iterable[tuple[str, str | None]]) -> None:
    """Refuse to link datasets (name, key fingerprint) made with different keys: their ids
    would never match, and the result would look like children with no records."""
    listed = [(str(n), fp) for n, fp in datasets]
    known = {fp for _, fp in listed if fp}
    if len(known) > 1:
        raise KeyMismatchError(
            key_mismatch_message(
                listed, None, "They cannot be linked: the same child has a different code in each."
            )
        )


def rotate_key(store: Store, *, by: User, adopt_unmarked: bool = False) -> Rotation:
    """Instance admin only: add a new key to the chain and re-key every stored id, in every
    workspace (module docstring).

    ``adopt_unmarked``: the admin vouches that versions saved before key fingerprints were
    kept were made with the current key, so they are re-keyed too (else rotation refuses)."""
    require_instance_admin(by, "rotate the pseudonymisation key")  # before any key file changes
    if keys.from_environment():
        raise pseudonymise.PseudonymisationKeyError(
            f"The key is set in {pseudonymise.KEY_ENV}, which SEND Lens cannot rewrite: "
            "rotation needs the key file. Nothing changed."
        )
    with keys.rotation_lock() as held:
        if not held:
            raise pseudonymise.PseudonymisationKeyError(
                "Another key rotation is running; nothing changed. Try again when it is done."
            )
        return _rotate(store, by, adopt_unmarked)


def _rotate(store: Store, by: User, adopt_unmarked: bool) -> Rotation:
    _finish_pending(store)  # an earlier rotation's crash, before this one starts
    old = checked_chain(store)
    new = old.extended(keys.new_key())
    keys.write_pending(new)
    try:
        count = admin.rekey_pseudonyms(
            store,
            old.fingerprint,
            new.fingerprint,
            lambda ids: new.hashes_from(ids, len(old.keys)),
            by=by,
            adopt_unmarked=adopt_unmarked,
        )
    except StoreFailure as err:
        if err.saved is not None:
            keys.discard_pending()  # the transaction rolled back: the old key stays in use
        # Else the commit may have happened: the pending chain is kept, and the next start
        # installs or discards it by the fingerprint the store really holds.
        raise
    except BaseException:
        keys.discard_pending()
        raise
    keys.commit_pending()
    return Rotation(count, old.fingerprint, new.fingerprint, str(keys.key_file()))


def _recover_rotation(store: Store) -> None:
    if keys.pending_chain() is None:
        return
    with keys.rotation_lock() as held:
        if held:  # else a rotation is running in another process: its file is not ours
            _finish_pending(store)


def _finish_pending(store: Store) -> None:
    """Install or discard a rotation's pending chain by what the store holds (read now,
    under the lock, so a rotation that has just committed is seen)."""
    pending = keys.pending_chain()
    if pending is None:
        return
    if pending.fingerprint in admin.key_fingerprints(store):
        keys.commit_pending()  # the store committed the rotation; the rename did not happen
    else:
        keys.discard_pending()
