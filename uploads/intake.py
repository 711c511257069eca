"""Local uploads: read, validate and pseudonymise a council's spreadsheet in one call.

``read_upload(data, filename, kind)`` returns a table with the kind's template columns, typed
(codes as strings, dates as datetime64, counts as Int64), with identifiers replaced by keyed
hashes and dates of birth by ``age`` and ``nc_year`` (see ``pseudonymise``). Anything wrong
raises :class:`UploadError` listing every problem at once (sheet, Excel row, column, value,
plain-English message); nothing from an upload with problems should be stored.

Tolerated on the way in: title rows above the headings, headings in another case or
spacing or a known alias, unknown extra columns (ignored, and so never stored: a name or
postcode column is simply not read), trailing blank rows, the template's example row (any
row whose id or indicator starts with "EXAMPLE"), dates as date cells, Excel serials or
dd/mm/yyyy text, and numbers stored as text. Problem values never show an identifier in
full or a date of birth, and this module logs only counts and timings.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date
from typing import TypeVar

import numpy as np
import pandas as pd

from indicators import LOCAL_PREFIX, Indicator, local_kpi
from uploads import keys, pseudonymise, readers
from uploads.public import MESSAGE as PUBLIC_MESSAGE
from uploads.public import public_mode
from uploads.readers import MAX_COLUMNS, Problem, UploadError, refuse
from uploads.schemas import AREA_PATTERNS, KINDS, SPACES, Column, Schema, canonical_period, norm
from uploads.validation import Cells, Issues, check_identifier, check_urns, parse_column, shown

__all__ = ["KINDS", "Problem", "UploadError", "list_sheets", "read_upload"]

log = logging.getLogger(__name__)
T = TypeVar("T")
AGE_LIMITS = (0, 25)  # SEND duties run from birth to 25
REFERENCE_DATE = {
    "ehc_tracker": "request_date",
    "outcomes_return": "review_date",
    "cohort": "extract_date",
}


def list_sheets(data: bytes, filename: str) -> list[str]:
    """The visible sheets a user can choose from (a CSV has one, named after the file)."""
    return _guard(lambda: readers.open_upload(data, filename).sheets)


def read_upload(
    data: bytes, filename: str, kind: str, sheet: str | None = None, *, today: date | None = None
) -> pd.DataFrame:
    """The parsed, validated, pseudonymised table of one upload, or :class:`UploadError`.

    ``today`` (default: the real date) is what "in the future" and default ages mean.
    """
    return _guard(lambda: _read(data, filename, kind, sheet, pd.Timestamp(today or date.today())))


def _guard(work: Callable[[], T]) -> T:
    if public_mode():
        # Before a single byte is parsed: a public instance reads no one's files.
        raise refuse(PUBLIC_MESSAGE)
    try:
        return work()
    except (UploadError, MemoryError):  # MemoryError: uploads.isolated reports the limit
        raise
    except pseudonymise.PseudonymisationKeyError as exc:
        raise refuse(
            f"Uploads are switched off until the pseudonymisation key is fixed: {exc}"
        ) from None
    except Exception as exc:  # a bug of ours must still reach the user as a message
        # Only the type: an exception's text can quote a cell, and cells hold identifiers.
        log.error("unexpected %s while reading an upload", type(exc).__name__)
        raise refuse(
            "SEND Lens could not read this file because of an unexpected problem in SEND Lens "
            "itself. Nothing was stored. Please report it (without attaching the file)."
        ) from None


def _read(
    data: bytes, filename: str, kind: str, sheet: str | None, today: pd.Timestamp
) -> pd.DataFrame:
    schema = KINDS.get(kind)
    if schema is None:
        raise refuse(f"Unknown kind of upload '{kind}'. Kinds are: {', '.join(KINDS)}.")
    started = time.perf_counter()
    book = readers.open_upload(data, filename)
    name = _choose_sheet(book, schema, sheet)
    columns, index, ignored, encoding = _read_cells(book, name, schema)
    read_at = time.perf_counter()
    blank = np.logical_and.reduce([c.blank() for c in columns.values()])
    example = _example_rows(columns, schema) & ~blank
    keep = ~blank & ~example
    if not keep.any():
        raise refuse(
            f"Sheet '{name}' has headings but no rows of data below them"
            + (" (the example row is ignored)." if example.any() else "."),
            name,
        )
    columns = {n: c.subset(keep) for n, c in columns.items()}
    issues = Issues(name)
    table = _typed(columns, index[keep], schema, issues)
    unread = issues.rows_with_problems()
    checked = table.drop(index=unread) if len(unread) else table
    RULES[schema.kind](checked, issues, today)
    _common_rules(checked, schema, issues, today)
    validated_at = time.perf_counter()
    if issues.count:
        log.info(
            "upload of kind %s refused: %d problems in %d rows", kind, issues.count, len(table)
        )
        raise UploadError(issues.problems())
    out = _pseudonymised(table, schema, today)
    done = time.perf_counter()
    out.attrs |= {
        "kind": kind,
        "sheet": name,
        "rows": len(out),
        "example_rows_skipped": int(example.sum()),
        "ignored_columns": ignored,
        "encoding": encoding,  # "" for workbooks; how a text file was decoded otherwise
        "timings": {
            "read": read_at - started,
            "validate": validated_at - read_at,
            "pseudonymise": done - validated_at,
            "total": done - started,
        },
    }
    log.info("upload of kind %s read: %d rows in %.2fs", kind, len(out), done - started)
    return out


def _read_cells(
    book: readers.Workbook, name: str, schema: Schema
) -> tuple[dict[str, Cells], pd.Index, list[str], str]:
    """Each template column's cells indexed by Excel row, the headings ignored, and how a
    text file was decoded. A plain sheet is read into typed columns; any other goes cell by
    cell through ``read_sheet``, which tolerates and explains more."""
    typed = _typed_sheet(book, name, schema)
    if typed is not None:
        raw = readers.RawSheet(name, typed.head, book.uncached.get(name, []))
        header_row, positions, ignored = _locate_columns(raw, schema)  # row 1, as checked
        _refuse_uncached_formulas(raw, header_row, positions)
        index = pd.RangeIndex(2, 2 + typed.height, name="row")
        cells = {positions[p]: Cells.of_arrow(typed.columns[p], index) for p in positions}
        return cells, index, ignored, raw.encoding
    raw = readers.read_sheet(book, name)
    header_row, positions, ignored = _locate_columns(raw, schema)
    _refuse_uncached_formulas(raw, header_row, positions)
    body = raw.rows[header_row + 1 :]
    grid = readers.object_columns(body, list(positions))
    index = pd.RangeIndex(header_row + 2, header_row + 2 + len(body), name="row")
    # The sheet's row lists (100,000 for a big extract) are the only objects from reading
    # that the garbage collector tracks; alive, every full collection during validation
    # walks them all (0.2-0.4 s a read). The cells live on in ``grid``.
    raw.rows, body = raw.rows[: header_row + 1], []
    return {positions[p]: Cells.of(grid[p], index) for p in positions}, index, ignored, raw.encoding


def _typed_sheet(book: readers.Workbook, name: str, schema: Schema) -> readers.TypedSheet | None:
    """The sheet as typed columns when its headings are in row 1 with every required column
    among them; None sends it down the cell-by-cell path, whose messages explain the rest."""
    lookup = schema.heading_lookup()
    typed = readers.read_typed(book, name, lambda heading: norm(heading) in lookup)
    if typed is None:
        return None
    found = readers.find_header(typed.head, lookup)
    if found is None or found[0] != 0 or not set(schema.required) <= set(found[1].values()):
        return None
    return typed


def _refuse_uncached_formulas(
    raw: readers.RawSheet, header_row: int, positions: dict[int, str]
) -> None:
    """Formulas saved without their results (files written by scripts, not Excel) read as
    blanks; refuse them where they matter rather than report misleading blank cells."""
    # Here, not at the top: importing openpyxl brings the whole package and lxml (~12 MB of
    # every server, which imports this module for the Data and Governance pages).
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    hits = []
    for ref in raw.uncached_formulas:
        letters, row = coordinate_from_string(ref)
        if column_index_from_string(letters) - 1 in positions and row > header_row + 1:
            hits.append(ref)
    if hits:
        raise refuse(
            f"Sheet '{raw.name}' has formulas whose results were never saved (cells {', '.join(hits[:5])}), "
            "so their values are unknown. Open the file in Excel, let it calculate, save and upload "
            "again; or copy the cells and paste values only.",
            raw.name,
        )


def _choose_sheet(book: readers.Workbook, schema: Schema, sheet: str | None) -> str:
    if book.fmt == "csv":
        return book.sheets[0]  # a CSV has one sheet, whatever it was called
    if sheet is not None:
        if sheet not in book.sheets:
            raise refuse(
                f"There is no sheet called '{sheet}'. The sheets are: {', '.join(book.sheets)}."
            )
        return sheet
    if not book.sheets:
        raise refuse("This workbook has no visible sheets to read.")
    if len(book.sheets) == 1:
        return book.sheets[0]
    if "Data" in book.sheets:  # the template's own data sheet
        return "Data"
    lookup = schema.heading_lookup()
    fits = []
    for name in book.sheets:
        found = readers.find_header(
            readers.read_sheet(book, name).rows[: readers.HEADER_SCAN_ROWS], lookup
        )
        if found and set(schema.required) <= set(found[1].values()):
            fits.append(name)
    if len(fits) == 1:
        return fits[0]
    raise refuse(
        f"This workbook has {len(book.sheets)} sheets ({', '.join(book.sheets)}). Choose the sheet to read."
    )


def _locate_columns(raw: readers.RawSheet, schema: Schema) -> tuple[int, dict[int, str], list[str]]:
    found = readers.find_header(raw.rows, schema.heading_lookup())
    header_row, positions = found if found else (0, {})
    if found:
        _refuse_duplicate_headings(raw, header_row, schema)
    missing = [c for c in schema.required if c not in positions.values()]
    if not missing:
        headings = [c for c in raw.rows[header_row] if c != "" and c is not None]
        if len(headings) > MAX_COLUMNS:
            raise refuse(
                f"Sheet '{raw.name}' has {len(headings)} columns; SEND Lens reads at most "
                f"{MAX_COLUMNS}. Delete the columns you do not need.",
                raw.name,
            )
        ignored = [
            str(c)
            for j, c in enumerate(raw.rows[header_row])
            if j not in positions and c not in ("", None)
        ]
        return header_row, positions, ignored
    problems = []
    other = _other_kind(raw, schema)
    if other is not None:
        problems.append(
            Problem(
                raw.name,
                None,
                "",
                "",
                (
                    f"This looks like a '{other.title}' file, not an '{schema.title}': its headings match "
                    f"the {other.kind} template. Choose '{other.title}' as the kind of upload, or use the "
                    f"{schema.title} template."
                ),
            )
        )
    if not positions and other is None:
        examples = ", ".join(schema.names[:3])
        problems.append(
            Problem(
                raw.name,
                None,
                "",
                "",
                (
                    f"Could not find the column headings on sheet '{raw.name}'. One of the first "
                    f"{readers.HEADER_SCAN_ROWS} rows must hold the template's headings, such as {examples}."
                ),
            )
        )
    elif positions:
        for name in missing:
            col = schema.column(name)
            accepted = ", ".join(col.aliases[:4])
            problems.append(
                Problem(
                    raw.name,
                    header_row + 1,
                    name,
                    "",
                    (
                        f"Required column '{name}' is missing. Add it, or rename your column to "
                        f"'{name}'" + (f" (also accepted: {accepted})." if accepted else ".")
                    ),
                )
            )
    raise UploadError(problems)


def _refuse_duplicate_headings(raw: readers.RawSheet, header_row: int, schema: Schema) -> None:
    """Two columns with the same heading: reading either would silently drop the other."""
    lookup = schema.heading_lookup()
    seen: dict[str, int] = {}
    problems = []
    for j, cell in enumerate(raw.rows[header_row]):
        heading = norm(cell) if cell not in ("", None) else ""
        name = lookup.get(heading)
        if name is None:
            continue
        if heading in seen:
            from openpyxl.utils.cell import get_column_letter  # see _refuse_uncached_formulas

            first = seen[heading]
            problems.append(
                Problem(
                    raw.name,
                    header_row + 1,
                    name,
                    "",
                    f"Columns {get_column_letter(first + 1)} ('{raw.rows[header_row][first]}') "
                    f"and {get_column_letter(j + 1)} ('{cell}') have the same heading, so "
                    f"SEND Lens cannot tell which is {name}. Rename or delete one of them.",
                )
            )
        else:
            seen[heading] = j
    if problems:
        raise UploadError(problems)


def _other_kind(raw: readers.RawSheet, schema: Schema) -> Schema | None:
    for other in KINDS.values():
        if other.kind == schema.kind:
            continue
        found = readers.find_header(raw.rows, other.heading_lookup())
        if found and set(other.required) <= set(found[1].values()) and len(found[1]) >= 3:
            return other
    return None


def _example_rows(columns: dict[str, Cells], schema: Schema) -> np.ndarray:
    """Rows the template marks as an example (an id or indicator starting "EXAMPLE")."""
    example = np.zeros(len(next(iter(columns.values())).codes), dtype=bool)
    for name in schema.example_columns:
        if name in columns:
            cells = columns[name]
            marked = cells.text.str.upper().str.startswith("EXAMPLE").fillna(False)
            example |= marked.to_numpy(dtype=bool)[cells.codes]
    return example


def _typed(
    columns: dict[str, Cells], index: pd.Index, schema: Schema, issues: Issues
) -> pd.DataFrame:
    """Each column parsed by its type; absent optional columns are all missing."""
    out = {}
    for col in schema.columns:
        absent = Cells(np.zeros(len(index), dtype=np.intp), pd.Series([""], dtype=object), index)
        cells = columns.get(col.name) or absent
        values = parse_column(col, cells, issues)
        if col.required:
            blank = pd.Series(cells.blank(), index=index)
            issues.add(blank, col.name, "", f"{col.name} is blank; it is required.")
        if col.identifier:
            check_identifier(col, values, issues)
        if col.name == "school_urn":
            check_urns(col, values, issues)
        out[col.name] = values
    return pd.DataFrame(out, index=index)


def _day(dates: pd.Series) -> pd.Series:
    return dates.dt.strftime("%d/%m/%Y").astype("string")


def _order(t: pd.DataFrame, issues: Issues, later: str, earlier: str, why: str) -> None:
    bad = t[later] < t[earlier]
    issues.add(
        bad,
        later,
        lambda: _day(t[later]),
        lambda: (
            later
            + " ("
            + _day(t[later])
            + ") is before "
            + earlier
            + " ("
            + _day(t[earlier])
            + ")"
            + why
        ),
    )


def _duplicates(
    t: pd.DataFrame, keys: list[str], column: Column, issues: Issues, what: str
) -> None:
    present = t[keys].notna().all(axis=1)
    dup = t.loc[present, keys].duplicated(keep="first")
    if not dup.any():
        return
    rows = pd.Series(t.index, index=t.index)[present]
    first = rows.groupby([t.loc[present, k] for k in keys]).transform("first")
    where = first.reindex(t.index).astype("Int64").astype("string")
    issues.add(
        dup.reindex(t.index, fill_value=False),
        column.name,
        lambda: shown(column, t[column.name].astype("string")),
        lambda: what + " already appears in row " + where + ".",
    )


def _common_rules(t: pd.DataFrame, schema: Schema, issues: Issues, today: pd.Timestamp) -> None:
    """No date in the future; a date of birth gives an age of 0 to 25 on the reference date."""
    for col in schema.columns:
        if col.type == "date":
            future = t[col.name] > today
            issues.add(
                future,
                col.name,
                lambda: shown(col, _day(t[col.name])),  # noqa: B023 (called at once)
                f"{col.name} is in the future (after {today:%d/%m/%Y}).",
            )
    if "date_of_birth" in t.columns:
        dob = t["date_of_birth"]
        ref_name = REFERENCE_DATE.get(schema.kind, "")
        reference = t[ref_name].fillna(today) if ref_name else pd.Series(today, index=t.index)
        age = pseudonymise.age_on(dob, reference)
        col = schema.column("date_of_birth")
        on = f"on {ref_name}" if ref_name else "today"
        after = dob.notna() & (dob > reference) & (dob <= today)
        issues.add(after, col.name, "(hidden)", f"date_of_birth is after {ref_name or 'today'}.")
        out = (
            (dob <= today) & ~after & ((age < AGE_LIMITS[0]) | (age > AGE_LIMITS[1])).fillna(False)
        )
        issues.add(
            out,
            col.name,
            "(hidden)",
            lambda: (
                "The child would be "
                + age.astype("string")
                + f" {on}; SEND covers ages 0 to 25. Check the date of birth."
            ),
        )


def _ehc_rules(t: pd.DataFrame, issues: Issues, today: pd.Timestamp) -> None:
    _order(
        t, issues, "decision_date", "request_date", ": a decision cannot come before the request."
    )
    _order(
        t,
        issues,
        "issue_date",
        "request_date",
        ": a plan cannot be issued before it was requested.",
    )
    _order(
        t,
        issues,
        "issue_date",
        "decision_date",
        ": a plan cannot be issued before the decision to assess.",
    )
    issues.add(
        t["decision"].notna() & t["decision_date"].isna(),
        "decision_date",
        "",
        "decision is given but decision_date is blank.",
    )
    issues.add(
        t["decision_date"].notna() & t["decision"].isna(),
        "decision",
        "",
        "decision_date is given but decision is blank: say assess or not assess.",
    )
    issued = t["issue_date"].notna() & t["decision"].ne("assess").fillna(True)
    issues.add(
        issued,
        "issue_date",
        lambda: _day(t["issue_date"]),
        "A plan was issued but the decision is not 'assess'.",
    )
    _duplicates(
        t,
        ["child_id", "request_date"],
        KINDS["ehc_tracker"].column("child_id"),
        issues,
        "The same child with the same request_date",
    )


def _cohort_rules(t: pd.DataFrame, issues: Issues, today: pd.Timestamp) -> None:
    ids = ["upn", "uln", "nhs_number", "local_id"]
    none = t[ids].isna().all(axis=1)
    issues.add(
        none,
        "local_id",
        "",
        "This row has no child identifier: give a UPN, ULN, NHS number or local id.",
    )
    schema = KINDS["cohort"]
    for name in ids:
        label = {"upn": "UPN", "uln": "ULN", "nhs_number": "NHS number", "local_id": "local id"}[
            name
        ]
        _duplicates(
            t,
            ["agency", name],
            schema.column(name),
            issues,
            f"Duplicate child in this extract: the same {label}",
        )


def _outcomes_rules(t: pd.DataFrame, issues: Issues, today: pd.Timestamp) -> None:
    given = t.notna()
    issues.add(
        ~given[["progress_rating", "domain", "voice_question", "voice_answer"]].any(axis=1),
        "progress_rating",
        "",
        "This row has no outcome rating and no pupil voice answer.",
    )
    for present, missing, why in (
        ("progress_rating", "domain", "say which impact domain the outcome is in"),
        ("domain", "progress_rating", "rate progress from 1 to 5"),
        ("voice_answer", "voice_question", "say which question was answered"),
        ("voice_question", "voice_answer", "give the child's answer"),
    ):
        issues.add(given[present] & ~given[missing], missing, "", f"{missing} is blank: {why}.")


def _period_rules(t: pd.DataFrame, issues: Issues) -> None:
    text = t["period"]
    labels = {u: canonical_period(u) for u in text.dropna().unique()}  # few distinct periods
    canonical = text.map(labels).astype("string")
    issues.add(
        text.notna() & canonical.isna(),
        "period",
        text,
        "'" + text + "' is not a period SEND Lens understands. Use 2024 (a year), 2024/25 "
        "(an academic or financial year) or 2025-03 (a month).",
    )
    t["period"] = canonical


def _area_rules(t: pd.DataFrame, issues: Issues, level_optional: bool) -> None:
    code, level = t["area_code"], t["area_level"]
    if level_optional:
        issues.add(
            code.notna() & level.isna(),
            "area_level",
            "",
            "area_code is given but area_level is blank.",
        )
    for lvl, pattern in AREA_PATTERNS.items():
        rows = (level == lvl).fillna(False) & code.notna()
        if lvl != "locality":
            t.loc[rows, "area_code"] = code[rows].str.replace(SPACES, "", regex=True).str.upper()
        bad = rows & ~t["area_code"].str.fullmatch(pattern).fillna(False)
        issues.add(
            bad, "area_code", code, "'" + code + f"' is not a {lvl} code for area_level {lvl}."
        )
        if lvl == "school":
            check_urns(
                KINDS["kpi_return"].column("area_code"), t["area_code"].where(rows & ~bad), issues
            )


def _kpi_rules(t: pd.DataFrame, issues: Issues, today: pd.Timestamp) -> None:
    _period_rules(t, issues)
    _area_rules(t, issues, level_optional=False)
    issues.add(
        t["value"].isna() & (t["numerator"].isna() | t["denominator"].isna()),
        "value",
        "",
        "value is blank: give a value, or a numerator and a denominator.",
    )
    issues.add(
        t["numerator"] > t["denominator"],
        "numerator",
        lambda: t["numerator"].astype("string"),
        lambda: "numerator is larger than denominator (" + t["denominator"].astype("string") + ").",
    )
    issues.add(
        (t["denominator"] == 0) & t["numerator"].notna(),
        "denominator",
        "0",
        "denominator is 0: a value out of nothing cannot be worked out.",
    )
    _kpi_range_rules(t, issues)
    keys = ["indicator", "period", "area_code"]
    _duplicates(
        t,
        keys,
        KINDS["kpi_return"].column("indicator"),
        issues,
        "The same indicator, period and area",
    )


# KPI ids that changed meaning: refused with a message, never read in the new meaning.
RENAMED_KPIS = {
    "ehc_20wk_inc_pct": "ehc_20wk_inc_pct is now ehc_20wk_pct (plans issued within 20 weeks "
    "including exceptions, as DfE's SEN2 counts them): use that id. For the share excluding "
    "exceptions use ehc_20wk_ex_pct.",
}


def _kpi_range_rules(t: pd.DataFrame, issues: Issues) -> None:
    """A built-in KPI's value must lie in its catalogue range (a % in 0-100, a count >= 0);
    an area's own KPIs have no known range and pass."""
    ids = t["indicator"].astype("string").str.strip().str.removeprefix(LOCAL_PREFIX)
    known = {i: local_kpi(i) for i in ids.dropna().unique()}
    low = ids.map(lambda i: k.valid_min if (k := known.get(i)) else np.nan).astype(float)
    high = ids.map(lambda i: k.valid_max if (k := known.get(i)) else np.nan).astype(float)
    value = t["value"].astype(float)
    words = value.map(lambda v: f"{v:g}")
    issues.add(
        (value < low) | (value > high),
        "value",
        words,
        lambda: (
            "value "
            + words
            + " is outside what "
            + ids
            + " can be ("
            + ids.map(lambda i: _range_words(k) if (k := known.get(i)) else "")
        ),
    )
    renamed = ids.str.lower().isin(list(RENAMED_KPIS))
    issues.add(renamed, "indicator", ids, lambda: ids.str.lower().map(RENAMED_KPIS))


def _range_words(kpi: Indicator) -> str:
    if np.isinf(kpi.valid_max):
        return f"{kpi.unit}, {kpi.valid_min:g} or more)."
    return f"{kpi.unit}, {kpi.valid_min:g} to {kpi.valid_max:g})."


def _survey_rules(t: pd.DataFrame, issues: Issues, today: pd.Timestamp) -> None:
    _period_rules(t, issues)
    _area_rules(t, issues, level_optional=True)
    by_area = ["area_code"] if t["area_code"].notna().all() else []
    keys = ["survey", "period", "question", "answer", *by_area]
    _duplicates(
        t,
        keys,
        KINDS["survey"].column("answer"),
        issues,
        "The same survey, period, question and answer",
    )


def _locality_rules(t: pd.DataFrame, issues: Issues, today: pd.Timestamp) -> None:
    _duplicates(
        t,
        ["ward_code"],
        KINDS["locality_lookup"].column("ward_code"),
        issues,
        "This ward (a ward belongs to one locality)",
    )


RULES = {
    "kpi_return": _kpi_rules,
    "ehc_tracker": _ehc_rules,
    "cohort": _cohort_rules,
    "outcomes_return": _outcomes_rules,
    "survey": _survey_rules,
    "locality_lookup": _locality_rules,
}


def _pseudonymised(t: pd.DataFrame, schema: Schema, today: pd.Timestamp) -> pd.DataFrame:
    out = t.copy()
    id_columns = [c.name for c in schema.columns if c.identifier]
    if id_columns:
        chain = keys.load_chain()
        for name in id_columns:
            out[name] = pseudonymise.pseudonymise_ids(
                out[name], chain.keys, normalised=True
            )  # by parse_code
    if "date_of_birth" in out.columns:
        ref_name = REFERENCE_DATE.get(schema.kind, "")
        reference = out[ref_name].fillna(today) if ref_name else pd.Series(today, index=out.index)
        dob = out.pop("date_of_birth")
        at = schema.names.index("date_of_birth")
        out.insert(at, "nc_year", pseudonymise.nc_year(dob, reference))
        out.insert(at, "age", pseudonymise.age_on(dob, reference))
    out = out.reset_index(drop=True)
    if id_columns:
        # The store checks this, so data hashed with another key is never mixed in.
        out.attrs[keys.FINGERPRINT_ATTR] = chain.fingerprint
    return out
