"""Reading an upload in a separate process, with a memory and a time limit.

A hosted instance serves every user from one Streamlit process, so a file that makes a parser
allocate without bound, abort or spin would take the server down for everyone. Here each
parse runs in a child process whose address space is capped (``RLIMIT_AS``) and which is
killed when it runs past its time; whatever happens to the child, the caller gets an
:class:`UploadError` with a plain message, and the server carries on.

Children come from a *forkserver*: a small single-threaded process started once, with
``uploads.worker`` (pandas, numpy, calamine, the school register) already loaded, that forks a fresh child per
parse in a few milliseconds. Plain ``fork`` is never used, because the Streamlit server is
multi-threaded and forking it can copy a lock held by another thread. Where forkserver does
not exist (Windows) the slower ``spawn`` is used.

At most :data:`MAX_PARSES` parses run at once server-wide; further uploads wait their turn
(up to :data:`QUEUE_WAIT` seconds), so one user's uploads cannot starve the others.

The same functions run in-process through ``uploads.intake`` for tests and notebooks; the
app calls these.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from multiprocessing import spawn
from multiprocessing.context import BaseContext
from typing import Any

import pandas as pd

from uploads.frameworks import Framework
from uploads.readers import UploadError, refuse

log = logging.getLogger(__name__)

MB = 1024 * 1024
MEMORY_LIMIT = 1536 * MB  # address space a parse may add to what its imports already map
TIME_LIMIT = 60.0  # seconds of wall-clock time for one parse
MAX_PARSES = 2  # parses at once, server-wide: the machine has other users to serve
QUEUE_WAIT = 120.0  # how long an upload waits for a free slot before it is turned away

_slots = threading.BoundedSemaphore(MAX_PARSES)
_context_lock = threading.Lock()
_start_lock = threading.Lock()
_warming = False
_context: BaseContext | None = None

TOO_MUCH_MEMORY = (
    "This file needs more memory than an upload may use ({limit:,} MB), so SEND Lens stopped "
    "reading it. It is probably far larger inside than it looks (a "
    "used range of millions of cells, say). Delete the rows and columns beyond your data, or "
    "save it as CSV, and upload again."
)
TOO_MUCH_TIME = (
    "This file needs more time than an upload may use ({limit:.0f} seconds), so SEND Lens "
    "stopped reading it. Split it into smaller files, or save it as CSV, "
    "and upload again."
)
BUSY = (
    "SEND Lens is reading other people's uploads just now and could not start on yours. "
    "Please upload it again in a minute."
)


def read_upload(
    data: bytes, filename: str, kind: str, sheet: str | None = None, *, today: date | None = None
) -> pd.DataFrame:
    """``uploads.intake.read_upload`` in a limited child process."""
    return run("read_upload", data, filename, kind, sheet, today=today)


def list_sheets(data: bytes, filename: str) -> list[str]:
    """``uploads.intake.list_sheets`` in a limited child process."""
    return run("list_sheets", data, filename)


def read_returns(data: bytes, filename: str, framework: Framework) -> pd.DataFrame:
    """``uploads.outcomes_returns.read_returns`` in a limited child process."""
    return run("read_returns", data, filename, framework)


def warm_up() -> None:
    """Start the forkserver in the background (seconds: it reads the school register) the
    first time a page that takes uploads is shown, so the first upload need not wait."""
    global _warming
    with _context_lock:
        if _warming:
            return
        _warming = True
    threading.Thread(target=_start_server, name="upload-forkserver", daemon=True).start()


def _start_server() -> None:
    if context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        with _main_module_left_alone():
            forkserver.ensure_running()


def context() -> BaseContext:
    """The forkserver (else spawn) context, its server preloaded with the upload code."""
    global _context
    with _context_lock:
        if _context is None:
            method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
            ctx = mp.get_context(method)
            if method == "forkserver":
                ctx.set_forkserver_preload(["uploads.worker"])
            _context = ctx
        return _context


def run(
    task: str,
    *args: Any,
    memory: int = MEMORY_LIMIT,
    seconds: float = TIME_LIMIT,
    **kwargs: Any,
) -> Any:
    """Run one of ``uploads.worker.TASKS`` in a child process within the limits; return its result or
    raise its :class:`UploadError`, or one saying which limit the file went past."""
    if not _slots.acquire(timeout=QUEUE_WAIT):
        raise refuse(BUSY)
    try:
        return _run_child(task, args, kwargs, memory, seconds)
    finally:
        _slots.release()


def _run_child(
    task: str, args: tuple[Any, ...], kwargs: dict[str, Any], memory: int, seconds: float
) -> Any:
    # Here, not at the top: the worker brings the whole upload code and openpyxl with lxml
    # (~12 MB), which the server itself needs only once someone uploads; the Data page
    # imports this module to draw its forms.
    from uploads import worker

    ctx = context()
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(  # type: ignore[attr-defined]
        target=worker.child,
        # The environment as it is now, not as it was when the forkserver started: the
        # pseudonymisation key and its folder come from it, and must match this process's.
        args=(sender, task, args, kwargs, memory, seconds, dict(os.environ)),
        daemon=True,
    )
    started = time.monotonic()
    with _main_module_left_alone():
        child.start()
    sender.close()  # the child holds its own end; EOF here then means the child is gone
    outcome: tuple[str, Any] | None = None
    try:
        if receiver.poll(seconds):
            outcome = receiver.recv()
    except (EOFError, OSError):
        outcome = None  # died before answering: killed by a limit, or aborted
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    elapsed = time.monotonic() - started
    if outcome is None:
        timed_out = elapsed >= seconds or child.exitcode in (-signal.SIGXCPU, -signal.SIGKILL)
        log.warning(
            "upload %s stopped by a limit: exit code %s after %.1fs", task, child.exitcode, elapsed
        )
        if timed_out:
            raise refuse(TOO_MUCH_TIME.format(limit=seconds))
        raise refuse(TOO_MUCH_MEMORY.format(limit=memory // MB))
    status, value = outcome
    if status == "ok":
        return value
    if status == "memory":
        raise refuse(TOO_MUCH_MEMORY.format(limit=memory // MB))
    raise UploadError(value)


@contextmanager
def _main_module_left_alone() -> Iterator[None]:
    """Start children without re-running ``__main__`` in them.

    multiprocessing re-imports the parent's main module in every spawned or forkserver
    child so that targets defined there can be found. Under Streamlit ``__main__`` is the
    app script itself (Streamlit installs each page run as ``__main__``), so every child,
    and the forkserver, would run the whole app. Our target lives in ``uploads.worker`` and
    needs no main module, so the instruction is dropped while a child starts."""
    with _start_lock:
        original = spawn.get_preparation_data

        def without_main(name: str) -> dict[str, Any]:
            data = original(name)
            data.pop("init_main_from_path", None)
            data.pop("init_main_from_name", None)
            return data

        spawn.get_preparation_data = without_main
        try:
            yield
        finally:
            spawn.get_preparation_data = original
