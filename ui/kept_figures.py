"""Home's ten figures for an area, kept in the data cache from one server start to the next.

A server's first Home page read its ten indicators' rows (28,555 of the table's 180,483),
indexed them and worked out ten headlines: 0.12-0.22 s of CPU which, on a start, the server
spent while the browser loaded the page and which the page's run then waited on
(benchmarks/README.md, "Warm start: Home's figures kept"). The figures are the same for every
visitor and change only with the published data or the code that works them out, so once
worked out for an area they are written to ``<cache>/home_figures-<key>.json`` and the next
server reads them from there. The key covers the national table's fingerprint (data files,
catalogue, loaders, indicators) and the analysis and geography code and this module; a file
of another key is never read, and is deleted when one is written. Published national figures
only: nothing of a visitor or of an area's own data.

``SEND_LENS_KEEP_FIGURES=0`` turns it off (the tests do, as they patch the national table).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from dataclasses import asdict
from functools import cache
from pathlib import Path

from analysis.profile import Headline
from data_loaders import build
from geography import derived_cache

NAME = "home_figures"
ENV = "SEND_LENS_KEEP_FIGURES"
ROOT = Path(__file__).resolve().parent.parent
# The code between the national table and a headline, besides what the fingerprint covers.
CODE = (ROOT / "analysis", ROOT / "geography")

_lock = threading.Lock()
_kept: dict[str, dict[str, Headline]] = {}
_read: list[bool] = []


def enabled() -> bool:
    return os.environ.get(ENV) != "0"


@cache
def key() -> str:
    """The national table's fingerprint with the code that turns it into headlines (once per
    process, as the table itself is read once)."""
    digest = hashlib.sha256(build.fingerprint().encode())
    for path in sorted(p for folder in CODE for p in folder.rglob("*.py")) + [Path(__file__)]:
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{int(stat.st_mtime)}".encode())
    return digest.hexdigest()[:16]


def path() -> Path:
    return derived_cache.cache_dir() / f"{NAME}-{key()}.json"


def kept(area: str) -> dict[str, Headline]:
    """The area's kept figures by indicator (empty if none are kept, or it is off)."""
    if not enabled():
        return {}
    with _lock:
        if not _read:
            _kept.update(_from_file(path()))
            _read.append(True)
        return _kept.get(area, {})


def any_kept() -> bool:
    """Whether some area's figures are kept (then Home's rows are read only for another)."""
    kept("")
    return bool(_kept)


def keep(area: str, figures: list[Headline]) -> None:
    """Write the area's figures to the file, unless they are kept already."""
    if not enabled() or kept(area) == {h.indicator: h for h in figures}:
        return
    with _lock:
        _kept[area] = {h.indicator: h for h in figures}
        text = json.dumps(
            {code: [asdict(h) for h in by_id.values()] for code, by_id in _kept.items()}
        )
        _write(text, path())


def _from_file(file: Path) -> dict[str, dict[str, Headline]]:
    """Every area's figures in ``file``; nothing if it is missing or not as written here."""
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
        return {
            area: {h.indicator: h for h in (_headline(fields) for fields in figures)}
            for area, figures in raw.items()
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def _headline(fields: dict) -> Headline:
    # JSON has lists where the dataclass has tuples.
    for name in ("counts", "previous_counts"):
        fields[name] = tuple(fields[name])
    return Headline(**fields)


def _write(text: str, file: Path) -> None:
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", dir=file.parent, suffix=".json.tmp", delete=False, encoding="utf-8"
        ) as tmp:
            tmp_path = Path(tmp.name)
            tmp.write(text)
        try:
            os.replace(tmp_path, file)  # a reader never finds half a file
        finally:
            tmp_path.unlink(missing_ok=True)
        for old in file.parent.glob(f"{NAME}-*.json"):
            if old != file:
                old.unlink(missing_ok=True)
    except OSError:
        return  # a read-only install works them out on each start, as before
