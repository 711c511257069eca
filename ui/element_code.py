"""The browser code for the elements of the next pages, fetched once the first page is drawn.

Streamlit's browser code comes in chunks, each fetched, compiled and run the first time an
element of its kind arrives. Home draws no chart, so the first chart page a visitor opens
waited after the click for 28 files: the Vega-Lite chart's code with Arrow, Vega and its
expression interpreter (``embed.js`` alone is 775 kB), the radio's and the download
button's. Asking for those chunks half a second after the first page is drawn, when the
browser is idle, moves that work into time nobody waits on. Local profile clicked 1.5 s after
Home: its four charts drawn 0.51 s after the click against 0.71 s (six fresh servers each);
a start to Home drawn is unchanged (benchmarks/README.md, "Stop 26").

The script only imports the modules the page itself would import, at the same addresses, so
the browser's module map then holds them and the element's own import finds them there. It
waits for the page to be drawn, not for its elements to arrive: loading during a start would
share the cores with drawing the first page (started as the element arrived, the chart's
chunk was asked for 0.12 s before Home was drawn). A chunk Streamlit's build does not have (a
later version renamed it) is left out, and the page imports it itself.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import streamlit as st

# Element kinds by the file names Streamlit's build gives their code (``<name>.<hash>.js``):
# the chart first, the largest and the first needed (Local profile, the page under Home); then
# the radio (Benchmarking's and the Map's choices) and the download button (the Map's and the
# Data page's): a visual's own radio and download are gone from its first view (stop 28).
CHUNKS = ("ArrowVegaLiteChart", "Radio", "DownloadButton")
STATIC_JS = Path(st.__file__).parent / "static" / "static" / "js"
_SAFE_NAME = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.js")
FLAG = "sendLensElementCode"
AFTER_DRAWN_MS = 500

# Waits for the page to be drawn (its run finished, no element still a placeholder; at most
# 5 s), then AFTER_DRAWN_MS (a start's last checks and paints; straight after, the measured
# start to Home drawn was 4% longer, ten interleaved rounds) and the browser's next idle
# moment (a timer where the browser has no idle callback: Safari), and imports the chunks one
# after another, so that a click meanwhile shares the browser with one file at a time. The
# chunks' addresses are resolved against Streamlit's own entry script, as its imports are, so
# a base URL path works.
_LOADER = """<script>(() => {
  if (window.%(flag)s) return;
  window.%(flag)s = true;
  const entry = [...document.scripts].map((s) => s.src)
    .find((src) => /\\/static\\/js\\/index\\.[^/]+\\.js$/.test(src));
  if (!entry) return;
  const load = async () => {
    for (const file of %(files)s) {
      try { await import(new URL(file, entry).href); } catch (e) { return; }
    }
  };
  const drawn = () => document.querySelector('[data-test-script-state="notRunning"]')
    && !document.querySelector('[data-testid="stSkeleton"]');
  const idle = window.requestIdleCallback || ((then) => setTimeout(then, 0));
  const later = () => setTimeout(() => idle(load, {timeout: 2000}), %(after_ms)d);
  const wait = (tries) => (drawn() || tries >= 50) ? later() : setTimeout(() => wait(tries + 1), 100);
  wait(0);
})();</script>"""


@cache
def chunk_files(static_js: Path = STATIC_JS) -> tuple[str, ...]:
    """The built file of each chunk in ``CHUNKS`` found in ``static_js``, in that order."""
    files = []
    for name in CHUNKS:
        found = sorted(
            p.name for p in static_js.glob(f"{name}.*.js") if _SAFE_NAME.fullmatch(p.name)
        )
        if len(found) == 1:  # more than one would be a build we do not understand
            files.append(found[0])
    return tuple(files)


def loader_script(files: tuple[str, ...]) -> str:
    """The page script that imports ``files`` once the page is drawn."""
    return _LOADER % {"flag": FLAG, "files": json.dumps(list(files)), "after_ms": AFTER_DRAWN_MS}


@cache
def _loader_for_this_build() -> str:
    """The loader for the installed build's chunks ("" if it has none of them), built once a
    process rather than on every run of every page."""
    files = chunk_files()
    return loader_script(files) if files else ""


def fetch_after_first_page() -> None:
    """Put the loader in the sidebar, below everything else there (it draws nothing)."""
    if script := _loader_for_this_build():
        st.sidebar.html(script, unsafe_allow_javascript=True)
