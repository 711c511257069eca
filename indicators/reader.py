"""Read the catalogue from ``data/catalogue/*.toml`` into ``Indicator`` records, checked on load.

Each file holds ``[[indicator]]`` entries and optional ``[defaults]`` that every entry of the
file takes unless it says otherwise. Files whose names start with ``_`` hold what the others
share: ``files``, the order of the indicator files (the order pages list indicators in), and
``[caveats]``, caveat texts that entries cite by name in their ``caveats`` list (any other item
of the list is literal text; the items are joined with a space). Any mistake (an unknown
key, a value outside the allowed set, a repeated id, a source not in the register) stops the
load with a message naming the file and the entry, so a bad edit never reaches a page.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Collection, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

from indicators.records import (
    DOMAINS,
    LENSES,
    LOCAL_PREFIX,
    PERIOD_TYPES,
    POLARITIES,
    RBA_QUESTIONS,
    UNITS,
    Indicator,
    default_range,
)

REQUIRED = ("id", "title", "definition", "unit", "polarity", "lens", "rba", "source")
CHOICES: dict[str, tuple[str, ...]] = {
    "unit": UNITS,
    "polarity": POLARITIES,
    "lens": LENSES,
    "rba": RBA_QUESTIONS,
    "period_type": PERIOD_TYPES,
    "domain": ("", *DOMAINS),
}
LISTS = ("breakdowns", "earlier_sources", "series_breaks", "caveats")
BOOLS = ("headline", "school")
INTS = ("headline_order", "governance_order", "story_order")
NUMBERS = ("valid_min", "valid_max")
KEYS = {f.name for f in fields(Indicator)}
CAVEAT_NAME = re.compile(r"^[a-z0-9_]+$")


class CatalogueError(ValueError):
    """A catalogue file breaks the rules; the message names the file and the entry."""


def load_catalogue(folder: Path, register_keys: Collection[str]) -> tuple[Indicator, ...]:
    """Every entry of every ``*.toml`` in ``folder``, in file then entry order."""
    files = sorted(folder.glob("*.toml"))
    caveats: dict[str, str] = {}
    order: list[str] = []
    for path in (p for p in files if p.name.startswith("_")):
        shared, listed = _shared(path)
        caveats.update(shared)
        order += listed
    records: list[Indicator] = []
    seen: dict[str, str] = {}
    for path in _in_order([p for p in files if not p.name.startswith("_")], order):
        for where, entry in _entries(path):
            record = _record(entry, where, caveats, register_keys)
            if record.id in seen:
                raise CatalogueError(
                    f"{where}: id {record.id!r} is already used in {seen[record.id]}"
                )
            seen[record.id] = where
            records.append(record)
    _check_across(records, seen)
    return tuple(records)


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CatalogueError(f"{path.name}: not valid TOML ({error})") from None


def _shared(path: Path) -> tuple[dict[str, str], list[str]]:
    """A shared file's caveat texts by name, and its order of the indicator files."""
    data = _read(path)
    unknown = set(data) - {"caveats", "files"}
    if unknown:
        raise CatalogueError(
            f"{path.name}: unknown key(s) {sorted(unknown)}; expected files, [caveats]"
        )
    table = data.get("caveats", {})
    for name, text in table.items():
        if not CAVEAT_NAME.match(name) or not isinstance(text, str) or not text:
            raise CatalogueError(f"{path.name}: caveat {name!r} must be a-z0-9_ naming a text")
    files = data.get("files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise CatalogueError(f"{path.name}: files must be a list of file names")
    return dict(table), files


def _in_order(paths: list[Path], order: list[str]) -> list[Path]:
    """The indicator files in the listed order (alphabetical when no order is given)."""
    if not order:
        return paths
    names = {p.name: p for p in paths}
    unlisted = sorted(set(names) - set(order))
    missing = [name for name in order if name not in names]
    if unlisted or missing:
        raise CatalogueError(
            f"_catalogue.toml: files must list every indicator file exactly; "
            f"not listed {unlisted}, listed but not found {missing}"
        )
    return [names[name] for name in order]


def _entries(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    data = _read(path)
    unknown = set(data) - {"defaults", "indicator"}
    if unknown:
        raise CatalogueError(
            f"{path.name}: unknown top-level key(s) {sorted(unknown)}; "
            "expected [defaults] and [[indicator]] entries"
        )
    defaults = data.get("defaults", {})
    bad = set(defaults) - (KEYS - {"id"})
    if bad:
        raise CatalogueError(f"{path.name}, [defaults]: unknown key(s) {sorted(bad)}")
    entries = data.get("indicator", [])
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"{path.name}: no [[indicator]] entries")
    for number, entry in enumerate(entries, start=1):
        where = f"{path.name}, indicator {number} ({entry.get('id', 'no id')})"
        bad = set(entry) - KEYS
        if bad:
            raise CatalogueError(f"{where}: unknown key(s) {sorted(bad)}")
        yield where, {**defaults, **entry}


def _record(
    entry: dict[str, Any], where: str, caveats: dict[str, str], register_keys: Collection[str]
) -> Indicator:
    missing = [k for k in REQUIRED if not entry.get(k)]
    if missing:
        raise CatalogueError(f"{where}: missing {', '.join(missing)}")
    values: dict[str, Any] = {}
    for key, raw in entry.items():
        values[key] = _typed(key, raw, where)
    for key, allowed in CHOICES.items():
        if key in values and values[key] not in allowed:
            raise CatalogueError(
                f"{where}: {key} {values[key]!r} is not one of {', '.join(map(repr, allowed))}"
            )
    for key in ("source", *values.get("earlier_sources", ())):
        name = values["source"] if key == "source" else key
        if name not in register_keys:
            raise CatalogueError(f"{where}: source {name!r} is not a key of data/sources.toml")
    if (values["source"] == "local") != values["id"].startswith(LOCAL_PREFIX):
        raise CatalogueError(
            f"{where}: ids start {LOCAL_PREFIX!r} exactly when the source is local"
        )
    values["caveats"] = _caveat_text(values.get("caveats", ()), caveats, where)
    low, high = default_range(values["unit"])
    values.setdefault("valid_min", low)
    values.setdefault("valid_max", high)
    if values["valid_min"] > values["valid_max"]:
        raise CatalogueError(f"{where}: valid_min is above valid_max")
    if values.get("headline") and not (values.get("headline_order") and values.get("short_title")):
        raise CatalogueError(f"{where}: a headline needs headline_order and short_title")
    if bool(values.get("governance_group")) != bool(values.get("governance_order")):
        raise CatalogueError(f"{where}: governance_group and governance_order go together")
    if values.get("question") or values.get("story_order"):
        # A story card shows the question, the plain sentence and what it does not tell.
        lacking = [k for k in ("question", "not_told", "plain") if not values.get(k)]
        if lacking:
            raise CatalogueError(f"{where}: a story card needs {', '.join(lacking)}")
    return Indicator(**values)


def _typed(key: str, raw: Any, where: str) -> Any:
    if key in LISTS:
        if not isinstance(raw, list) or not all(isinstance(x, str) and x for x in raw):
            raise CatalogueError(f"{where}: {key} must be a list of texts")
        return tuple(raw)
    if key in BOOLS:
        if not isinstance(raw, bool):
            raise CatalogueError(f"{where}: {key} must be true or false")
        return raw
    if key in INTS:
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
            raise CatalogueError(f"{where}: {key} must be a whole number from 1")
        return raw
    if key in NUMBERS:
        if isinstance(raw, bool) or not isinstance(raw, int | float) or math.isnan(raw):
            raise CatalogueError(f"{where}: {key} must be a number (inf for no limit)")
        return float(raw)
    if not isinstance(raw, str):
        raise CatalogueError(f"{where}: {key} must be text")
    return raw


def _caveat_text(items: tuple[str, ...], shared: dict[str, str], where: str) -> str:
    texts = []
    for item in items:
        if CAVEAT_NAME.match(item):
            if item not in shared:
                raise CatalogueError(f"{where}: no shared caveat named {item!r}")
            texts.append(shared[item])
        else:
            texts.append(item)
    return " ".join(texts)


def _check_across(records: list[Indicator], where: dict[str, str]) -> None:
    """Rules between entries: orders are unique and a local KPI mirrors a national indicator."""
    national = {r.id for r in records if not r.is_local}
    for attribute in ("headline_order", "governance_order", "story_order"):
        taken: dict[int, str] = {}
        for r in records:
            order = getattr(r, attribute)
            if order and order in taken:
                raise CatalogueError(
                    f"{where[r.id]}: {attribute} {order} is already used by {taken[order]!r}"
                )
            if order:
                taken[order] = r.id
    for r in records:
        if r.national_equivalent and r.national_equivalent not in national:
            raise CatalogueError(
                f"{where[r.id]}: national_equivalent {r.national_equivalent!r} is not a national id"
            )
