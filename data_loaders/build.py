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
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

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


# Told (done, of, what) as each source is read, so a first start can show its progress.
Progress = Callable[[int, int, str], None]
WORKERS_ENV = "SEND_LENS_BUILD_WORKERS"


def _jobs() -> dict[str, Callable[[], pd.DataFrame]]:
    """The sources as jobs for parallel workers: SEN2's two releases are read separately, the
    slowest sources alone (see ``COST``)."""
    from data_loaders.national import sen2

    jobs = {name: loader for name, loader in _loaders() if name != "sen2"}
    return {"sen2_2025": sen2.load_2025_release, "sen2_2022": sen2.load_2022_release, **jobs}


# CPU seconds each job took as the first read of a fresh process (so with the lazy imports
# its first read pays), medians of three at load 7-8, 2026-12-03 evening, after the SEN2
# readers built one frame per file and the census columns came from fastexcel; the rest
# take 0.06 s or less (earlier the same day, before those changes: sen2_2025 1.05, schools
# 0.8, sen2_2022 0.4, lait 0.33). Used only to share the jobs out so that the workers finish
# together.
COST = {
    "sen2_2025": 0.9,
    "lait": 0.46,
    "sen2_2022": 0.36,
    "schools": 0.34,
    "children_in_need": 0.11,
    "population": 0.08,
    "nhs_community_health": 0.08,
}
DEFAULT_COST = 0.05


# CPU seconds a child takes to start (Python, pandas and the loaders imported) before it reads
# anything (0.37-0.39 s, three runs at load 7, 2026-12-03 evening); this process has paid that
# already, so it takes the first share, and a child's share is that much lighter.
CHILD_START = 0.38


def shares(names: list[str], workers: int) -> list[list[str]]:
    """The jobs split into at most ``workers`` lists that finish together, slowest first:
    the first list is read in this process, each other by a child that starts
    ``CHILD_START`` behind."""
    lists: list[list[str]] = [[] for _ in range(workers)]
    loads = [0.0] + [CHILD_START] * (workers - 1)
    for name in sorted(names, key=lambda n: -COST.get(n, DEFAULT_COST)):
        i = loads.index(min(loads))
        lists[i].append(name)
        loads[i] += COST.get(name, DEFAULT_COST)
    return [names for names in lists if names]


def build_workers() -> int:
    """Processes for a rebuild: ``SEND_LENS_BUILD_WORKERS``, else one per core (at most 4)."""
    setting = os.environ.get(WORKERS_ENV, "")
    return max(1, int(setting)) if setting.isdigit() else min(os.cpu_count() or 1, 4)


def read_sources(
    progress: Progress | None = None, workers: int | None = None
) -> list[pd.DataFrame]:
    """Every source's tidy rows, in ``_loaders()``'s order. With more than one worker, this
    process reads one share while child processes (``python -m data_loaders.build --read``)
    read the others, each writing its frames to a temporary folder: neither a fork (the
    app's server has threads, and a fork copies any lock another thread holds) nor
    multiprocessing's spawn (which reruns whatever script started the parent) is safe inside
    a Streamlit server."""
    jobs = _jobs()
    workers = build_workers() if workers is None else workers
    done: dict[str, pd.DataFrame] = {}

    def finished(name: str, frame: pd.DataFrame) -> None:
        done[name] = frame
        if progress is not None:
            progress(len(done), len(jobs), name)

    here, *elsewhere = shares(list(jobs), max(1, workers))
    with (
        tempfile.TemporaryDirectory(prefix="send-lens-build-") as tmp,
        _Children(elsewhere, Path(tmp)) as children,
    ):
        for name in here:
            finished(name, jobs[name]())
        for name in children.finished():
            finished(name, pd.read_pickle(Path(tmp) / f"{name}.pickle"))
    return _source_frames(done, [name for name, _ in _loaders()])


def _source_frames(done: dict[str, pd.DataFrame], names: list[str]) -> list[pd.DataFrame]:
    """The frames of ``names`` (``_loaders()``'s names) from the jobs' frames: "sen2" is its
    two releases combined."""
    from data_loaders.national.sen2 import combine_releases

    sen2 = combine_releases(done["sen2_2025"], done["sen2_2022"]) if "sen2" in names else None
    return [sen2 if name == "sen2" else done[name] for name in names]


class _Children:
    """Child processes reading lists of jobs, started at once (so they read while this
    process does its own share); ``finished`` yields each job's name as its frame is written.
    With ``check``, each child then checks its jobs' rows as one part (``checked``) and
    writes the table and findings, and ``finished`` yields ``CHECKED`` + the file's name;
    with ``background``, the children run at a lower priority (``BACKGROUND_NICE``)."""

    def __init__(
        self, lists: list[list[str]], folder: Path, check: bool = False, background: bool = False
    ) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        self.queue: queue.Queue[tuple[int, str | None]] = queue.Queue()
        self.running: list[tuple[subprocess.Popen, IO[str]]] = []
        for i, names in enumerate(lists):
            log = open(folder / f"worker-{i}.log", "w+")  # noqa: SIM115 (closed in stop)
            cmd = [sys.executable, "-m", "data_loaders.build", "--read", *names]
            if check:
                cmd += ["--checked", f"checked-{i}.pickle"]
            if background:
                cmd += ["--nice", str(BACKGROUND_NICE)]
            child = subprocess.Popen(
                [*cmd, "--out", str(folder)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
            self.running.append((child, log))
            threading.Thread(target=_relay, args=(i, child, self.queue), daemon=True).start()

    def __enter__(self) -> _Children:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def finished(self) -> Iterator[str]:
        left = len(self.running)
        while left:
            i, name = self.queue.get()
            if name is not None:
                yield name
                continue
            left -= 1
            child, log = self.running[i]
            if child.wait() != 0:
                log.seek(0)
                raise RuntimeError(f"reading the national sources failed:\n{log.read()[-4000:]}")

    def stop(self) -> None:
        for child, log in self.running:
            if child.poll() is None:
                child.kill()
                child.wait()
            log.close()


# The sources of Home's figures (the catalogue's headlines: EHC plans, requests and
# timeliness from both SEN2 releases, plans per population, tribunal appeals).
FIRST_JOBS = ("sen2_2025", "sen2_2022", "population", "tribunals", "tribunals_2026")
# The same as ``_loaders()``'s names (the two SEN2 releases are its "sen2").
FIRST_SOURCES = ["sen2", *FIRST_JOBS[2:]]


class Rebuild:
    """A first start's build in two steps, so that the first page need not wait for every
    source. ``first()`` reads ``FIRST_JOBS`` in this process while children read the rest,
    and checks them on their own; ``finish()`` takes the rest, checks it on its own, joins
    it to the first part and caches the whole. Every rule judges an indicator on its own
    rows (quality.check), so an indicator whose rows all come from the first sources has the
    same rows in both tables, and the whole is the table a plain build makes
    (tests/test_parallel_build.py checks both)."""

    def __init__(self, progress: Progress | None = None, workers: int | None = None) -> None:
        self.key = fingerprint()
        self.jobs = _jobs()
        self.progress = progress
        self.done: dict[str, pd.DataFrame] = {}
        self.first_checked: tuple[pd.DataFrame, pd.DataFrame] | None = None
        workers = build_workers() if workers is None else workers
        self.rest = [name for name in self.jobs if name not in FIRST_JOBS]
        self.folder = tempfile.TemporaryDirectory(prefix="send-lens-build-")
        lists = shares(self.rest, workers - 1) if workers > 1 else []
        # The rest is wanted only after Home is drawn: its children yield the CPU to this
        # process's first part and to the browser drawing Home, and take what is left.
        self.children = _Children(lists, Path(self.folder.name), check=True, background=True)

    def first(self) -> NationalTable:
        """The first sources' rows, checked (Home's figures are all in them)."""
        try:
            for i, name in enumerate(FIRST_JOBS, start=1):
                self.done[name] = self.jobs[name]()
                if self.progress is not None:
                    self.progress(i, len(FIRST_JOBS), name)
            self.first_checked = checked(_source_frames(self.done, FIRST_SOURCES))
            return NationalTable.of(self.first_checked[0])
        except BaseException:
            self._stop()
            raise

    def finish(self) -> NationalTable:
        """The whole national table, checked and cached (as ``load_tidy`` would build it)."""
        try:
            with _BUILD_LOCK:
                parts, by_children = self._rest_checked()
                table, findings = self._checked(parts, by_children)
                _write_cache(table, cache_dir(), self.key, findings)
        finally:
            self._stop()
        return NationalTable.of(table)

    def _rest_checked(self) -> tuple[list[tuple[pd.DataFrame, pd.DataFrame]], list[str]]:
        """The rest's parts as the children checked them (the checks are 0.3-0.5 s of CPU
        that this process, drawing Home meanwhile, need not spend), a part read and checked
        here when there are no children, and the jobs the children read."""
        folder = Path(self.folder.name)
        parts, by_children = [], []
        for line in self.children.finished():
            if line.startswith(CHECKED):
                parts.append(pd.read_pickle(folder / line.removeprefix(CHECKED)))
            else:
                by_children.append(line)
        here = [name for name in self.rest if name not in by_children]
        for name in here:
            self.done[name] = self.jobs[name]()
        if here:
            parts.append(checked(_source_frames(self.done, here)))
        return parts, by_children

    def _checked(
        self, parts: list[tuple[pd.DataFrame, pd.DataFrame]], by_children: list[str]
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The whole table checked: the first sources' part as ``first()`` checked it, joined
        to the rest's parts, unless the parts cannot be checked apart (``separable``), when
        every source's rows are checked together."""
        first = self.first_checked
        if first is not None and separable([first, *parts]):
            return joined([first, *parts])
        for name in by_children:
            self.done[name] = pd.read_pickle(Path(self.folder.name) / f"{name}.pickle")
        for name in FIRST_JOBS:
            if name not in self.done:
                self.done[name] = self.jobs[name]()
        return checked(_source_frames(self.done, [name for name, _ in _loaders()]))

    def _stop(self) -> None:
        self.children.stop()
        self.folder.cleanup()


def _relay(i: int, child: subprocess.Popen, finished: queue.Queue[tuple[int, str | None]]) -> None:
    assert child.stdout is not None
    for line in child.stdout:
        finished.put((i, line.strip()))
    finished.put((i, None))


# What a child says on stdout when it has written its checked part (then the file's name).
CHECKED = "checked:"
# How much a first start's children lower their priority (os.nice): on two cores, the
# server reading Home's sources, the browser drawing Home and a child reading the rest
# otherwise share them equally.
BACKGROUND_NICE = 10


def _read_and_write(names: list[str], folder: Path, checked_file: str | None = None) -> None:
    """A child's work: read each named source, write it, and say so on stdout; with
    ``checked_file``, then check them as one part and write the table and findings."""
    jobs = _jobs()
    frames = {}
    for name in names:
        frames[name] = jobs[name]()
        frames[name].to_pickle(folder / f"{name}.pickle")
        print(name, flush=True)
    if checked_file is not None:
        pd.to_pickle(checked(_source_frames(frames, names)), folder / checked_file)
        print(CHECKED + checked_file, flush=True)


def build_tidy() -> pd.DataFrame:
    """Read every source and derive the computed indicators; no cache involved."""
    return build_checked()[0]


def build_checked(progress: Progress | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The national table after the plausibility checks, and their findings (data_loaders/quality)."""
    return checked(read_sources(progress))


def checked(frames: list[pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sources' tidy rows as one table after the plausibility checks, and their findings."""
    from data_loaders import quality

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


def joined(parts: list[tuple[pd.DataFrame, pd.DataFrame]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tables and findings of ``checked`` parts sharing no indicator, as ``checked`` gives
    them for all the parts' sources at once: every rule judges an indicator on its own rows,
    and the derived rates need two indicators of the same part (tests/test_parallel_build.py)."""
    from data_loaders import quality

    table = pd.concat([t for t, _ in parts], ignore_index=True)
    # Each part is sorted and holds the whole of its indicators: ordering the indicators,
    # keeping each one's rows as they are, gives the order of checking all at once.
    table = table.sort_values("indicator", kind="stable").reset_index(drop=True)
    # A part without findings has them as an empty frame of objects, which would make
    # every text column of the others' objects too.
    found = [f for _, f in parts if not f.empty] or [parts[0][1]]
    return table, quality.in_order(pd.concat(found, ignore_index=True))


def separable(parts: list[tuple[pd.DataFrame, pd.DataFrame]]) -> bool:
    """Whether ``checked`` parts can be joined (``joined``): no indicator in two of them, and
    the derived rates' sources in one (each part derives the rates it has both sources for)."""
    seen: set[str] = set()
    for table, _ in parts:
        indicators = set(table["indicator"].unique())
        if indicators & seen or 0 < len(indicators & set(RATE_SOURCES)) < len(RATE_SOURCES):
            return False
        seen |= indicators
    return True


# The indicators ``derived_rates`` works from: plans and residents aged 0-25.
RATE_SOURCES = ("ehc_plans", "population_0_25")


def derived_rates(table: pd.DataFrame) -> pd.DataFrame:
    """EHC plans per 10,000 residents aged 0-25, for every area and year with both."""
    plans = table[(table["indicator"] == RATE_SOURCES[0]) & (table["breakdown"] == "")]
    pop = table[(table["indicator"] == RATE_SOURCES[1]) & (table["breakdown"] == "")]
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


def cache_is_current() -> bool:
    """Whether ``load_tidy`` will read the cache rather than build (a first start builds)."""
    try:
        meta = json.loads((cache_dir() / MANIFEST_FILE).read_text())
    except (OSError, ValueError):
        return False
    return meta.get("fingerprint") == fingerprint() and (cache_dir() / CACHE_FILE).exists()


# Two sessions arriving at a first start would otherwise both build the table.
_BUILD_LOCK = threading.Lock()


def load_tidy(
    rebuild: bool = False, progress: Progress | None = None, only: list[str] | None = None
) -> NationalTable:
    """The national tidy table, from the cache when it is current, else built and cached, and
    split by indicator once here so that every query after reads one indicator's rows.

    ``only``: just those indicators' rows when the cache is current (a query about them gets
    the same answer as from the whole table); the whole table when it has to be built."""
    if not rebuild and (cached := _read_cache(only)) is not None:
        return cached
    with _BUILD_LOCK:
        if not rebuild and (cached := _read_cache()) is not None:
            return cached  # another thread built it while this one waited
        key = fingerprint()
        table, findings = build_checked(progress)
        _write_cache(table, cache_dir(), key, findings)
    return NationalTable.of(table)


def _read_cache(only: list[str] | None = None) -> NationalTable | None:
    folder = cache_dir()
    parquet, manifest = folder / CACHE_FILE, folder / MANIFEST_FILE
    if not (parquet.exists() and manifest.exists()):
        return None
    try:
        if json.loads(manifest.read_text()).get("fingerprint") == fingerprint():
            # One thread: each of Arrow's reader threads leaves freed heap pages of its own
            # behind (38 against 43 MB held after reading, and faster on two cores).
            only_rows = [("indicator", "in", only)] if only is not None else None
            table = pd.read_parquet(parquet, use_threads=False, filters=only_rows)
            return NationalTable.of(tidy.normalise(table))
    except (OSError, ValueError):
        pass  # an unreadable cache is rebuilt
    return None


_built_findings: list[pd.DataFrame] = []


def load_findings() -> pd.DataFrame:
    """The plausibility checks' findings for the current national table (published data,
    no child-level records, so safe to share between sessions)."""
    # Built only when stale: ``load_tidy`` would read and split the whole table (~50 MB
    # of transient memory, ~0.5 s) on every call, and Benchmarking calls this per measure.
    if not cache_is_current():
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


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Read national sources (a rebuild's worker).")
    parser.add_argument("--read", nargs="+", required=True, help="job names (see _jobs)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the frames")
    parser.add_argument("--checked", help="file (in --out) for the jobs' rows checked")
    parser.add_argument("--nice", type=int, default=0, help="lower this process's priority")
    args = parser.parse_args()
    if args.nice and hasattr(os, "nice"):
        os.nice(args.nice)
    _read_and_write(args.read, args.out, args.checked)
