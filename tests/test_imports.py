"""Stages import one way only (STYLE #2, docs/architecture.md):

floor 1 (codes, errors, settings, vocab, files, jsonable, frames) → catalogue → sources → panel →
analysis → dataset → outputs → web | cli. Nothing imports upward, and no module reaches itself
again through other modules (no import circles, type-only imports included).
"""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[1] / "src" / "wijkradar"
FORBIDDEN = {
    "sources": (
        "wijkradar.panel",
        "wijkradar.analysis",
        "wijkradar.outputs",
        "wijkradar.cli",
        "wijkradar.web",
        "wijkradar.dataset",
    ),
    "panel": ("wijkradar.analysis", "wijkradar.outputs", "wijkradar.cli", "wijkradar.web"),
    "analysis": (
        "wijkradar.sources",
        "wijkradar.panel.build",
        "wijkradar.outputs",
        "wijkradar.cli",
        "wijkradar.web",
        "wijkradar.dataset",
        "wijkradar.wording",
        "matplotlib",
        "httpx",
        "typer",
        "fastapi",
    ),
    "dataset": ("wijkradar.outputs", "wijkradar.web", "wijkradar.cli"),
    "store": (  # what users add: beside the data stages, never reading them
        "wijkradar.sources",
        "wijkradar.panel",
        "wijkradar.analysis",
        "wijkradar.dataset",
        "wijkradar.outputs",
        "wijkradar.web",
        "wijkradar.cli",
    ),
    "outputs": ("wijkradar.web", "wijkradar.cli"),
    "catalogue": (
        "wijkradar.sources",
        "wijkradar.panel",
        "wijkradar.analysis",
        "wijkradar.outputs",
        "wijkradar.cli",
        "wijkradar.web",
    ),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


@pytest.mark.parametrize("stage", sorted(FORBIDDEN))
def test_stage_imports_only_earlier_stages(stage):
    bad = []
    for path in sorted((SRC / stage).rglob("*.py")):
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[stage]):
                bad.append(f"{path.relative_to(SRC)} imports {name}")
    assert not bad, "\n".join(bad)


FLOOR_ONE = (
    "codes", "errors", "settings", "vocab", "files", "jsonable", "_version", "palette", "frames",
)  # fmt: skip


@pytest.mark.parametrize("module", FLOOR_ONE)
def test_floor_one_imports_no_stage(module):
    names = _imports(SRC / f"{module}.py")
    assert not [n for n in names if n.startswith("wijkradar.") and n.split(".")[1] not in FLOOR_ONE]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def test_no_import_circle():
    """Tarjan over the module graph (every import, also inside functions and TYPE_CHECKING)."""
    graph: dict[str, set[str]] = {}
    paths = {_module_name(p): p for p in SRC.rglob("*.py")}
    for name, path in paths.items():
        deps = set()
        for imp in _imports(path):
            # `from wijkradar.x import y` may name the module wijkradar.x.y or a name in x
            for cand in (imp, imp.rsplit(".", 1)[0]):
                if cand in paths and cand != name and not name.startswith(cand + "."):
                    deps.add(cand)
                    break
        graph[name] = deps
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not cycles, cycles
