"""The docs are tested: every command is documented, generated references are fresh."""

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wijkradar.catalogue import load_catalogue
from wijkradar.catalogue.docs import indicators_markdown
from wijkradar.cli.app import app

ROOT = Path(__file__).parents[1]
COMMANDS = [c.name or c.callback.__name__ for c in app.registered_commands]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_a_section_in_cli_md(command):
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"## wijkradar {command}" in (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


GROUPS = [
    (g.name, c.name) for g in app.registered_groups for c in g.typer_instance.registered_commands
]


@pytest.mark.parametrize("group,command", GROUPS, ids=[" ".join(g) for g in GROUPS])
def test_every_subcommand_has_help_and_its_group_a_section_in_cli_md(group, command):
    result = CliRunner().invoke(app, [group, command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert f"## wijkradar {group}" in text and f"wijkradar {group} {command}" in text


def test_indicator_reference_is_up_to_date():
    committed = (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    assert committed == indicators_markdown(load_catalogue()), (
        "docs/indicators.md is stale: run python -m wijkradar.catalogue.docs > docs/indicators.md"
    )


def test_readme_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]
    assert text.index("make demo") < 200
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_make_bench_runs_every_benchmark_script():
    """`make bench` runs each benchmarks/bench_*.py (a new script cannot be left out)."""
    import shutil
    import subprocess

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    dry = subprocess.run(
        ["make", "-n", "bench"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    scripts = sorted(
        p.relative_to(ROOT).as_posix() for p in (ROOT / "benchmarks").glob("bench_*.py")
    )
    assert len(scripts) >= 6
    missing = [s for s in scripts if s not in dry]
    assert not missing, f"make bench leaves out {missing}"
