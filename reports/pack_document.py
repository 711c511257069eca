"""What a board pack holds, before it is written as PDF or HTML: plain text and numbers already
written for people, so every writer shows the same words (``reports.board_pack`` fills it,
``reports.typeset`` and ``board_pack.pack_html`` write it)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Chart:
    title: str
    spec: dict[str, object]
    table: Table
    note: str = ""  # what the chart needs said beside it, such as a series break it crosses


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]
    widths: list[float] = field(default_factory=list)  # relative, for the PDF


@dataclass
class Section:
    key: str
    title: str
    intro: str
    verdicts: list[tuple[str, list[str]]]  # (group heading, sentences)
    charts: list[Chart]
    tables: list[Table]
    caveats: list[str]


@dataclass
class BoardPack:
    title: str
    area: str
    area_name: str
    subtitle: str
    cover: Table
    notes: list[str]
    sections: list[Section]
    sources: Table
