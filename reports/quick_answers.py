"""Quick answers for freedom-of-information requests and ad hoc questions: one table with its
total, the definition and source under it, and a short reply, as CSV, XLSX or DOCX.

Two kinds of question:

* ``records_answer``: how many records of a stored local dataset (the EHC needs assessment
  tracker) fall in a period, filtered by primary need, age phase or area and broken down by one
  of them. These are counts SEND Lens makes itself from children's records, so the small-number
  rule (``analysis.disclosure``) is applied to every cell and the total, and cells are hidden
  until none can be worked out from the total (secondary disclosure).
* ``indicator_answer``: a catalogue indicator for an area and period, by a published breakdown,
  by year, or for every area at a level. Published figures are shown as published (the
  publisher's own disclosure control); rows from the area's own return (source "local") get
  the small-number rule.

Everything here is pure: the Quick answers view passes in the tables it holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import indicators
from analysis import disclosure
from analysis.disclosure import SmallNumberRule
from analysis.tracker import age_phase
from data_loaders.register import SOURCE_WORDS
from geography import areas
from geography.boundaries import ward_lookup
from indicators.units import format_value
from reports.format import describe_period, escape_cell, escape_for_spreadsheet, excel_format
from tidy import period_sort_key
from uploads.schemas import NEED_NAMES

TOTAL = "Total"
HIDDEN_NOTE = "hidden to protect small numbers"
NUMBER, SHARE = "Number", "Percentage of total"


@dataclass(frozen=True)
class Measure:
    """What a record-level dataset's rows count: records dated ``date_column`` in the period,
    where ``column`` equals ``equals`` when given."""

    key: str
    label: str  # "requests for an EHC needs assessment received"
    definition: str
    date_column: str
    column: str = ""
    equals: str = ""


TRACKER_MEASURES = (
    Measure(
        "requests",
        "requests for an EHC needs assessment",
        "Requests for an education, health and care needs assessment, by the date the request "
        "was received. A child or young person with two requests in the period counts twice.",
        "request_date",
    ),
    Measure(
        "decided_to_assess",
        "decisions to carry out an EHC needs assessment",
        "Requests where the council decided to carry out an assessment, by the decision date.",
        "decision_date",
        "decision",
        "assess",
    ),
    Measure(
        "decided_not_to_assess",
        "decisions not to carry out an EHC needs assessment",
        "Requests where the council decided not to carry out an assessment, by the decision date.",
        "decision_date",
        "decision",
        "not assess",
    ),
    Measure(
        "plans_issued",
        "EHC plans issued after an assessment",
        "Final EHC plans issued after a needs assessment, by the date the plan was issued.",
        "issue_date",
    ),
)
MEASURES: dict[str, tuple[Measure, ...]] = {"ehc_tracker": TRACKER_MEASURES}

# The record-level columns a question can filter or break down by, as people name them.
DIMENSIONS = {
    "primary_need": "Primary need",
    "age_phase": "Age phase",
    "sen_provision": "Provision",
    "ward_code": "Ward",
    "school_urn": "School (URN)",
}
NOT_RECORDED = "Not recorded"
PERIOD_TYPES = ("calendar", "academic", "financial")


@dataclass(frozen=True)
class QuickAnswer:
    """A question's answer: ``table`` (the last row the total, when there is one), what it
    counts, where it comes from, the reply in words, and how small numbers were protected."""

    question: str
    table: pd.DataFrame
    definition: str
    source: str
    reply: str
    protection: str
    units: dict[str, str] = field(default_factory=dict)  # column -> unit, for number formats


# --- Periods -------------------------------------------------------------------------------------


def period_bounds(period: str, period_type: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a period: "2024" calendar, "2023/24" academic (1 September to 31
    August) or financial (1 April to 31 March)."""
    if period_type not in PERIOD_TYPES:
        raise ValueError(f"period type must be one of {PERIOD_TYPES}, not {period_type!r}")
    try:
        year = int(period[:4])
    except ValueError:
        raise ValueError(f"{period!r} is not a period: write 2024 or 2023/24") from None
    if period_type == "calendar":
        return pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    start_month = 9 if period_type == "academic" else 4
    start = pd.Timestamp(year, start_month, 1)
    return start, start + pd.DateOffset(years=1) - pd.Timedelta(days=1)


def period_label(period: str, period_type: str) -> str:
    return period if period_type == "calendar" else f"{period_type} year {period}"


def periods_in(dates: pd.Series, period_type: str) -> list[str]:
    """The periods the dates fall in, newest first ("2024", or "2023/24" for academic and
    financial years)."""
    stamps = pd.to_datetime(dates, errors="coerce").dropna()
    if period_type == "calendar":
        years = stamps.dt.year
        return [str(y) for y in sorted(years.unique(), reverse=True)]
    start_month = 9 if period_type == "academic" else 4
    starts = stamps.dt.year - (stamps.dt.month < start_month).astype(int)
    return [f"{y}/{str(y + 1)[2:]}" for y in sorted(starts.unique(), reverse=True)]


# --- Record-level questions ----------------------------------------------------------------------


def dimensions_of(records: pd.DataFrame) -> dict[str, str]:
    """The filters and breakdowns a dataset offers (column -> name)."""
    present = set(records.columns) | ({"age_phase"} if "age" in records.columns else set())
    return {k: v for k, v in DIMENSIONS.items() if k in present}


def with_dimensions(records: pd.DataFrame) -> pd.DataFrame:
    """The records with each dimension as words: need names, age phases, ward names."""
    out = records.copy()
    if "age" in out.columns:
        out["age_phase"] = age_phase(out["age"])
    if "primary_need" in out.columns:
        codes = out["primary_need"].astype("string").str.upper()
        out["primary_need"] = codes.map(lambda c: NEED_NAMES.get(c, c) if isinstance(c, str) else c)
    if "ward_code" in out.columns:
        wards = dict(zip(*ward_lookup()[["ward_code", "ward_name"]].T.to_numpy()))
        out["ward_code"] = out["ward_code"].map(
            lambda c: f"{wards[c]} ({c})" if isinstance(c, str) and c in wards else c
        )
    for col in DIMENSIONS:
        if col in out.columns:
            out[col] = out[col].astype("string").fillna(NOT_RECORDED)
    return out


def records_answer(
    records: pd.DataFrame,
    kind: str,
    measure: str,
    period: str,
    period_type: str = "calendar",
    filters: Mapping[str, Sequence[str]] | None = None,
    breakdown: str | None = None,
    *,
    source: str,
    rule: SmallNumberRule | None = None,
) -> QuickAnswer:
    """How many ``measure`` records of a ``kind`` dataset fall in ``period``, filtered and broken
    down, with the small-number rule applied.

    ``filters`` map a dimension (``DIMENSIONS``) to the values to keep, as ``with_dimensions``
    writes them; ``source`` names the dataset and version for the reply.
    """
    rule = rule or SmallNumberRule()
    chosen = _measure(kind, measure)
    frame = with_dimensions(records)
    start, end = period_bounds(period, period_type)
    when = pd.to_datetime(frame[chosen.date_column], errors="coerce")
    keep = when.between(start, end)
    if chosen.column:
        keep &= frame[chosen.column].astype("string") == chosen.equals
    for col, values in (filters or {}).items():
        if col not in frame.columns:
            raise ValueError(f"this dataset has no {DIMENSIONS.get(col, col)} to filter by")
        if values:
            keep &= frame[col].isin(list(values))
    picked = frame[keep.fillna(False)]
    if breakdown and breakdown not in frame.columns:
        raise ValueError(
            f"this dataset has no {DIMENSIONS.get(breakdown, breakdown)} to break down by"
        )
    true_counts = (
        picked.groupby(breakdown, sort=True).size()
        if breakdown
        else pd.Series([len(picked)], index=[chosen.label[0].upper() + chosen.label[1:]])
    )
    table = protected_counts(true_counts, rule, DIMENSIONS.get(breakdown or "", "What"))
    question = _question(chosen.label, period, period_type, filters, breakdown)
    total_true = int(true_counts.sum())
    return QuickAnswer(
        question=question,
        table=table,
        definition=chosen.definition + _filter_words(filters),
        source=source,
        reply=_reply(
            chosen.label, period, period_type, filters, table, total_true, rule, breakdown
        ),
        protection=protection_words(rule),
        units={NUMBER: "count", SHARE: "%"},
    )


def _measure(kind: str, key: str) -> Measure:
    for m in MEASURES.get(kind, ()):
        if m.key == key:
            return m
    raise ValueError(f"no measure {key!r} for a {kind} dataset")


def protect_counts(
    counts: Sequence[int], rule: SmallNumberRule
) -> tuple[list[float | None], float | None]:
    """Counts and their total as shown: each rounded or hidden by ``rule``, then more hidden
    (``disclosure.protect_parts``) until none hidden can be worked out from the total."""
    shown = [rule.shown_count(float(n)) for n in counts]
    total = rule.shown_count(float(sum(counts)))
    if len(shown) > 1:
        shown = disclosure.protect_parts(shown, total, rule)
    return shown, total


def protected_counts(true_counts: pd.Series, rule: SmallNumberRule, label: str) -> pd.DataFrame:
    """Counts by group as shown: each rounded or hidden by ``rule``, then more hidden until none
    can be worked out from the total below them; the total row rounded (or hidden when small);
    each group's share of the total worked out from the shown figures."""
    shown, total = protect_counts([int(n) for n in true_counts], rule)
    numbers = pd.Series([np.nan if v is None else v for v in [*shown, total]], dtype="float64")
    share = disclosure.shown_rate(numbers, pd.Series([total] * len(numbers), dtype="float64"))
    groups = [str(g) for g in true_counts.index]
    rows = pd.DataFrame(
        {
            label: [*groups, TOTAL] if len(groups) > 1 else groups,
            NUMBER: numbers if len(groups) > 1 else numbers.iloc[:1],
            SHARE: share.round(1) if len(groups) > 1 else share.iloc[:1].round(1),
        }
    )
    if len(groups) == 1:
        rows = rows.drop(columns=SHARE)  # all of it: a share says nothing
    rows["Note"] = np.where(rows[NUMBER].isna(), HIDDEN_NOTE, "")
    return rows.reset_index(drop=True)


def _filter_words(filters: Mapping[str, Sequence[str]] | None) -> str:
    parts = [
        f"{DIMENSIONS.get(k, k).lower()}: {', '.join(v)}" for k, v in (filters or {}).items() if v
    ]
    return f" Only records with {'; '.join(parts)}." if parts else ""


def _question(
    label: str,
    period: str,
    period_type: str,
    filters: Mapping[str, Sequence[str]] | None,
    breakdown: str | None,
) -> str:
    by = f" by {DIMENSIONS.get(breakdown, breakdown).lower()}" if breakdown else ""
    return f"Number of {label} in {period_label(period, period_type)}{by}.{_filter_words(filters)}"


def _reply(
    label: str,
    period: str,
    period_type: str,
    filters: Mapping[str, Sequence[str]] | None,
    table: pd.DataFrame,
    total_true: int,
    rule: SmallNumberRule,
    breakdown: str | None,
) -> str:
    when = period_label(period, period_type)
    text = f"In {when} the council recorded {rule.count_in_words(total_true)} {label}"
    text += (
        f" ({_filter_words(filters).strip().removeprefix('Only ').rstrip('.')})."
        if _filter_words(filters)
        else "."
    )
    if breakdown and len(table) > 1:
        parts = table.iloc[:-1]
        shown = parts[parts[NUMBER].notna() & (parts[NUMBER] > 0)].sort_values(
            NUMBER, ascending=False
        )
        if len(shown):
            top = [
                f"{g} (about {n:,.0f})" for g, n in zip(shown.iloc[:3, 0], shown[NUMBER].iloc[:3])
            ]
            text += f" The largest groups by {DIMENSIONS.get(breakdown, breakdown).lower()} were {_and(top)}."
    return text + " " + privacy(rule)


def protection_words(rule: SmallNumberRule) -> str:
    """What was done to the counts, for the note under the table."""
    return (
        f"Small numbers are protected: counts of 1 to {rule.threshold} are hidden and other counts "
        f"are rounded to the nearest {rule.rounding}; percentages are worked out from the rounded "
        "counts shown, and further cells are hidden where one could be worked out from the total."
    )


def privacy(rule: SmallNumberRule) -> str:
    """The reply's sentence on small numbers."""
    return (
        f"To protect the privacy of the children concerned, numbers from 1 to {rule.threshold} are not "
        f"given and other numbers are rounded to the nearest {rule.rounding}; some other figures are "
        "withheld so that a small number cannot be worked out from the total."
    )


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- Indicator questions -------------------------------------------------------------------------

BY_YEAR = "period"
BY_AREAS = "areas"


def _key_of(breakdown: str) -> str:
    """ "social_care_group=CINO;sen_provision=EHC plan" -> "social_care_group;sen_provision"."""
    return ";".join(part.split("=", 1)[0] for part in breakdown.split(";") if "=" in part)


def breakdown_keys(table: pd.DataFrame, indicator_id: str) -> list[str]:
    """The published breakdowns of an indicator ("primary_need", or "social_care_group;
    sen_provision" for a cross of two), for the view to offer."""
    rows = indicators.rows(indicator_id, None, None, table=table)
    return sorted({_key_of(b) for b in rows["breakdown"].astype(str).unique() if "=" in b})


def has_totals(table: pd.DataFrame, indicator_id: str) -> bool:
    """Whether the indicator publishes totals (some are published only by breakdown)."""
    rows = indicators.rows(indicator_id, None, "", table=table)
    return bool(rows["value"].notna().any())


def key_words(key: str) -> str:
    """ "social_care_group;sen_provision" -> "social care group and sen provision"."""
    return " and ".join(k.replace("_", " ") for k in key.split(";"))


def indicator_answer(
    table: pd.DataFrame,
    indicator_id: str,
    area: str,
    period: str | None,
    breakdown: str = "",
    area_level: str = "la",
    rule: SmallNumberRule | None = None,
) -> QuickAnswer:
    """An indicator for ``area``: its ``period`` figure (``breakdown`` "": the total), each
    value of a published breakdown key (with the area's total as the total row), every period
    (``BY_YEAR``), or every area at ``area_level`` in the area's region (``BY_AREAS``, with the
    region's figure as the total row; level "region" lists the regions with England's).

    Rows whose source is "local" (the area's own return) get ``rule``; published rows are shown
    as published."""
    ind = indicators.get(indicator_id)
    code = areas.current_code(area)
    names = areas.area_names()
    rows = indicators.rows(indicator_id, None, None, table=table)
    if rows.empty:
        raise ValueError(f"there are no figures for {ind.title}")
    if period is None or breakdown == BY_YEAR:
        period = period or str(max(rows["period"].unique(), key=period_sort_key))
    elif period not in set(rows["period"].astype(str)):
        raise ValueError(f"{ind.title} has no figures for {period}")

    def pick(where: pd.Series) -> pd.DataFrame:
        return rows[where.fillna(False)]

    total: pd.DataFrame | None = None
    if breakdown == BY_YEAR:
        body = pick((rows["area_code"] == code) & (rows["breakdown"] == ""))
        order = sorted(range(len(body)), key=lambda i: period_sort_key(str(body["period"].iloc[i])))
        body = body.assign(group=body["period"]).iloc[order]
        label, what = "Period", names.get(code, code)
    elif breakdown == BY_AREAS:
        at = (rows["period"] == period) & (rows["breakdown"] == "")
        if area_level == "region":
            body = pick(at & (rows["area_level"] == "region"))
            total = pick(at & (rows["area_code"] == areas.ENGLAND))
            what = "every region"
        elif area_level == "la":
            region = areas.region_of(code)
            las = set(areas.current_las().loc[lambda f: f["region_code"] == region, "la_code"])
            body = pick(at & rows["area_code"].isin(las))
            total = pick(at & (rows["area_code"] == region))
            what = f"every LA in {areas.REGIONS.get(region or '', 'the region')}"
        else:  # the area's own wards, localities or schools, from its own return
            body = pick(at & (rows["area_level"] == area_level))
            total = pick(at & (rows["area_code"] == code))
            if total.empty and ind.unit == "count":
                # The parts of a count add up to the area's: SEND Lens's own total, protected below.
                sums = (
                    body[["numerator", "denominator", "value"]]
                    .apply(pd.to_numeric)
                    .sum(min_count=1)
                )
                total = pd.DataFrame([sums])
            what = f"every {area_level} in {names.get(code, code)}"
        wards = dict(zip(*ward_lookup()[["ward_code", "ward_name"]].T.to_numpy()))
        body = body.assign(
            group=body["area_code"].map(lambda c: names.get(c) or wards.get(c) or c)
        ).sort_values("group")
        label = "Area"
    else:
        mine = (rows["area_code"] == code) & (rows["period"] == period)
        if breakdown:
            keys = rows["breakdown"].astype(str).map(_key_of)
            body = pick(mine & (keys == breakdown))
            body = body.assign(
                group=body["breakdown"]
                .astype(str)
                .map(lambda b: ", ".join(p.split("=", 1)[1] for p in b.split(";")))
            )
            body = body.iloc[
                sorted(range(len(body)), key=lambda i: _natural(body["group"].iloc[i]))
            ]
            total = pick(mine & (rows["breakdown"] == ""))
            label = key_words(breakdown).capitalize()
            what = f"{names.get(code, code)} by {key_words(breakdown)}"
        else:
            body = pick(mine & (rows["breakdown"] == ""))
            body = body.assign(group=names.get(code, code))
            label, what = "Area", names.get(code, code)
    if body.empty:
        raise ValueError(f"no figures for {ind.title} for {what} in {period}")

    local = bool((rows["source"].astype(str) == "local").any())
    frame = _indicator_table(body, total, label, ind, local, rule or SmallNumberRule())
    when = "every year" if breakdown == BY_YEAR else describe_period(period, ind)
    source = "; ".join(
        dict.fromkeys(
            SOURCE_WORDS.get(s, "the area's own return") for s in body["source"].astype(str)
        )
    )
    reply = _indicator_reply(ind, frame, label, when, what)
    if local:
        reply += " " + privacy(rule or SmallNumberRule())
    return QuickAnswer(
        question=f"{ind.title}: {what}, {when}.",
        table=frame,
        definition=ind.definition + (f" {ind.caveats}" if ind.caveats else ""),
        source=source,
        reply=reply,
        protection=protection_words(rule or SmallNumberRule())
        if local
        else "Figures are as published, after the publisher's own protection of small numbers.",
        units={"Numerator": "count", "Denominator": "count", "Value": ind.unit},
    )


def _natural(label: str) -> tuple[int, float, str]:
    """Ages and other numbered groups in number order: "under 3", 3, 4, ..., 10, 25, then words."""
    digits = "".join(ch for ch in label if ch.isdigit())
    if label.lower().startswith("under") and digits:
        return (0, float(digits) - 0.5, label)
    return (0, float(digits), label) if digits and label[:1].isdigit() else (1, 0.0, label)


def _indicator_table(
    body: pd.DataFrame,
    total: pd.DataFrame | None,
    label: str,
    ind: indicators.Indicator,
    local: bool,
    rule: SmallNumberRule,
) -> pd.DataFrame:
    parts = body[["group", "numerator", "denominator", "value"]].copy()
    if total is not None and not total.empty:
        parts = pd.concat(
            [parts, total[["numerator", "denominator", "value"]].assign(group=TOTAL)],
            ignore_index=True,
        )
    parts = parts.rename(
        columns={
            "group": label,
            "numerator": "Numerator",
            "denominator": "Denominator",
            "value": "Value",
        }
    )
    for col in ("Numerator", "Denominator", "Value"):
        parts[col] = pd.to_numeric(parts[col], errors="coerce").astype("float64")
    if local:
        parts = _protect_local(parts, ind, rule)
    if ind.unit == "count" and parts[["Numerator", "Denominator"]].isna().all().all():
        parts = parts.drop(columns=["Numerator", "Denominator"])  # a count is its own value
    parts["Note"] = np.where(
        parts["Value"].isna(),
        "no figure, or " + HIDDEN_NOTE if local else "no figure published",
        "",
    )
    return parts.reset_index(drop=True)


def _protect_local(
    parts: pd.DataFrame, ind: indicators.Indicator, rule: SmallNumberRule
) -> pd.DataFrame:
    """The area's own counts under the rule, the value worked out again from what is shown."""
    is_total = parts.iloc[:, 0] == TOTAL
    counts = ["Numerator", "Denominator"] if ind.unit != "count" else ["Value"]
    safe = disclosure.apply_disclosure_control(parts, counts, rule.threshold, rule.rounding)
    safe = safe.drop(columns=disclosure.DISCLOSURE_COLUMN)
    if ind.unit == "%":
        safe["Value"] = disclosure.shown_rate(safe["Numerator"], safe["Denominator"]).round(1)
    elif ind.unit != "count":
        safe["Value"] = np.nan  # a rate's scale is not known here: counts only
    if is_total.any() and (~is_total).sum() > 1:
        for col in counts:
            shown_parts = [None if pd.isna(v) else float(v) for v in safe.loc[~is_total, col]]
            true_total = parts.loc[is_total, col].iloc[0]
            if pd.isna(true_total):
                continue
            withheld = disclosure.protect_total(float(true_total), shown_parts, rule) is None
            if withheld:
                safe.loc[is_total, ["Numerator", "Denominator", "Value"]] = np.nan
    return safe


def _indicator_reply(
    ind: indicators.Indicator, frame: pd.DataFrame, label: str, when: str, what: str
) -> str:
    figures = [
        f"{g}: {format_value(v, ind.unit)}"
        for g, v in zip(frame[label], frame["Value"])
        if not pd.isna(v)
    ]
    if not figures:
        return f"No figure for {ind.title.lower()} is available for {what}, {when}."
    if len(figures) == 1:
        return f"{ind.title} for {what}, {when}: {format_value(frame['Value'].iloc[0], ind.unit)}."
    listed = _and(figures[:6]) + ("; the full table is attached" if len(figures) > 6 else "")
    return f"{ind.title} for {what}, {when}: {listed}."


# --- Downloads -----------------------------------------------------------------------------------


def _footer(answer: QuickAnswer) -> list[tuple[str, str]]:
    return [
        ("Definition", answer.definition),
        ("Source", answer.source),
        ("Small numbers", answer.protection),
        ("Reply", answer.reply),
    ]


def answer_csv(answer: QuickAnswer) -> bytes:
    """The table, then the definition, source, protection and reply, one a line; text that a
    spreadsheet would run as a formula is escaped."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([escape_cell(answer.question)])
    safe = escape_for_spreadsheet(answer.table.astype(object).where(answer.table.notna(), ""))
    writer.writerow([escape_cell(str(c)) for c in safe.columns])
    writer.writerows(safe.itertuples(index=False))
    writer.writerow([])
    for name, text in _footer(answer):
        writer.writerow([name, escape_cell(text)])
    return out.getvalue().encode("utf-8-sig")  # the mark makes Excel read it as UTF-8


def answer_xlsx(answer: QuickAnswer) -> bytes:
    """One sheet: the question, the table as an Excel table with numbers as numbers, then the
    definition, source, protection and reply."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Answer"
    head = sheet.cell(row=1, column=1, value=str(escape_cell(answer.question)))
    head.data_type, head.font = "s", Font(bold=True, size=13)
    table = answer.table
    safe = escape_for_spreadsheet(table.astype(object))
    top = 3
    for j, col in enumerate(safe.columns, start=1):
        sheet.cell(row=top, column=j, value=str(col))
    for i, row in enumerate(safe.itertuples(index=False), start=top + 1):
        for j, (col, value) in enumerate(zip(safe.columns, row), start=1):
            missing = value is None or (isinstance(value, float) and np.isnan(value))
            cell = sheet.cell(row=i, column=j, value=None if missing else _plain(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"
            elif col in answer.units:
                cell.number_format = excel_format(answer.units[col])
    last = top + len(safe)
    ref = f"A{top}:{get_column_letter(len(safe.columns))}{max(last, top + 1)}"
    excel = Table(displayName="Answer", ref=ref)
    excel.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    sheet.add_table(excel)
    for k, (name, text) in enumerate(_footer(answer), start=last + 2):
        sheet.cell(row=k, column=1, value=name).font = Font(bold=True)
        cell = sheet.cell(row=k, column=2, value=str(escape_cell(text)))
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = max(
        14, min(50, int(table.iloc[:, 0].astype(str).str.len().max() or 10) + 2)
    )
    for j in range(2, len(safe.columns) + 1):
        sheet.column_dimensions[get_column_letter(j)].width = 18
    sheet.column_dimensions["B"].width = 60 if len(safe.columns) < 3 else 18
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") else value  # numpy scalars


def answer_docx(answer: QuickAnswer, made: dt.date | None = None) -> bytes:
    """A Word document: the question as its heading, the reply, the table (a header row marked
    as such for screen readers), then the definition, source and protection."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = Document()
    doc.core_properties.title = answer.question[:200]
    doc.core_properties.language = "en-GB"
    doc.add_heading(answer.question, level=1)
    doc.add_paragraph(answer.reply)
    frame = answer.table
    grid = doc.add_table(rows=1, cols=len(frame.columns))
    grid.style = "Table Grid"
    for cell, col in zip(grid.rows[0].cells, frame.columns):
        cell.text = str(col)
        cell.paragraphs[0].runs[0].bold = True
    header = grid.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)
    for values in frame.itertuples(index=False):
        cells = grid.add_row().cells
        for cell, col, value in zip(cells, frame.columns, values):
            cell.text = _docx_text(value, answer.units.get(str(col)))
    for name, text in _footer(answer)[:3]:
        para = doc.add_paragraph()
        para.add_run(f"{name}: ").bold = True
        para.add_run(text)
    doc.add_paragraph(f"Made with SEND Lens on {(made or dt.date.today()):%d %B %Y}.")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _docx_text(value: object, unit: str | None) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if unit and isinstance(value, (int, float, np.number)):
        return format_value(float(value), unit)
    return str(value)
