"""Pseudonymisation on arrival: identifiers become keyed hashes, dates of birth become age.

Nothing in an upload that identifies a child directly leaves ``uploads.intake``:

* UPN, ULN, NHS number and local ids are replaced by ``HMAC-SHA256(key, normalised id)``,
  written as 32 hexadecimal characters (the first 128 bits). The same id gives the same
  hash in every kind of upload and every agency's extract, so extracts still link; without
  the key nobody can recompute it, which a plain hash of a UPN would allow in seconds.
* The id is normalised first (spaces and hyphens removed, upper case), so "943 476 5919"
  from health and "9434765919" from social care are the same child.
* A date of birth becomes age in whole years and national curriculum year, both on a
  reference date (the row's request or review date, else today); the date itself is dropped.
* Names, addresses and postcodes are never read: only the columns of a kind's schema are.

The key comes from ``SEND_LENS_PSEUDONYMISATION_KEY`` or, if that is unset, from a key file
created on first use in the user's config directory (``~/.config/send-lens`` on Linux and
macOS, ``%APPDATA%\\send-lens`` on Windows, or ``SEND_LENS_CONFIG_DIR``), readable by the
owner only. It is never inside the repository, so it is never committed. Losing the key
means new uploads no longer link to stored ones: back it up with the same care as the data.
Reading the key, its fingerprint and rotation (a chain of keys) live in ``uploads.keys``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from uploads import identifiers

log = logging.getLogger(__name__)

KEY_ENV = "SEND_LENS_PSEUDONYMISATION_KEY"
CONFIG_ENV = "SEND_LENS_CONFIG_DIR"
KEY_FILE = "pseudonymisation.key"
MIN_KEY_CHARS = 16
HASH_CHARS = 32  # 128 bits: collisions are negligible for any population of children
REPO = Path(__file__).resolve().parent.parent


class PseudonymisationKeyError(RuntimeError):
    """The pseudonymisation key is missing, too short, or would sit inside the repository."""


def config_dir() -> Path:
    """Where the key file lives: ``SEND_LENS_CONFIG_DIR`` or the platform's user config dir."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config"))
    return base / "send-lens"


def normalise_ids(ids: pd.Series) -> pd.Series:
    """Ids as they are hashed: look-alike characters folded, spaces and hyphens removed, upper
    case; blanks become <NA> (see ``uploads.identifiers``)."""
    return identifiers.normalise_ids(ids)


def keyed_hashes(ids: list[str], key: bytes) -> list[str]:
    """HMAC-SHA256 (RFC 2104) of each id, as 32 hex characters.

    The same as ``hmac.digest(key, id, "sha256")`` (a test holds it to that)."""
    return _hex_prefixes(_digests([i.encode("utf-8") for i in ids], key)).to_pylist()


def _digests(messages: list[bytes], key: bytes) -> bytes:
    """The HMAC-SHA256 digests of ``messages``, 32 bytes each, end to end.

    Computed from the key's inner and outer hash states prepared once, which is over twice
    as fast as a fresh HMAC per id; the digests stay bytes, turned into text in one numpy
    pass (``_hex_prefixes``), not one ``hex()`` and one string per id."""
    block = 64  # SHA-256's block size
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    inner_copy = hashlib.sha256(bytes(b ^ 0x36 for b in key)).copy
    outer_copy = hashlib.sha256(bytes(b ^ 0x5C for b in key)).copy
    out = []
    for message in messages:
        inner = inner_copy()
        inner.update(message)
        outer = outer_copy()
        outer.update(inner.digest())
        out.append(outer.digest())
    return b"".join(out)


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _hex_prefixes(digests: bytes) -> pa.StringArray:
    """The first HASH_CHARS // 2 bytes of each 32-byte digest as lower-case hex, as Arrow text."""
    head = np.frombuffer(digests, dtype=np.uint8).reshape(-1, 32)[:, : HASH_CHARS // 2]
    text = np.empty((len(head), HASH_CHARS), dtype=np.uint8)
    text[:, 0::2], text[:, 1::2] = _HEX[head >> 4], _HEX[head & 15]
    offsets = np.arange(0, HASH_CHARS * (len(head) + 1), HASH_CHARS, dtype=np.int32)
    return pa.StringArray.from_buffers(len(head), pa.py_buffer(offsets), pa.py_buffer(text))


def pseudonymise_ids(
    ids: pd.Series, key: bytes | Sequence[bytes], *, normalised: bool = False
) -> pd.Series:
    """Replace every id by its keyed hash; blanks stay <NA>. Same id, same hash, any upload.

    ``key`` is one key or a rotated chain of keys, oldest first (``uploads.keys.load_chain``;
    it is not read here, since ``uploads.keys`` builds on this module)."""
    chain = [key] if isinstance(key, bytes) else list(key)
    codes, uniques = pd.factorize(ids if normalised else normalise_ids(ids), use_na_sentinel=True)
    # One HMAC per distinct id, not per row: agency extracts repeat children often.
    hashed = pa.array(uniques.astype("string"), type=pa.string())
    for link in chain:
        hashed = _hex_prefixes(_digests(hashed.cast(pa.binary()).to_pylist(), link))
    rows = pa.array(codes, mask=codes < 0, type=pa.int64())  # -1 (a blank) takes null
    return pd.Series(pd.arrays.ArrowStringArray(hashed.take(rows)), index=ids.index, dtype="string")


def age_on(dob: pd.Series, reference: pd.Series) -> pd.Series:
    """Whole years between a date of birth and a reference date (both datetime64)."""
    before_birthday = (reference.dt.month < dob.dt.month) | (
        (reference.dt.month == dob.dt.month) & (reference.dt.day < dob.dt.day)
    )
    years = reference.dt.year - dob.dt.year - before_birthday.astype("int64")
    return years.astype("Int64")


def nc_year(dob: pd.Series, reference: pd.Series) -> pd.Series:
    """England's national curriculum year group in the academic year containing ``reference``.

    An academic year runs 1 September to 31 August. A child's year group is their age on
    31 August just before it started, minus 4: Reception (0) is the year children turn 5,
    so a child who was 4 on that 31 August is in Reception and one who was 9 is in Year 5.
    (Equivalently, age on the 31 August that ends the academic year, minus 5.) Example: born
    15 March 2015; academic year 2024/25 starts 1 September 2024; on 31 August 2024 the
    child is 9, so Year 5. Negative values are nursery ages; values above 13 are beyond
    Year 13 (young people up to 25).
    """
    start_year = reference.dt.year - (reference.dt.month < 9).astype("int64")
    # Age on 31 August of start_year (age_on with that date, in arithmetic: 100,000 dates
    # written out and parsed back took 26 ms): the birthday is still to come then only for
    # those born after August.
    age = start_year - dob.dt.year - (dob.dt.month > 8).astype("int64")
    return (age - 4).astype("Int64")


def today() -> pd.Timestamp:
    return pd.Timestamp(date.today())
