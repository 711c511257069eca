"""The layers of docs/ARCHITECTURE.md, checked on every import the code makes.

Imports inside functions count too: a late import hides a cycle from Python, not from a
reader. Each module may import the modules of its own package and of the layers below it;
a page's views never import another page's views.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Higher layers may import lower ones; the same number means "side by side" (allowed, as
# long as no cycle forms between the packages).
LAYERS: dict[str, int] = {
    "serve": 7,
    "app": 6,
    "app_pages": 6,
    "ui": 5,
    "reports": 4,
    "analysis": 3,
    "store": 2,
    "uploads": 2,
    "data_loaders": 2,
    "indicators": 1,
    "geography": 1,
    "tidy": 0,
}
# Page files and the folder of views each may use (besides the shared ui modules).
PAGE_VIEWS = {
    "home": set(),
    "accessibility": set(),
    "local_profile": {"profile"},
    "benchmarking": {"benchmarking"},
    "governance": {"governance"},
    "outcomes": {"outcomes"},
    "map": {"map"},
    "data": {"data_page"},
    "admin": {"admin"},
    "cohorts": {"cohorts"},
    "reports": {"reports"},
    "story": {"story"},
}
DOMAIN = (
    "tidy",
    "indicators",
    "geography",
    "data_loaders",
    "uploads",
    "store",
    "analysis",
    "reports",
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    found = {}
    for top in LAYERS:
        single = ROOT / f"{top}.py"
        if single.exists():
            found[top] = single
        for path in sorted((ROOT / top).rglob("*.py")) if (ROOT / top).is_dir() else []:
            found[module_name(path)] = path
    return found


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """Project modules that ``path`` imports anywhere in its body, resolved to module names."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from pkg import mod`` names a module when pkg.mod is one.
            names = [
                f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                for a in node.names
            ]
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name:
                out.add(name)
    return out


def graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(path, modules) - {name} for name, path in modules.items()}


def top(module: str) -> str:
    return module.split(".")[0]


def layer_violations(edges: dict[str, set[str]]) -> list[str]:
    bad = []
    for src, targets in edges.items():
        for dst in targets:
            if top(src) == top(dst):
                continue
            if LAYERS[top(dst)] > LAYERS[top(src)]:
                bad.append(f"{src} imports {dst}, a higher layer")
    return bad


def page_violations(edges: dict[str, set[str]]) -> list[str]:
    """A page uses only its own views folder; one page's views never reach another's."""
    bad = []
    view_folders = {v for views in PAGE_VIEWS.values() for v in views}
    for src, targets in edges.items():
        parts = src.split(".")
        if parts[0] == "app_pages":
            own = PAGE_VIEWS.get(parts[1])
            assert own is not None, f"{src}: add the page to PAGE_VIEWS in this test"
        elif parts[0] == "ui" and len(parts) > 2 and parts[1] in view_folders:
            own = {parts[1]}
        else:
            continue
        for dst in targets:
            d = dst.split(".")
            if d[0] == "ui" and len(d) > 1 and d[1] in view_folders and d[1] not in own:
                bad.append(f"{src} imports {dst}, another page's views")
    return bad


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def package_edges(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for src, targets in edges.items():
        out[top(src)] |= {top(d) for d in targets if top(d) != top(src)}
    return dict(out)


def test_no_import_cycles_between_modules():
    edges = graph()
    assert len(edges) > 100  # the walk found the project
    assert cycles(edges) == []


def test_no_import_cycles_between_packages():
    assert cycles(package_edges(graph())) == []


def test_no_import_against_the_layers():
    assert layer_violations(graph()) == []


def test_pages_use_only_their_own_views():
    assert page_violations(graph()) == []


def test_domain_code_does_not_import_streamlit():
    offenders = []
    for path in (ROOT / p for p in ("tidy.py", "indicators.py")):
        if path.exists() and "streamlit" in _top_level_names(path):
            offenders.append(path.name)
    for package in DOMAIN:
        folder = ROOT / package
        for path in sorted(folder.rglob("*.py")) if folder.is_dir() else []:
            if "streamlit" in _top_level_names(path):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def _top_level_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


# The checks themselves must be able to fail: each is run on a small made-up graph.


def test_the_checks_find_what_they_look_for():
    made_up = {
        "tidy": {"indicators"},  # against the layers
        "indicators": {"tidy"},  # with the line above, a cycle
        "app_pages.map": {"ui.governance.views"},  # another page's views
        "ui.governance.views": {"ui.map.build"},
        "ui.map.build": set(),
    }
    assert layer_violations(made_up) == ["tidy imports indicators, a higher layer"]
    assert cycles(made_up) == [["indicators", "tidy"]]
    assert sorted(page_violations(made_up)) == [
        "app_pages.map imports ui.governance.views, another page's views",
        "ui.governance.views imports ui.map.build, another page's views",
    ]
    assert package_edges({"ui.a": {"store.b"}, "store.b": {"ui.c"}}) == {
        "ui": {"store"},
        "store": {"ui"},
    }


def test_the_architecture_page_states_these_layers():
    """docs/ARCHITECTURE.md's layer table is the LAYERS above: a change to one is a change to both."""
    stated: dict[str, int] = {}
    for line in (ROOT / "docs/ARCHITECTURE.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].isdigit():
            for name in cells[1].split(","):
                stated[name.strip().strip("`")] = int(cells[0])
    assert stated == LAYERS
