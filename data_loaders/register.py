"""The data register: every source SEND Lens reads, from ``data/sources.toml``.

One entry per source key; the tidy table's ``source`` column, the catalogue's ``source`` field
and the app's source lines all use these keys. ``data/SOURCES.md`` is generated from the same
file (``python -m data_loaders.register --markdown > data/SOURCES.md``), and the national half
of the register page is read from the tidy table itself, so it says what the app really uses.
"""

from __future__ import annotations

import argparse
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tidy import period_order

DATA = Path(__file__).resolve().parent.parent / "data"
REGISTER_FILE = DATA / "sources.toml"
SOURCE_KEYS = {
    "heading",
    "publisher",
    "title",
    "release",
    "licence",
    "coverage",
    "url",
    "obtained",
    "words",
    "notes",
    "refresh_dataset",
    "files",
}
FILE_KEYS = {"path", "release", "coverage", "notes"}
REQUIRED = ("heading", "publisher", "title", "release", "coverage", "obtained", "words")


@dataclass(frozen=True)
class SourceFile:
    path: str  # under data/
    release: str
    coverage: str
    notes: str


@dataclass(frozen=True)
class Source:
    key: str
    heading: str
    publisher: str
    title: str
    release: str
    licence: str
    coverage: str
    url: str
    obtained: str
    words: str  # the line the app shows under "Source"
    notes: str
    refresh_dataset: str  # the refresh command's name for it, if it fetches newer releases
    files: tuple[SourceFile, ...]


@dataclass(frozen=True)
class Register:
    intro: str
    licence: str
    sources: dict[str, Source]


def read_register(path: Path = REGISTER_FILE) -> Register:
    """The register file as records; a malformed entry is an error naming it."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    licence = str(data.get("licence", ""))
    sources = {}
    for key, entry in data.get("sources", {}).items():
        unknown = set(entry) - SOURCE_KEYS
        missing = [k for k in REQUIRED if not entry.get(k)]
        if unknown or missing:
            raise ValueError(
                f"{path.name}, [sources.{key}]: unknown {sorted(unknown)}, missing {missing}"
            )
        files = []
        for number, f in enumerate(entry.get("files", []), start=1):
            if set(f) != FILE_KEYS:
                raise ValueError(
                    f"{path.name}, [sources.{key}] file {number}: needs exactly {sorted(FILE_KEYS)}"
                )
            files.append(SourceFile(**{k: str(v) for k, v in f.items()}))
        text = {k: str(entry.get(k, "")).strip() for k in SOURCE_KEYS - {"files"}}
        text["licence"] = text["licence"] or licence
        sources[key] = Source(key=key, files=tuple(files), **text)
    return Register(intro=str(data.get("intro", "")).strip(), licence=licence, sources=sources)


REGISTER = read_register()
RELEASES: dict[str, Source] = REGISTER.sources
SOURCE_WORDS: dict[str, str] = {key: s.words for key, s in RELEASES.items()}


def listed_files(register: Register = REGISTER) -> set[str]:
    """Every file the register lists, as a path under data/."""
    return {f.path for s in register.sources.values() for f in s.files}


def markdown(register: Register = REGISTER) -> str:
    """``data/SOURCES.md``: the register as a document, one section per source."""
    out = ["# Data register", "", register.intro, ""]
    for s in register.sources.values():
        out += [f"## {s.heading}", ""]
        if s.notes:
            out += [s.notes, ""]
        facts = [f"Publisher: {s.publisher}", f"Release: {s.release}", f"Coverage: {s.coverage}"]
        if s.licence != register.licence:
            facts.append(f"Licence: {s.licence}")
        facts = [fact.rstrip(".") + "." for fact in facts]
        if s.url:
            facts.append(f"<{s.url}>")
        out += [f"Key `{s.key}`. " + " ".join(facts), ""]
        if s.files:
            out += ["| file | release | coverage | notes |", "|---|---|---|---|"]
            out += [f"| `{f.path}` | {f.release} | {f.coverage} | {f.notes} |" for f in s.files]
            out.append("")
        out += [s.obtained, ""]
    return "\n".join(out).rstrip() + "\n"


def national_register(table: pd.DataFrame) -> pd.DataFrame:
    """One row per source in the national table: title, publisher, release, periods covered,
    indicators, areas and rows, and when it was refreshed (blank for shipped data)."""
    refreshed = _refreshed_dates()
    rows = []
    for source, part in table.groupby("source", sort=True, observed=True):
        source = str(source)
        periods = part["period"].drop_duplicates()
        order = period_order(periods)
        entry = RELEASES.get(source)
        rows.append(
            {
                "Source": entry.title if entry else source,
                "Publisher": entry.publisher if entry else "",
                "Release": entry.release if entry else "",
                "First period": periods.iloc[int(order.argmin())],
                "Latest period": periods.iloc[int(order.argmax())],
                "Indicators": int(part["indicator"].nunique()),
                "Areas": int(part["area_code"].nunique()),
                "Rows": len(part),
                "Refreshed": refreshed.get(source, ""),
                "key": source,
            }
        )
    return pd.DataFrame(rows)


def _refreshed_dates() -> dict[str, str]:
    manifest = DATA / "refreshed/manifest.json"
    try:
        entries = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return {}
    by_dataset = {s.refresh_dataset: key for key, s in RELEASES.items() if s.refresh_dataset}
    items = entries.values() if isinstance(entries, dict) else entries
    out: dict[str, str] = {}
    for entry in items:
        if isinstance(entry, dict) and entry.get("dataset") and entry.get("fetched_at"):
            dataset = str(entry["dataset"])
            out[by_dataset.get(dataset, dataset)] = str(entry["fetched_at"])[:10]
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--markdown", action="store_true", help="print data/SOURCES.md")
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown(), end="")
    else:
        parser.print_help()


if __name__ == "__main__":
    main()
