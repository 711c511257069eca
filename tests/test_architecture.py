"""Every shipped data file is in the register (the layers are tests/test_layers.py)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ["indicators", "data_loaders", "geography", "analysis"]


def _python_files():
    for entry in DOMAIN:
        path = ROOT / entry
        yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


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
