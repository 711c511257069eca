"""The child side of ``uploads.isolated``: what a parsing process runs.

Imported once by the forkserver, so importing it does the slow work every parse would
otherwise repeat in each fresh child: the upload code's imports and the school register
that URNs are checked against (seconds, against a tenth of a second for a typical upload).
Nothing else should import it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from uploads import intake, outcomes_returns
from uploads.readers import UploadError
from uploads.validation import known_urns

TASKS: dict[str, Callable[..., Any]] = {
    "read_upload": intake.read_upload,
    "list_sheets": intake.list_sheets,
    "read_returns": outcomes_returns.read_returns,
}

known_urns()


def child(
    sender: Connection,
    task: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    memory: int,
    seconds: float,
    environ: dict[str, str],
) -> None:
    """In the child: cap its address space and CPU time, run the task, send the outcome."""
    os.environ.clear()
    os.environ.update(environ)
    try:
        import resource
    except ImportError:  # Windows: no rlimits; the time limit still holds
        pass
    else:
        # On top of what is mapped already: pandas, pyarrow and calamine reserve over a
        # gigabyte of address space on import that a parse never touches.
        limit = _address_space() + memory
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        cpu = int(seconds) + 1  # a backstop: the parent kills on wall-clock time first
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    try:
        outcome: tuple[str, Any] = ("ok", TASKS[task](*args, **kwargs))
    except UploadError as exc:
        outcome = ("problems", exc.problems)
    except MemoryError:
        outcome = ("memory", None)
    try:
        sender.send(outcome)
    except MemoryError:
        sender.send(("memory", None))
    sender.close()


def _address_space() -> int:
    """This process's mapped address space in bytes (Linux); 2 GB where it cannot be read."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 2048 * 1024 * 1024
