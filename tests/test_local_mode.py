"""Local mode: the README's `streamlit run app.py`, on a fresh machine, serves this computer only.

Run as a newcomer would: a fresh home directory (no ~/.streamlit, so nothing but the
project's config.toml), no terminal on stdin, nothing in the environment telling Streamlit
where to listen. It must not stop at Streamlit's first-run e-mail prompt, must print the
address to open, answer on 127.0.0.1, and refuse a connection on this machine's own network
address.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
URL = re.compile(r"URL: (http://[\w.\[\]:-]+?):(\d+)")


def _network_address() -> str | None:
    """This machine's own non-loopback address: the one the routing table would use.

    A UDP socket's connect sends nothing; it only picks the outgoing interface.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: never contacted
        except OSError:
            return None
        address = s.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_the_readme_runs_this_command():
    run_it = (ROOT / "README.md").read_text().split("## Run it", 1)[1].split("```bash\n", 1)[1]
    assert run_it.split("\n", 1)[0].endswith("&& .venv/bin/streamlit run serve.py")


def test_readme_command_binds_to_loopback_and_prints_the_url(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("STREAMLIT_")  # nothing may tell Streamlit where to listen
    }
    env.update(HOME=str(home), PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    streamlit = Path(sys.executable).parent / "streamlit"
    proc = subprocess.Popen(
        [str(streamlit), "run", "app.py"],  # exactly the README's command
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    # A thread reads the output, so waiting for the URL never blocks on a pipe.
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        found = None
        while time.monotonic() < deadline and found is None:
            if proc.poll() is not None:
                reader.join(5)
                pytest.fail(f"streamlit exited with {proc.returncode}:\n{''.join(lines)}")
            found = URL.search("".join(lines))
            time.sleep(0.2)
        output = "".join(lines)
        assert found, f"no URL printed within 60 s:\n{output}"
        host, port = found.group(1), int(found.group(2))
        assert host == "http://127.0.0.1", output
        assert "Email" not in output and "email" not in output, output
        assert "Network URL" not in output, output

        assert requests.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=5).text == "ok"
        address = _network_address()
        if address is None:
            pytest.skip("this machine has no non-loopback IPv4 address to try")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            with pytest.raises(ConnectionRefusedError):
                s.connect((address, port))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
