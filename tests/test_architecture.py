"""Domain code never imports streamlit; every shipped data file is in the register."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ["indicators", "data_loaders", "geography", "analysis"]


def _python_files():
    for entry in DOMAIN:
        path = ROOT / entry
        yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


def test_domain_modules_do_not_import_streamlit():
    offenders = []
    for path in _python_files():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"streamlit imported in domain code: {offenders}"
    assert len(list(_python_files())) >= 8


def test_every_data_file_is_registered():
    register = (ROOT / "data/SOURCES.md").read_text()
    skip = {"SOURCES.md", "sources.toml", ".gitkeep"}
    files = [
        p.relative_to(ROOT / "data").as_posix()
        for p in (ROOT / "data").rglob("*")
        if p.is_file()
        and p.name not in skip
        and p.relative_to(ROOT / "data").parts[0] not in ("cache", "refreshed")
    ]
    assert len(files) > 10
    missing = [f for f in files if f"`{f}`" not in register]
    assert not missing, f"data files missing from data/SOURCES.md: {missing}"
