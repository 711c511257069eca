"""Rotate the pseudonymisation key: ``python -m store.rotate_key --by you@example.org``.

An admin's action (the Admin page calls :func:`store.keystore.rotate_key` the same way). It
re-keys every stored child id in one transaction and records an audit row; see
``store.keystore`` for how a crash part-way is recovered and ``uploads.keys`` for what the
rotation protects. Back up the key file afterwards: it now holds the whole chain.
"""

from __future__ import annotations

import argparse
import sys

from store.datasets import Store, StoreError
from store.keystore import rotate_key
from uploads.pseudonymise import PseudonymisationKeyError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m store.rotate_key", description=__doc__)
    parser.add_argument("--by", required=True, help="who is rotating the key (for the audit)")
    parser.add_argument("--database-url", default=None, help="default: the configured store")
    parser.add_argument(
        "--adopt-unmarked",
        action="store_true",
        help="re-key data saved before key fingerprints were kept, as made with the current key",
    )
    args = parser.parse_args(argv)
    try:
        store = Store(args.database_url)
        try:
            done = rotate_key(store, by=args.by, adopt_unmarked=args.adopt_unmarked)
        finally:
            store.close()
    except (StoreError, PseudonymisationKeyError, ValueError) as exc:
        print(f"The key was not rotated: {exc}", file=sys.stderr)
        return 1
    print(
        f"Rotated the pseudonymisation key: {done.versions_rekeyed} stored version(s) re-keyed; "
        f"key {done.old_fingerprint[:8]} is now {done.new_fingerprint[:8]}. "
        f"Back up {done.key_file} now: it holds the whole chain of keys."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
