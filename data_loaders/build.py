"""Build the national tidy table from every shipped source, and cache it as parquet.

A cold start reads the parquet file (well under a second) instead of reparsing every CSV
and spreadsheet. The cache is keyed by a fingerprint of the data files and of the loader
code, so a refresh or a code change rebuilds it, and it is written atomically so a crash
never leaves a half-written cache behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

import tidy
from geography import derived_cache
from indicators import NationalTable

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
CACHE_FILE = "tidy.parquet"
MANIFEST_FILE = "tidy.json"
FINDINGS_FILE = "quality.parquet"


def cache_dir() -> Path:
    """Where the cache lives: ``SEND_LENS_CACHE_DIR`` or ``data/cache`` in the project."""
    return derived_cache.cache_dir()


def _loaders() -> list[tuple[str, Callable[[], pd.DataFrame]]]:
    # Imported here so that importing this module stays cheap for pages that only read.
    from data_loaders.national.absence_by_sen import load_absence_by_sen
    from data_loaders.national.community_waits import load_community_waits
    from data_loaders.national.lait import load_lait
    from data_loaders.national.neet import load_neet
    from data_loaders.national.population import load_population
    from data_loaders.national.schools import load_school_census
    from data_loaders.national.sen2 import load_sen2
    from data_loaders.national.sen_in_england import load_sen_in_england
    from data_loaders.national.social_care import load_social_care
    from data_loaders.national.tribunals import load_tribunals, load_tribunals_new_basis

    return [
        ("sen2", load_sen2),
        ("lait", load_lait),
        ("tribunals", load_tribunals),
        ("tribunals_2026", load_tribunals_new_basis),
        ("population", load_population),
        ("schools", load_school_census),
        ("children_in_need", load_social_care),
        ("absence_by_sen", load_absence_by_sen),
        ("sen_in_england", load_sen_in_england),
        ("neet_send", load_neet),
        ("nhs_community_health", load_community_waits),
    ]


def build_tidy() -> pd.DataFrame:
    """Read every source and derive the computed indicators; no cache involved."""
    return build_checked()[0]


def build_checked() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The national table after the plausibility checks, and their findings (data_loaders/quality)."""
    from data_loaders import quality

    frames = [loader() for _, loader in _loaders()]
    table = pd.concat([f for f in frames if not f.empty], ignore_index=True)
    table = tidy.normalise(table)
    # Checked before rates are derived, so a count set aside never reaches a rate.
    table, findings = quality.check(table, quality.management_information_counts())
    table = tidy.normalise(pd.concat([table, derived_rates(table)], ignore_index=True))
    problems = tidy.validate(table)
    if problems:
        raise ValueError("the national tidy table breaks its contract: " + "; ".join(problems))
    table = table.sort_values(["indicator", "area_code", "period", "breakdown"])
    return table.reset_index(drop=True), findings


def derived_rates(table: pd.DataFrame) -> pd.DataFrame:
    """EHC plans per 10,000 residents aged 0-25, for every area and year with both."""
    plans = table[(table["indicator"] == "ehc_plans") & (table["breakdown"] == "")]
    pop = table[(table["indicator"] == "population_0_25") & (table["breakdown"] == "")]
    if plans.empty or pop.empty:
        return tidy.empty()
    from data_loaders.national.population import estimate_for

    # Each year takes the latest estimate at or before its January (the catalogue says so).
    by_year = pop.set_index(["area_code", "period"])["value"]
    estimates = sorted(pop["period"].unique())
    years = plans["period"].map(lambda p: estimate_for(p, estimates))
    keys = pd.MultiIndex.from_arrays([plans["area_code"], years])
    denominators = pd.Series(by_year.reindex(keys).to_numpy(), index=plans.index)
    return tidy.tidy_frame(
        indicator="ehc_plans_rate",
        area_code=plans["area_code"],
        area_level=plans["area_level"],
        period=plans["period"],
        numerator=plans["value"],
        denominator=denominators,
        value=(plans["value"] / denominators * 10_000).where(denominators > 0),
        status=plans["status"],
        source="sen2_population",
    )


def fingerprint() -> str:
    """A hash of every data file (name, size, content hash of small files) and loader code.

    The catalogue (``data/catalogue/*.toml``) and the register are data files here, so editing
    an indicator's entry rebuilds the table the loaders made with it."""
    digest = hashlib.sha256()
    files = sorted(
        p for p in DATA.rglob("*") if p.is_file() and "cache" not in p.relative_to(DATA).parts[:1]
    )
    for path in files + fingerprinted_code():
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(_file_hash(path).encode())
    return digest.hexdigest()[:16]


def fingerprinted_code() -> list[Path]:
    """The code whose change rebuilds the cache: loaders, the quality rules, the contract."""
    return sorted((ROOT / "data_loaders").rglob("*.py")) + [
        ROOT / "tidy.py",
        ROOT / "geography/areas.py",
        ROOT / "geography/school_register.py",
        *sorted((ROOT / "indicators").rglob("*.py")),
    ]


def _file_hash(path: Path) -> str:
    stat = path.stat()
    # Size plus modification time is enough to notice a refresh without reading every byte.
    return f"{stat.st_size}:{int(stat.st_mtime)}"


def load_tidy(rebuild: bool = False) -> NationalTable:
    """The national tidy table, from the cache when it is current, else built and cached, and
    split by indicator once here so that every query after reads one indicator's rows."""
    folder = cache_dir()
    parquet = folder / CACHE_FILE
    manifest = folder / MANIFEST_FILE
    key = fingerprint()
    if not rebuild and parquet.exists() and manifest.exists():
        try:
            meta = json.loads(manifest.read_text())
            if meta.get("fingerprint") == key:
                return NationalTable.of(tidy.normalise(pd.read_parquet(parquet)))
        except (OSError, ValueError):
            pass  # an unreadable cache is rebuilt below
    table, findings = build_checked()
    _write_cache(table, folder, key, findings)
    return NationalTable.of(table)


_built_findings: list[pd.DataFrame] = []


def load_findings() -> pd.DataFrame:
    """The plausibility checks' findings for the current national table (published data,
    no child-level records, so safe to share between sessions)."""
    load_tidy()
    path = cache_dir() / FINDINGS_FILE
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError):
        # A read-only install keeps the findings of its in-memory build.
        return _built_findings[-1] if _built_findings else build_checked()[1]


def findings_report() -> pd.DataFrame:
    """The report of every cell the checks treated, for the current national table."""
    from data_loaders import quality

    return quality.report(load_findings())


def _write_cache(table: pd.DataFrame, folder: Path, key: str, findings: pd.DataFrame) -> None:
    _built_findings[:] = [findings]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Findings first: the manifest written last is what marks the cache current.
        tmp_findings = folder / (FINDINGS_FILE + ".tmp")
        findings.astype({"published": "float64"}).to_parquet(tmp_findings, index=False)
        os.replace(tmp_findings, folder / FINDINGS_FILE)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".parquet.tmp", delete=False) as tmp:
            tmp_path = Path(tmp.name)
        table.to_parquet(tmp_path, index=False)
        os.replace(tmp_path, folder / CACHE_FILE)
        meta = {"fingerprint": key, "rows": len(table)}
        tmp_meta = folder / (MANIFEST_FILE + ".tmp")
        tmp_meta.write_text(json.dumps(meta))
        os.replace(tmp_meta, folder / MANIFEST_FILE)
    except OSError:
        # A read-only install still works: it just rebuilds in memory each start.
        return


def invalidate_cache() -> None:
    """Remove the cached table so the next load rebuilds it (after a refresh)."""
    for name in (CACHE_FILE, MANIFEST_FILE, FINDINGS_FILE):
        (cache_dir() / name).unlink(missing_ok=True)
