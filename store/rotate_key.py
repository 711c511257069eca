"""Rotate the pseudonymisation key: ``python -m store.rotate_key --by you@example.org``.

An instance admin's action: ``--by`` must be an email in ``SEND_LENS_ADMINS``, or the local
user's own (the one the app shows on a laptop install, ``account@localhost``); any other is
refused and nothing changes. It re-keys every stored child id in one transaction and records an audit row; see
``store.keystore`` for how a crash part-way is recovered and ``uploads.keys`` for what the
rotation protects. Back up the key file afterwards: it now holds the whole chain.
"""

from __future__ import annotations

import argparse
import sys

from store.access import PermissionDenied
from store.datasets import Store, StoreError
from store.identity import User, local_user
from store.keystore import rotate_key
from uploads.pseudonymise import PseudonymisationKeyError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m store.rotate_key", description=__doc__)
    parser.add_argument(
        "--by", required=True, help="the email of the instance admin rotating the key"
    )
    parser.add_argument("--database-url", default=None, help="default: the configured store")
    parser.add_argument(
        "--adopt-unmarked",
        action="store_true",
        help="re-key data saved before key fingerprints were kept, as made with the current key",
    )
    args = parser.parse_args(argv)
    try:
        by = _acting(args.by)
        store = Store(args.database_url)
        try:
            done = rotate_key(store, by=by, adopt_unmarked=args.adopt_unmarked)
        finally:
            store.close()
    except (StoreError, PseudonymisationKeyError, PermissionDenied, ValueError) as exc:
        print(f"The key was not rotated: {exc}", file=sys.stderr)
        return 1
    print(
        f"Rotated the pseudonymisation key: {done.versions_rekeyed} stored version(s) re-keyed; "
        f"key {done.old_fingerprint[:8]} is now {done.new_fingerprint[:8]}. "
        f"Back up {done.key_file} now: it holds the whole chain of keys."
    )
    return 0


def _acting(email: str) -> User:
    """The user named by ``--by``: the laptop's local user when it is their email (so a
    laptop install, with no SEND_LENS_ADMINS, can rotate), else that email as signed in."""
    here = local_user()
    user = User(email=email)
    if not user.email or "@" not in user.email:
        raise ValueError(f"--by must be an email address, not {email!r}")
    return here if user.email == here.email else user


if __name__ == "__main__":
    sys.exit(main())
