"""What the first page of a server needs, prepared while the browser is still loading it.

From the launch of the server to the first page's run the server sat idle for about a second
(benchmarks/README.md, "Warm start: Home's path"): the browser was fetching Streamlit's
JavaScript and opening the websocket. The first run then paid the imports of the router and
Home (pandas, pyarrow, SQLAlchemy, the app's own modules), the store's first open, Home's
rows of the national table and their indexes, and, with no cache, the start of the build.
``serve.py`` starts this thread as the server starts, so that work overlaps the browser's.

Nothing here is about a visitor: shipped, published data and the store's handle (a
connection pool, no rows), which the first page would open anyway. A page arriving before
this is done waits on the same import locks and cache locks and finds the work done or
half done: nothing is done twice.
"""

from __future__ import annotations

import ast
import importlib
import logging
import threading
from pathlib import Path
from urllib.parse import parse_qs

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
# The router and the default page: their imports are what a first run imports.
FIRST_RUN_SCRIPTS = ("app.py", "app_pages/home.py")
THREAD_NAME = "send-lens-server-start"
# What Streamlit itself imports in a process's first run: PIL for the page icon
# (set_page_config, 0.16-0.27 s at load 8-10) and the navigation's icon names (the modules
# that were new in sys.modules after a first run that followed this thread).
STREAMLIT_FIRST_RUN = ("PIL.Image", "PIL.ImageFile", "streamlit.material_icon_names")


# Where Home runs: the default page's two addresses (Streamlit serves the same index.html for
# every page's address; the page is chosen later, over the websocket).
HOME_ADDRESSES = ("/", "/home")
_preparing: list[threading.Thread] = []
_homes_rows_read: list[bool] = []
_first_address = threading.Lock()


def prepare_in_background() -> threading.Thread:
    """Start ``prepare`` in a daemon thread (a server stopping does not wait for it)."""
    thread = threading.Thread(target=prepare, name=THREAD_NAME, daemon=True)
    _preparing.append(thread)
    thread.start()
    return thread


def prepare() -> None:
    """Begin the national build if there is no current cache, import what the first run
    imports, open the store and, with a current cache, read Home's rows and their indexes;
    with the cycle collector paused meanwhile (``ui.memory.collector_paused``)."""
    from ui.memory import collector_paused, set_allocators

    with collector_paused():
        set_allocators()  # before anything is read, as the router's first run would
        _prepare()


def _prepare() -> None:
    _check_how_streamlit_runs()  # first: it costs least while few modules are loaded
    # ui.data brings pandas, pyarrow and the catalogue; ui.warm its log filter (Home's rows
    # are read outside a page on purpose).
    from ui import data, warm  # noqa: F401

    try:
        started = data.start_national_build()
    except Exception:  # the first page starts it, and shows what fails
        log.debug("starting the national build failed", exc_info=True)
        started = None
    for name in [*first_run_imports(), *STREAMLIT_FIRST_RUN]:
        try:
            importlib.import_module(name)
        except Exception:  # the page imports it again, and reports what fails
            log.debug("importing %s failed", name, exc_info=True)
    _open_store()
    if started is None:
        try:
            data.read_homes_rows()
            _homes_rows_read.append(True)
        except Exception:  # the page reads them again, and says so if it cannot
            log.debug("reading Home's rows failed", exc_info=True)


def first_run_imports() -> list[str]:
    """Modules the router and Home import at their top level, in their order."""
    found: list[str] = []
    for script in FIRST_RUN_SCRIPTS:
        tree = ast.parse((ROOT / script).read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # ``from ui import glossed`` imports the module ui.glossed.
                folder = ROOT.joinpath(*node.module.split("."))
                names = [node.module] + [
                    f"{node.module}.{alias.name}"
                    for alias in node.names
                    if (folder / f"{alias.name}.py").exists() or (folder / alias.name).is_dir()
                ]
            else:
                continue
            found += [name for name in names if name not in found and name != "__future__"]
    return found


def _open_store() -> None:
    from store.datasets import StoreError
    from ui import local

    try:
        local.store()
    except StoreError:  # the sidebar says why, on the page
        log.debug("opening the store failed", exc_info=True)


def _check_how_streamlit_runs() -> None:
    """Streamlit checks once per process, at the first element any page draws, whether it runs
    under ``streamlit run`` (to warn if not): it inspects the whole call stack, mapping each
    frame's file to a module, 0.34 s of Home's first run (cProfile at load 8, 1,417
    ``realpath`` calls from a 15-frame stack). From this thread's short stack it costs less, and
    the page finds it done (if it came first, the page paid it whole: the page can arrive
    before this thread is done). Streamlit's own function: if a release renames it, this does
    nothing and the page pays as before."""
    from streamlit import delta_generator

    check = getattr(delta_generator, "_maybe_print_use_warning", None)
    if callable(check):
        check()


def first_address(path: str, query: bytes) -> threading.Thread | None:
    """Called for each HTTP request (``serve.py``): if the first page a browser asks this
    server for is Home, work out Home's ten figures for the area in its address (else the
    default area, as the page would) in a thread, while the browser loads Streamlit's
    JavaScript, 1-2 s before the page's run asks for them. The first such address only:
    later visitors' pages work out their own, as before, and no stream of requests can make
    the server work. Public, published figures, cached for every session in any case; then,
    in the same thread once the first page's run has ended, the opening views of the pages
    under Home for that area, Local profile's first (``ui.warm_pages.next_page_now``)."""
    if path not in HOME_ADDRESSES or not _first_address.acquire(blocking=False):
        return None
    thread = threading.Thread(
        target=_homes_figures,
        args=(query.decode("latin-1"),),
        name=f"{THREAD_NAME}-home",
        daemon=True,
    )
    thread.start()
    return thread


def _homes_figures(query: str) -> None:
    for thread in _preparing:
        thread.join()
    if not _homes_rows_read:  # a first start: Home's rows are not read yet (or could not be)
        return
    from ui import data, warm_pages
    from ui.area_picker import arrival_area
    from ui.workshop import QUERY_KEY, WORKSHOP

    asked = parse_qs(query)
    area = asked.get("area", [""])[0]
    try:
        code = arrival_area(area, set(data.current_las()["la_code"]))
        data.homes_figures(code)
    except Exception:  # the page works them out again, and says so if it cannot
        log.debug("working out Home's figures failed", exc_info=True)
        return
    warm_pages.next_page_now(code, workshop=asked.get(QUERY_KEY, [""])[0] == WORKSHOP)
