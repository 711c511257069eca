"""Cold starts of two checkouts side by side, with the bare page: before / after a change.

Run: ``python -m benchmarks.cold_trees BEFORE_DIR [--rounds 3] [--warm]``, where BEFORE_DIR is
another checkout (``git worktree add`` or ``git archive REV | tar -x -C DIR``). Each round
starts the app of each checkout with an empty ``SEND_LENS_CACHE_DIR`` (``--warm``: its own
cache) and times launch to Home's England figure drawn in Chromium, alternating which goes
first, then the bare page; it prints each round, each side over bare, and after over before per
round (the steadier figure on a shared machine). Each checkout is started once untimed first,
so that neither pays for compiling its modules in a timed start.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.startup import AREA, HOME_READY, time_to_render
from tests.browser_support import CHROMIUM_ARGS, chromium_path, launcher

ROOT = Path(__file__).resolve().parent.parent


def time_start(browser, tree: Path, script: str, path: str, ready: str, cache: str | None) -> float:
    """Seconds from launching ``streamlit run`` in ``tree`` to ``ready`` on a drawn page."""
    env = {} if cache is None else {"SEND_LENS_CACHE_DIR": cache}
    return time_to_render(browser, script, path, ready, env, tree=tree)


def build_cache(tree: Path) -> None:
    """Build ``tree``'s national cache as the Dockerfile does. A start cannot be relied on
    for it: the server is stopped once Home is drawn, before a first start's background
    build has written the cache, so a fresh checkout would have started cold every time."""
    subprocess.run(
        [sys.executable, "-c", "from data_loaders import build; build.load_tidy()"],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("before", type=Path, help="the other checkout")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warm", action="store_true", help="each checkout's own cache")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    trees = {"before": args.before.resolve(), "after": ROOT}
    times: dict[str, list[float]] = {"before": [], "after": [], "bare": []}

    def app(name: str) -> float:
        if args.warm:
            return time_start(
                browser, trees[name], launcher(trees[name]), f"?area={AREA}", HOME_READY, None
            )
        with tempfile.TemporaryDirectory(prefix="send-lens-cold-") as cache:
            return time_start(
                browser, trees[name], launcher(trees[name]), f"?area={AREA}", HOME_READY, cache
            )

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for name in trees:
            if args.warm:
                build_cache(trees[name])
            app(name)  # compiles the checkout's modules
        for i in range(args.rounds):
            for name in ["before", "after"] if i % 2 == 0 else ["after", "before"]:
                times[name].append(app(name))
            bare = time_start(browser, ROOT, "benchmarks/bare_app.py", "", "Nothing else.", None)
            times["bare"].append(bare)
            load = os.getloadavg()[0]
            print(
                f"round {i + 1}: before {times['before'][-1]:.2f} s, after "
                f"{times['after'][-1]:.2f} s, bare {bare:.2f} s (load {load:.1f})",
                flush=True,
            )
        browser.close()
    for name in ("before", "after"):
        ratios = [a / b for a, b in zip(times[name], times["bare"], strict=True)]
        print(
            f"{name}: median {statistics.median(times[name]):.2f} s, over bare "
            f"{statistics.median(ratios):.2f}x (range {min(ratios):.2f}-{max(ratios):.2f})"
        )
    per_round = [a / b for a, b in zip(times["after"], times["before"], strict=True)]
    print(
        "after / before per round: "
        + ", ".join(f"{r:.2f}" for r in per_round)
        + f" (median {statistics.median(per_round):.2f}); bare median "
        + f"{statistics.median(times['bare']):.2f} s"
    )


if __name__ == "__main__":
    main()
