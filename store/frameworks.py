"""Frameworks an area uploads, kept in the upload store beside its returns.

A custom framework is saved as a dataset of kind ``outcomes_framework`` named after its id:
one row holding the file's text exactly as uploaded. The store then gives it what every
upload has: versions (uploading a changed file adds one, an identical file adds nothing), a
rollback, deletion and an audit trail, in SQLite on a laptop and PostgreSQL on a team
instance (the same ``store.datasets.database_url()``). The text is checked again with
:func:`uploads.frameworks.parse_framework` every time it is read, so a framework that
a later version of SEND Lens would refuse is reported, not half-used.

Frameworks are not record-level: they hold no child's data.
"""

from __future__ import annotations

import hashlib
import logging

import pandas as pd

from store.datasets import Store, VersionInfo
from store.identity import User
from uploads.frameworks import Framework, parse_framework, shipped_frameworks
from uploads.public import MESSAGE as PUBLIC_MESSAGE
from uploads.public import public_mode
from uploads.readers import UploadError, refuse

KIND = "outcomes_framework"
log = logging.getLogger(__name__)


def save_framework(
    store: Store, data: bytes, filename: str, *, by: User, workspace: str
) -> tuple[Framework, VersionInfo]:
    """Check an uploaded framework file and keep it; :class:`UploadError` if it has problems."""
    if public_mode():
        raise refuse(PUBLIC_MESSAGE, filename)
    framework = parse_framework(data, filename, reserved_ids=tuple(shipped_frameworks()))
    text = data.decode("utf-8-sig", errors="replace")
    row = pd.DataFrame({"id": [framework.id], "name": [framework.name], "toml": [text]})
    info = store.save_version(
        KIND,
        framework.id,
        row,
        file_name=filename,
        file_sha256=hashlib.sha256(data).hexdigest(),
        by=by,
        workspace=workspace,
        source_rows=1,
    )
    return framework, info


def stored_frameworks(
    store: Store, *, by: User, workspace: str
) -> tuple[dict[str, Framework], list[str]]:
    """The active version of every uploaded framework of the workspace by id, and what could
    not be read."""
    out: dict[str, Framework] = {}
    problems: list[str] = []
    for info, frame in store.load_active(KIND, by=by, workspace=workspace):
        try:
            text = str(frame["toml"].iloc[0])
            fw = parse_framework(
                text.encode("utf-8"), info.file_name, reserved_ids=tuple(shipped_frameworks())
            )
        except (UploadError, KeyError, IndexError) as exc:
            log.warning("stored framework %s v%d could not be read", info.name, info.version)
            problems.append(
                f"The uploaded framework '{info.name}' (version {info.version}) could not be "
                f"read: {exc}"
            )
            continue
        out[fw.id] = fw
    return out, problems


def all_frameworks(
    store: Store | None, *, by: User | None = None, workspace: str | None = None
) -> tuple[dict[str, Framework], list[str]]:
    """Shipped frameworks first, then the workspace's own (a stored one never replaces a
    shipped one); shipped only without a store, user and workspace."""
    shipped = shipped_frameworks()
    if store is None or by is None or workspace is None:
        return dict(shipped), []
    stored, problems = stored_frameworks(store, by=by, workspace=workspace)
    return {**shipped, **{k: v for k, v in stored.items() if k not in shipped}}, problems
