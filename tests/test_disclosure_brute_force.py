"""Brute force: for each protected map the app builds from the example data (data/demo) and
for small tables made by hand, every set of true counts consistent with what is shown is
enumerated, and no hidden count (1 to 7) may be pinned to one value.

"Consistent" is decided by the app's own protection run on each candidate: a candidate is
kept when it would be shown exactly as the real figure is (counts, percentage, tooltip
texts, reason and disclosure words). Totals shown beside the areas (the map's "Counted in
all" note, with those placed off the map) are then applied as a sum over the areas'
candidate sets, with sets of reachable sums kept as bit masks.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re

import numpy as np
import pandas as pd
import pytest

from analysis import outcomes as oc
from analysis.disclosure import SmallNumberRule, apply_disclosure_control, protect_total
from analysis.mapping import map_table
from store.datasets import Store
from store.identity import local_user
from store.local_data import local_tidy
from store.schema import DEFAULT_WORKSPACE
from tests.conftest import ROOT
from uploads.intake import read_upload

DEMO = ROOT / "data/demo"
BRADFORD = "E08000032"
RULE = SmallNumberRule()
SHOWN = ["numerator", "denominator", "v", "c", "greyed_reason", "disclosure"]
WINDOW = 3  # a rounded count x stands for x-2 .. x+2; one more each side shows the edges
HIDDEN_DEN_MAX = 60  # a hidden denominator could be anything; enough for the examples


# --- Enumeration ----------------------------------------------------------------------------------


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    out = table[SHOWN].copy()
    out["c"] = out["c"].str.replace(r" \(\d+ schools\)$", "", regex=True)
    out[["numerator", "denominator"]] = out[["numerator", "denominator"]].fillna(-1)
    return out.astype(str)


def _candidates(row: pd.Series, unit: str) -> list[tuple[float, float]]:
    """(numerator, denominator) pairs worth trying for one shown row: near what is shown,
    everything small where it is hidden."""

    def near(x: float) -> range:
        return range(max(0, int(x) - WINDOW), int(x) + WINDOW + 1)

    if unit == "count":
        ns = near(row["numerator"]) if not math.isnan(row["numerator"]) else range(0, 40)
        return [(float(n), math.nan) for n in ns]
    if not math.isnan(row["denominator"]):
        ds = near(row["denominator"])
    elif str(row["greyed_reason"]).startswith(f"fewer than {RULE.min_denominator:,.0f} "):
        ds = range(0, int(RULE.min_denominator))  # the reason says so; no need to try more
    else:
        ds = range(0, HIDDEN_DEN_MAX)
    pairs = []
    for d in ds:
        if not math.isnan(row["numerator"]):
            ns = [n for n in near(row["numerator"]) if n <= d]
        elif d <= 40:
            ns = range(0, d + 1)
        else:  # hidden: small itself, or hidden because the rest of the row is small
            ns = sorted({*range(0, 13), *range(d - 12, d + 1)})
        pairs += [(float(n), float(d)) for n in ns]
    return pairs


def consistent_sets(
    table: pd.DataFrame, unit: str, words: tuple[str, str], rule: SmallNumberRule
) -> list[list[tuple[float, float]]]:
    """Per row of a protected map table: the (numerator, denominator) pairs shown the same."""
    shown = _shown(table)
    frames, owners = [], []
    for i, (_, row) in enumerate(table.iterrows()):
        pairs = _candidates(row, unit)
        num, den = zip(*pairs)
        scale = 100.0 if unit == "%" else 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(unit == "count", num, scale * np.array(num) / np.array(den)).astype(
                float
            )
        frames.append(
            pd.DataFrame(
                {
                    "area_code": [f"{i}:{k}" for k in range(len(pairs))],
                    "value": np.where(np.isfinite(value), value, np.nan),
                    "numerator": num,
                    "denominator": den,
                    "status": np.where(np.isfinite(value), "", "not_available"),
                }
            )
        )
        owners += [i] * len(pairs)
    cands = pd.concat(frames, ignore_index=True)
    out, _, _ = map_table(cands, {}, unit, protect=True, count_words=words, rule=rule)
    got = _shown(out)
    result: list[list[tuple[float, float]]] = [[] for _ in range(len(table))]
    for k, owner in enumerate(owners):
        if (got.iloc[k].to_numpy() == shown.iloc[owner].to_numpy()).all():
            result[owner].append((cands.at[k, "numerator"], cands.at[k, "denominator"]))
    return result


def _mask(values) -> int:
    m = 0
    for v in values:
        m |= 1 << int(v)
    return m


def _sum(a: int, b: int) -> int:
    out, shift = 0, 0
    while b:
        if b & 1:
            out |= a << shift
        b >>= 1
        shift += 1
    return out


def narrow_by_total(sets: list[set[int]], total: set[int]) -> list[set[int]]:
    """Each part's values that some choice of the other parts completes to a shown total."""
    masks = [_mask(s) for s in sets]
    prefix = [1]
    for m in masks:
        prefix.append(_sum(prefix[-1], m))
    suffix = [1]
    for m in reversed(masks):
        suffix.append(_sum(suffix[-1], m))
    suffix.reverse()
    out = []
    for i, values in enumerate(sets):
        others = _sum(prefix[i], suffix[i + 1])
        out.append({v for v in values if any(t >= v and others >> (t - v) & 1 for t in total)})
    return out


def assert_no_hidden_count_pinned(
    true: pd.DataFrame,
    table: pd.DataFrame,
    unit: str,
    words: tuple[str, str],
    total: set[int] | None = None,
    off_map: list[set[int]] | None = None,
) -> None:
    """``true`` has the true numerator and denominator per row of the shown ``table``."""
    sets = consistent_sets(table, unit, words, RULE)
    for (n, d), cands in zip(zip(true["numerator"], true["denominator"]), sets):
        truth = (float(n), float(d) if unit != "count" else math.nan)
        assert any(c[0] == truth[0] and (unit == "count" or c[1] == truth[1]) for c in cands), (
            "the truth must be among the candidates",
            truth,
        )
    summed = [{int(c[0] if unit == "count" else c[1]) for c in cands} for cands in sets]
    if total is not None:
        narrowed = narrow_by_total([*summed, *(off_map or [])], total)[: len(sets)]
    else:
        narrowed = summed
    for i, (cands, keep) in enumerate(zip(sets, narrowed)):
        n_true = float(true["numerator"].iloc[i])
        if not 1 <= n_true <= RULE.threshold or not math.isnan(table["numerator"].iloc[i]):
            continue
        key = 0 if unit == "count" else 1
        possible = {c[0] for c in cands if int(c[key]) in keep}
        assert len(possible) > 1, (table["code"].iloc[i], n_true, possible)


def _count_set(words: str) -> set[int]:
    """The true counts a figure in words stands for ("none", "fewer than 8", "about 45")."""
    if words == "none":
        return {0}
    if words.startswith("fewer than"):
        return set(range(1, RULE.threshold + 1))
    x = int(words.removeprefix("about ").replace(",", ""))
    return set(range(x - 2, x + 3)) - set(range(0, RULE.threshold + 1))


# --- Hand-made tables -----------------------------------------------------------------------------


def _rates(triples) -> pd.DataFrame:
    num, den = zip(*triples)
    return pd.DataFrame(
        {
            "area_code": [f"A{i}" for i in range(len(triples))],
            "numerator": np.array(num, dtype=float),
            "denominator": np.array(den, dtype=float),
            "value": 100 * np.array(num, dtype=float) / np.array(den, dtype=float),
            "status": [""] * len(triples),
        }
    )


def test_a_percentage_beside_rounded_counts_no_longer_fits_one_pair():
    rows = _rates([(31, 45)])
    table, _, _ = map_table(rows, {}, "%", protect=True, count_words=("plans", "requests"))
    (cands,) = consistent_sets(table, "%", ("plans", "requests"), RULE)
    # 68.9% beside "30 of 45" fitted 31/45 alone; 66.7% fits every pair that rounds so.
    assert {c for c in cands} == {(n, d) for n in range(28, 33) for d in range(43, 48)}


def test_hand_made_rate_maps_pin_no_hidden_count():
    words = ("plans", "requests")
    for triples in (
        [(3, 40), (31, 45), (20, 40)],
        [(38, 40), (7, 9), (1, 50), (0, 35)],
        [(8, 30), (22, 30), (5, 29), (29, 35)],
    ):
        rows = _rates(triples)
        table, _, _ = map_table(rows, {}, "%", protect=True, count_words=words)
        assert_no_hidden_count_pinned(rows, table, "%", words)


def test_a_count_map_with_its_total_pins_no_hidden_count():
    # 1, 8, 8 with a total of 17: shown as hidden, 10, 10 and 15, the hidden one would be 1.
    counts = [1.0, 8.0, 8.0]
    rows = pd.DataFrame(
        {
            "area_code": ["W0", "W1", "W2"],
            "value": counts,
            "numerator": counts,
            "denominator": [np.nan] * 3,
            "status": [""] * 3,
        }
    )
    table, _, _ = map_table(rows, {}, "count", protect=True, count_words=("requests", ""))
    shown = protect_total(sum(counts), table["numerator"].tolist(), RULE)
    assert shown is None  # withheld: with it, brute force finds the hidden count is 1
    pinned_total = {x for x in _count_set("about 15")}
    with pytest.raises(AssertionError):
        assert_no_hidden_count_pinned(rows, table, "count", ("requests", ""), pinned_total)
    assert_no_hidden_count_pinned(rows, table, "count", ("requests", ""), None)


def test_outcome_bands_pin_no_hidden_count():
    """The workshop view: each band's count (rounded or hidden), its share and the total."""
    bands = pd.DataFrame(
        {
            "outcome": ["a", "b", "c", "d"],
            "achieved": [3, 20, 30, 12],
            "progress": [15, 6, 1, 12],
            "not_yet": [14, 14, 9, 9],
        }
    )
    bands["total"] = bands[["achieved", "progress", "not_yet"]].sum(axis=1)
    names = ("achieved", "progress", "not_yet")

    def shown(frame: pd.DataFrame) -> pd.Series:
        safe = oc.safe_bands(frame, "outcome", names)
        safe = safe.assign(pct=safe["pct"].round(0))  # the workshop table rounds shares
        key = safe[["band", "count", "pct", "total"]].fillna(-1).astype(str).agg(",".join, axis=1)
        return key.groupby(safe["outcome"], sort=False).agg("|".join)

    real = shown(bands)
    safe = apply_disclosure_control(bands, [*names, "total"])
    for i, row in bands.iterrows():
        # Near each shown count, anything small where hidden; the total within its rounding.
        ranges = [
            range(0, 30)
            if pd.isna(safe.at[i, b])
            else range(int(safe.at[i, b]) - 2, int(safe.at[i, b]) + 3)
            for b in names
        ]
        grid = [
            (a, p, n)
            for a, p, n in itertools.product(*ranges)
            if abs(a + p + n - row["total"]) <= WINDOW
        ]
        cands = pd.DataFrame(grid, columns=list(names))
        cands["total"] = cands.sum(axis=1)
        cands.insert(0, "outcome", [f"k{k}" for k in range(len(cands))])
        got = shown(cands)
        fits = cands[[g == real.iloc[i] for g in got]]
        assert ((fits["achieved"] == row["achieved"]) & (fits["progress"] == row["progress"])).any()
        for band in names:
            if 1 <= row[band] <= RULE.threshold:
                assert fits[band].nunique() > 1, (row["outcome"], band, set(fits[band]))


# --- The maps the app builds from the example data ------------------------------------------------


@pytest.fixture(scope="module")
def demo_maps(national, tmp_path_factory):
    """Every protected local map of the example data, with its true rows, built as the Map
    page builds them (``ui.map.local._build``)."""
    import os

    from geography.localities import localities
    from ui.map import local as map_local

    folder = tmp_path_factory.mktemp("brute_force_store")
    store = Store(f"sqlite:///{folder}/send_lens.db")
    frames = {}
    for kind, file_name in (
        ("kpi_return", "demo_kpi_return_areas.csv"),
        ("locality_lookup", "demo_locality_lookup.csv"),
        ("ehc_tracker", "demo_ehc_tracker.csv"),
    ):
        data = (DEMO / file_name).read_bytes()
        frame = read_upload(data, file_name, kind)
        frames[kind] = frame
        store.save_version(
            kind,
            file_name,
            frame,
            file_name=file_name,
            file_sha256=hashlib.sha256(data).hexdigest(),
            by=local_user(),
            workspace=DEFAULT_WORKSPACE,
        )
    assert os.environ.get("SEND_LENS_DATA_DIR")
    places = localities(frames["locality_lookup"], BRADFORD)
    kpi, _ = map_local._kpi_rows(
        local_tidy(store, default_area=BRADFORD, by=local_user(), workspace=DEFAULT_WORKSPACE),
        places,
    )
    data = map_local.LocalMapData(
        ("brute force",),
        kpi,
        {"ehc_tracker": frames["ehc_tracker"]},
        {"ehc_tracker": ["tracker"]},
        places,
    )
    maps = []
    # Wards and localities: a school map has some 200 rows and would take minutes; its rows
    # go through the same map_table, checked row by row by the hand-made tables above.
    for level in ("ward", "locality"):
        for indicator, ind in map_local.choices(data, level, BRADFORD).items():
            result = map_local._build(
                data, BRADFORD, level, indicator, "quantiles", "viridis", False, None, RULE
            )
            maps.append((level, indicator, ind, result, data))
    return maps


def _true_rows(level, indicator, result, data) -> tuple[pd.DataFrame, list[int]]:
    """The true numerator and denominator of each area in the map's table, and the true
    counts placed off the map (for the "Counted in all" total)."""
    from analysis import record_measures as rm
    from ui.map import local as map_local

    codes = result.table["code"].tolist()
    if indicator in rm.MEASURES:
        found = rm.record_rows(
            data.records["ehc_tracker"],
            indicator,
            level,
            map_local._codes(level, BRADFORD, data.localities),
            data.localities.ward_localities,
        )
        rows, off = found.rows, [found.outside, found.unplaced]
    else:
        kpi = data.kpi
        rows = kpi[
            (kpi["indicator"] == indicator)
            & (kpi["area_level"] == level)
            & (kpi["period"] == result.period)
        ]
        off = []
    rows = rows.drop_duplicates("area_code").set_index("area_code").reindex(codes)
    return rows[["numerator", "denominator"]].reset_index(drop=True), off


def test_every_example_map_pins_no_hidden_count(demo_maps):
    assert len(demo_maps) >= 8  # KPIs by ward, school and locality; tracker measures by each
    checked = 0
    for level, indicator, ind, result, data in demo_maps:
        if not result.protect:
            continue
        true, off = _true_rows(level, indicator, result, data)
        words = (ind.numerator, ind.denominator) if ind.numerator else ("", "")
        have = true["numerator"].notna() | true["denominator"].notna()
        table = result.table[have.to_numpy()].reset_index(drop=True)
        true = true[have].reset_index(drop=True)
        if table.empty:
            continue
        total, off_sets = None, None
        note = next((n for n in result.notes if n.startswith("Counted in all: ")), None)
        if note and "not shown" not in note:
            figure = re.match(r"Counted in all: (none|fewer than \d+|about [\d,]+)", note)
            total = _count_set(figure.group(1))
            off_sets = [
                _count_set(re.match(r"Not on this map: (none|fewer than \d+|about [\d,]+)", n)[1])
                for n in result.notes
                if n.startswith("Not on this map: ")
            ]
            # Every child counted is in an area on the map or off it.
            assert len(off_sets) == sum(1 for n in off if n)
        if ind.unit != "count" and ind.unit != "%":
            continue
        assert_no_hidden_count_pinned(true, table, ind.unit, words, total, off_sets)
        checked += 1
    assert checked >= 6
