"""Requests on one keep-alive connection: the launcher (``TCP_NODELAY`` on its listening
sockets, ``ui/listening_sockets.py``) against a bare Streamlit page's server, which leaves
Nagle's algorithm on. Interleaved pairs; prints milliseconds a request.

Run: ``python -m benchmarks.keep_alive [--pairs 3] [--files 40]``.
"""

from __future__ import annotations

import argparse
import http.client
import time

from benchmarks.pairs import interleaved
from tests.browser_support import LAUNCHER, running_app
from ui.element_code import STATIC_JS

# The launcher prepares the first page as it starts (ui/server_start.py): its imports would
# share the two cores with the requests timed.
SETTLE_S = 3.0


def ms_per_request(script: str, files: list[str]) -> float:
    """Milliseconds per GET of ``files`` in turn over one connection to a fresh server, once
    it has settled."""
    with running_app(script, env={"SEND_LENS_WARM": "0"}) as url:
        time.sleep(SETTLE_S)
        host, port = url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            start = time.perf_counter()
            for name in files:
                connection.request("GET", f"/static/js/{name}")
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError(f"{name}: HTTP {response.status}")
            return (time.perf_counter() - start) / len(files) * 1000
        finally:
            connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--files", type=int, default=40)
    args = parser.parse_args()
    files = sorted(path.name for path in STATIC_JS.glob("*.js"))[: args.files]
    ratios = interleaved(
        lambda: ms_per_request(LAUNCHER, files),
        lambda: ms_per_request("benchmarks/bare_app.py", files),
        args.pairs,
    )
    print(f"{len(files)} script files on one connection, launcher / bare server:")
    print(ratios.describe(unit="ms a request"))


if __name__ == "__main__":
    main()
