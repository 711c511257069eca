"""The data book: every catalogue indicator for one area, its comparators, region and England over
all years, as an XLSX workbook an analyst can filter, chart and quote from.

``databook(area, table, ...)`` builds the book's tables (pure pandas, so a test reads them
without Excel); ``databook_xlsx`` writes them: a contents sheet with a link to each indicator's
sheet, one sheet per indicator, then definitions (from the catalogue) and sources (from the
register). Every table is an Excel table; numbers are stored as numbers (a percentage as the
67.5 the query API gives, shown "67.5%" by its number format), and text is escaped so that no
cell can run as a formula.

The statistics are the Benchmarking page's (``analysis.benchmark``): ``compare`` gives each
LA's interval, national rank, quartile band and significance against England, and for the area
itself against its comparators; ``trend`` gives each series' recent trend. The figures are as
published by DfE, ONS and NHS England, which have had the publisher's disclosure control, so no
small-number rule is applied here (see ``analysis.disclosure``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

import indicators
from analysis import benchmark, ranking, stats, trend
from analysis.neighbours import check_area, comparator_sets
from data_loaders.register import RELEASES
from geography import areas
from reports.format import escape_cell, escape_for_spreadsheet, excel_format
from tidy import period_sort_key

THIS_AREA, COMPARATOR, REGION, ENGLAND = "This area", "Comparator", "Region", "England"

INDICATOR_COLUMNS = [
    "Period",
    "Breakdown",
    "Area code",
    "Area",
    "Compared as",
    "Numerator",
    "Denominator",
    "Value",
    "Lower 95% limit",
    "Upper 95% limit",
    "Interval method",
    "Rank",
    "Of LAs ranked",
    "Quartile band",
    "Against England",
    "Against comparators",
    "Recent trend",
    "Status",
    "Note",
]
COUNT_FORMAT = "#,##0"
SHEET_NAME_LIMIT = 31
TABLE_STYLE = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)


@dataclass(frozen=True)
class DataBook:
    """The book's tables: ``sheets`` maps each indicator's sheet name to its table."""

    area: str
    area_name: str
    comparator_label: str
    comparators: tuple[str, ...]
    made: dt.date
    contents: pd.DataFrame
    sheets: dict[str, pd.DataFrame] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)  # sheet name -> the indicator's unit
    definitions: pd.DataFrame = field(default_factory=pd.DataFrame)
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)


def default_comparators(area: str) -> tuple[str, list[str]]:
    """The set the Benchmarking page starts with: DfE's 2025 statistical neighbours."""
    return named_comparators(area)


def named_comparators(area: str, name: str | None = None) -> tuple[str, list[str]]:
    """A comparator set by its name on the Benchmarking page ("Region", "Same region only",
    "Statistical neighbours (DfE 2021)"...; case and spacing ignored), for a command line;
    ``ValueError`` listing the names otherwise. None gives the default set."""
    sets = comparator_sets(area)
    if name is None:
        return next(iter(sets.items()))
    wanted = " ".join(name.split()).lower()
    for label, members in sets.items():
        if label.lower() == wanted:
            return label, members
    raise ValueError(f"no comparator set {name!r}; choose one of: {', '.join(sets)}")


def check_periods(table: pd.DataFrame, periods: Sequence[str]) -> list[str]:
    """``periods`` as given, or ``ValueError`` naming any no indicator has a value in."""
    known = {str(p) for p in table.loc[table["value"].notna(), "period"].unique()}
    unknown = [p for p in periods if p not in known]
    if unknown:
        raise ValueError(
            f"no indicator has figures for period {', '.join(map(repr, unknown))}; "
            "periods are written like 2024/25, 2024 or 2025-03"
        )
    return list(periods)


def recent_periods(table: pd.DataFrame, years: int) -> list[str]:
    """The periods of the newest ``years`` years of each kind in the table: academic or
    financial years (2024/25), calendar years (2024) and months (2025-03, twelve a year)."""
    periods = table.loc[table["value"].notna(), "period"].astype(str).unique()
    kinds: dict[str, list[str]] = {}
    for p in periods:
        kinds.setdefault("/" if "/" in p else "-" if "-" in p else "", []).append(p)
    keep: list[str] = []
    for kind, members in kinds.items():
        keep += sorted(members, key=period_sort_key)[-years * (12 if kind == "-" else 1) :]
    return keep


def sheet_names(titles: Sequence[str]) -> list[str]:
    """Excel sheet names for ``titles``: at most 31 characters, none of ``[]:*?/\\``, unique
    (a number is put in front, so the contents' order is the sheets' order)."""
    names = []
    for number, title in enumerate(titles, start=1):
        clean = re.sub(r"[\[\]:*?/\\']", " ", title)
        clean = re.sub(r"\s+", " ", clean).strip()
        names.append(f"{number} {clean}"[:SHEET_NAME_LIMIT].rstrip())
    return names


def indicator_table(
    table: pd.DataFrame,
    indicator_id: str,
    area: str,
    comparators: Sequence[str],
    comparator_label: str,
    periods: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One indicator's rows for the area, its comparators, its region and England, every period
    (or those in ``periods``) oldest first; columns ``INDICATOR_COLUMNS``.

    Totals only, unless the indicator is published only by breakdown (primary need, absence by
    SEN status): then each breakdown is treated as a series of its own, ranked and tested among
    LAs' values of the same breakdown."""
    rows = indicators.rows(indicator_id, None, None, table=table)
    has_totals = bool((rows["breakdown"] == "").any())
    parts = [""] if has_totals else sorted(rows["breakdown"].astype(str).unique())
    frames = [
        _breakdown_table(
            # As totals, so that ``compare`` and ``trend`` (totals only) take the breakdown's rows.
            rows[rows["breakdown"] == part].assign(breakdown=""),
            indicator_id,
            part,
            area,
            comparators,
            comparator_label,
            periods,
        )
        for part in parts
    ]
    frame = pd.concat(frames, ignore_index=True) if frames else _empty()
    if not has_totals and len(frame):
        order = frame["Period"].map(period_sort_key)
        frame = frame.assign(_o=order).sort_values(["_o", "Breakdown"], kind="stable")
        frame = frame.drop(columns="_o").reset_index(drop=True)
    return _with_notes(frame, indicators.get(indicator_id))


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=INDICATOR_COLUMNS)


def breakdown_words(breakdown: str) -> str:
    """ "social_care_group=CINO at 31 March;sen_provision=EHC plan" -> "CINO at 31 March, EHC plan"."""
    return ", ".join(part.split("=", 1)[-1] for part in breakdown.split(";") if part)


def _breakdown_table(
    rows: pd.DataFrame,
    indicator_id: str,
    breakdown: str,
    area: str,
    comparators: Sequence[str],
    comparator_label: str,
    periods: Sequence[str] | None,
) -> pd.DataFrame:
    ind = indicators.get(indicator_id)
    code = areas.current_code(area)
    region = areas.region_of(code)
    members = [(code, THIS_AREA)] + [(c, COMPARATOR) for c in comparators]
    members += [(region, REGION)] if region else []
    members += [(areas.ENGLAND, ENGLAND)]
    names = areas.area_names()
    own = rows[rows["area_code"].isin([m for m, _ in members])]
    present = own.loc[own["value"].notna(), "period"].unique()
    shown = sorted(
        (str(p) for p in present if periods is None or p in periods), key=period_sort_key
    )
    # The trend only needs the members' own rows: filtering 13 areas' rows rather than all
    # 170 keeps the book to seconds.
    # The members' rows read once (benchmark.Totals): trend-testing each from its own frame
    # rebuilt them per member, a quarter of the book's time.
    totals = benchmark.Totals.of(own, indicator_id)
    present_members = set(own["area_code"].astype(str))
    trends = {
        m: totals.trend(m).verdict if m in present_members else trend.CANNOT for m, _ in members
    }
    current = set(areas.current_las()["la_code"])
    label = breakdown_words(breakdown)
    records = []
    by_period = {str(k): g for k, g in rows.groupby("period", sort=False, observed=True)}
    for period in shown:
        at = by_period[period]
        by_area = benchmark._records(at)
        ranked = ranking.ranks_and_bands(
            {c: r[1] for c, r in by_area.items() if r[0] == "la" and c in current}, ind.polarity
        )
        england = by_area.get(areas.ENGLAND, ("national", None, None, None, ""))[1]
        mine = benchmark.compare(at, indicator_id, code, period, comparators, comparator_label)
        for member, role in members:
            if member not in by_area:
                continue
            _, value, num, den, status = by_area[member]
            ci = benchmark.interval(ind.unit, value, num, den, 0.95) if value is not None else None
            row: list[object] = [period, label, member, names.get(member, member), role]
            row += [num, den, value, *(ci or (None, None))]
            row += [benchmark.CI_METHODS.get(ind.unit, "") if ci else ""]
            if role in (REGION, ENGLAND):
                row += [None, None, "", "", ""]
            else:
                position = ranked.get(member, (None, None, None))
                # As ``compare``: counts are never tested, and an interval-less value is not.
                tested = ci if ind.unit != "count" else None
                versus = stats.judge(stats.significance(tested, england), ind.polarity)
                row += [
                    *position[:2],
                    position[2] or "",
                    versus if value is not None else "",
                    mine.neighbours.judgement if role == THIS_AREA else "",
                ]
            records.append(row + [trends[member], status, ""])
    return pd.DataFrame.from_records(records, columns=INDICATOR_COLUMNS)


def _with_notes(frame: pd.DataFrame, ind: indicators.Indicator) -> pd.DataFrame:
    """Say on the row why a rank or a test is missing or weak, so no blank is a puzzle."""
    notes = []
    for value, den, rank in zip(frame["Value"], frame["Denominator"], frame["Rank"]):
        if value is None or pd.isna(value):
            notes.append("no value published")
        elif ind.unit == "count":
            notes.append(benchmark.COUNT_NOT_TESTED)
        elif rank is not None and not pd.isna(rank) and ranking.too_small_to_rank(den):
            notes.append(f"on only {den:,.0f} cases: too few to rank")
        else:
            notes.append("")
    out = frame.copy()
    out["Note"] = notes
    for col in ("Rank", "Of LAs ranked"):
        out[col] = pd.array(out[col], dtype="Int64")
    return out


def databook(
    area: str,
    table: pd.DataFrame,
    comparators: Sequence[str] | None = None,
    comparator_label: str | None = None,
    periods: Sequence[str] | None = None,
    indicator_ids: Sequence[str] | None = None,
    today: dt.date | None = None,
) -> DataBook:
    """The data book's tables for ``area`` (a current LA code; ``ValueError`` otherwise).

    ``comparators`` (LA codes) default to DfE's 2025 statistical neighbours, named
    ``comparator_label``; ``periods`` limit the years (default all); ``indicator_ids`` the
    indicators (default the whole catalogue, in its order). An indicator with no value for the
    area in the periods chosen gets no sheet; the contents says so.
    """
    code = check_area(area)
    if comparators is None:
        comparator_label, comparators = default_comparators(code)
    comparators = [areas.current_code(c) for c in comparators]
    label = comparator_label or "chosen comparators"
    if periods is not None:
        periods = check_periods(table, periods)
    wanted = list(indicator_ids) if indicator_ids is not None else list(indicators.CATALOGUE)
    for indicator_id in wanted:
        indicators.get(indicator_id)  # an unknown id stops here, named
    names = areas.area_names()

    frames: dict[str, pd.DataFrame] = {}
    for indicator_id in wanted:
        frame = indicator_table(table, indicator_id, code, comparators, label, periods)
        if ((frame["Compared as"] == THIS_AREA) & frame["Value"].notna()).any():
            frames[indicator_id] = frame
    titles = [indicators.get(i).short_title or indicators.get(i).title for i in frames]
    sheets = dict(zip(sheet_names(titles), frames.values()))
    ids_by_sheet = dict(zip(sheets, frames))
    contents = _contents(sheets, ids_by_sheet, wanted)
    used = [indicators.get(i) for i in frames]
    return DataBook(
        area=code,
        area_name=names.get(code, code),
        comparator_label=label,
        comparators=tuple(comparators),
        made=today or dt.date.today(),
        contents=contents,
        sheets=sheets,
        units={s: indicators.get(i).unit for s, i in ids_by_sheet.items()},
        definitions=_definitions(used),
        sources=_sources(used),
    )


def _contents(
    sheets: dict[str, pd.DataFrame], ids_by_sheet: dict[str, str], wanted: Sequence[str]
) -> pd.DataFrame:
    rows = []
    for sheet, frame in sheets.items():
        ind = indicators.get(ids_by_sheet[sheet])
        own = frame[(frame["Compared as"] == THIS_AREA) & frame["Value"].notna()]
        latest = own.iloc[-1]
        rows.append(
            {
                "Sheet": sheet,
                "Indicator": ind.title,
                "Indicator id": ind.id,
                "Unit": ind.unit,
                "Latest period": latest["Period"],
                "Latest value": latest["Value"],
                "Against England": latest["Against England"],
                "Against comparators": latest["Against comparators"],
                "Recent trend": latest["Recent trend"],
            }
        )
    shown = set(ids_by_sheet.values())
    for missing in (i for i in wanted if i not in shown):
        ind = indicators.get(missing)
        rows.append(
            {
                "Sheet": "",
                "Indicator": ind.title,
                "Indicator id": ind.id,
                "Unit": ind.unit,
                "Latest period": "",
                "Latest value": None,
                "Against England": "",
                "Against comparators": "",
                "Recent trend": "no figures for this area in the periods chosen",
            }
        )
    return pd.DataFrame(rows)


def _definitions(used: Sequence[indicators.Indicator]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Indicator id": i.id,
                "Indicator": i.title,
                "Definition": i.definition,
                "In plain words": i.plain,
                "Unit": i.unit,
                "Higher is": {"high": "better", "low": "worse"}.get(i.polarity, "neither"),
                "Numerator": i.numerator,
                "Denominator": i.denominator,
                "Period type": i.period_type,
                "Series breaks": ", ".join(i.series_breaks),
                "Caveats": i.caveats,
                "Source": RELEASES[i.source].words if i.source in RELEASES else i.source,
            }
            for i in used
        ]
    )


def _sources(used: Sequence[indicators.Indicator]) -> pd.DataFrame:
    keys = list(dict.fromkeys(k for i in used for k in (i.source, *i.earlier_sources)))
    rows = []
    for key in keys:
        s = RELEASES.get(key)
        if s is None:
            continue
        rows.append(
            {
                "Source key": key,
                "Title": s.title,
                "Publisher": s.publisher,
                "Release": s.release,
                "Coverage": s.coverage,
                "Licence": s.licence,
                "Web address": s.url,
                "Indicators": ", ".join(
                    i.id for i in used if key in (i.source, *i.earlier_sources)
                ),
            }
        )
    return pd.DataFrame(rows)


# --- The workbook -------------------------------------------------------------------------------


def databook_xlsx(
    area_code: str,
    table: pd.DataFrame,
    comparators: Sequence[str] | None = None,
    comparator_label: str | None = None,
    periods: Sequence[str] | None = None,
    indicator_ids: Sequence[str] | None = None,
) -> bytes:
    """The data book as XLSX bytes (arguments as ``databook``)."""
    return write_xlsx(
        databook(area_code, table, comparators, comparator_label, periods, indicator_ids)
    )


def write_xlsx(book: DataBook) -> bytes:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    first.title = "Contents"
    _write_contents(first, book)
    for number, (name, frame) in enumerate(book.sheets.items(), start=1):
        sheet = workbook.create_sheet(name)
        fmt = excel_format(book.units[name])
        formats = {
            "Numerator": COUNT_FORMAT,
            "Denominator": COUNT_FORMAT,
            "Value": fmt,
            "Lower 95% limit": fmt,
            "Upper 95% limit": fmt,
            "Rank": "0",
            "Of LAs ranked": "0",
        }
        title = book.contents.loc[book.contents["Sheet"] == name, "Indicator"].iloc[0]
        heading = [f"{title}: {book.area_name} ({book.area})", "Back to contents"]
        _write_table(sheet, frame, f"Indicator{number}", formats, heading)
        _link(sheet["A2"], "Contents")
    for name, frame in (("Definitions", book.definitions), ("Sources", book.sources)):
        _write_table(workbook.create_sheet(name), frame, name, {}, [name])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_contents(sheet: Worksheet, book: DataBook) -> None:
    comparators = ", ".join(areas.area_names().get(c, c) for c in book.comparators)
    heading = [
        f"SEND Lens data book: {book.area_name} ({book.area})",
        f"Made {book.made:%d %B %Y}. Comparators ({book.comparator_label}): {comparators or 'none'}.",
        "Figures are as published (DfE, ONS, NHS England), after the publishers' own disclosure "
        "control. Intervals are 95% (Wilson for percentages, Byar for rates and counts); rank 1 "
        "is best (highest first where higher is neither better nor worse); quartile band A is "
        "the best quarter of LAs. 'Against England' tests the area's interval against England's "
        "value; the recent trend is tested on the last five points of the current series.",
    ]
    unit_formats = [excel_format(u) for u in book.contents["Unit"]]
    _write_table(sheet, book.contents, "Contents", {}, heading)
    start = len(heading) + 2  # first data row (headings, a blank row, the header)
    for offset, (sheet_name, fmt) in enumerate(zip(book.contents["Sheet"], unit_formats)):
        row = start + offset
        sheet.cell(row=row, column=6).number_format = fmt
        if sheet_name:
            _link(sheet.cell(row=row, column=1), sheet_name)


def _link(cell: Cell, sheet_name: str) -> None:
    """A link within the workbook (a location, not a web address)."""
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sheet_name}'!A1")
    cell.style = "Hyperlink"


def _write_table(
    sheet: Worksheet,
    frame: pd.DataFrame,
    table_name: str,
    formats: dict[str, str],
    heading: Sequence[str],
) -> None:
    """``heading`` lines, a blank row, then ``frame`` as a formatted Excel table."""
    for i, line in enumerate(heading, start=1):
        cell = sheet.cell(row=i, column=1, value=str(escape_cell(line)))
        cell.data_type = "s"
        if i == 1:
            cell.font = Font(bold=True, size=14)
    top = len(heading) + 2
    safe = escape_for_spreadsheet(frame.astype(object))
    for j, col in enumerate(safe.columns, start=1):
        sheet.cell(row=top, column=j, value=str(col))
    for i, values in enumerate(safe.itertuples(index=False), start=top + 1):
        for j, (col, value) in enumerate(zip(safe.columns, values), start=1):
            cell = sheet.cell(row=i, column=j, value=_cell(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            elif col in formats:
                cell.number_format = formats[col]
    last_row = top + max(len(safe), 1)
    if len(safe) == 0:
        sheet.cell(row=top + 1, column=1, value="(none)")
    ref = f"A{top}:{get_column_letter(len(safe.columns))}{last_row}"
    excel_table = Table(displayName=re.sub(r"\W", "", table_name), ref=ref)
    excel_table.tableStyleInfo = TABLE_STYLE
    sheet.add_table(excel_table)
    sheet.freeze_panes = sheet.cell(row=top + 1, column=1)
    for j, col in enumerate(safe.columns, start=1):
        longest = max([len(str(col))] + [len(str(v)) for v in safe[col].head(200) if v is not None])
        sheet.column_dimensions[get_column_letter(j)].width = min(max(9, longest + 2), 60)


def _cell(value: object) -> object:
    """A cell's value for openpyxl: numbers as Python numbers, missing as empty."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()  # type: ignore[union-attr]
    return value
