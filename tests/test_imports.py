"""Stages import one way only: sources → panel → analysis → outputs | cli | web (STYLE #2)."""

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
        "matplotlib",
        "httpx",
        "typer",
        "fastapi",
    ),
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
