"""docs/validation.md and docs/validation/*.svg are exactly what `wijkradar validate` writes
today on the real data: the committed report never drifts from a fresh run."""

import subprocess
import sys
from pathlib import Path

import pytest

from wijkradar.outputs.validation import REGENERATE, write_validation

ROOT = Path(__file__).parents[1]
DOC = ROOT / "docs" / "validation.md"
HINT = (
    "docs/validation.md is stale (the rules, the analysis or the data changed): run "
    f"`make validation` (= {' && '.join(REGENERATE)}) and commit docs/validation.md and "
    "docs/validation/*.svg"
)


@pytest.fixture(scope="module")
def fresh(real_dataset, tmp_path_factory):
    """The report written from the session's fresh build of the real data (tests/conftest.py),
    from the project folder as `make validation` runs it: the header names the data folder
    relative to it."""
    tmp = tmp_path_factory.mktemp("validation")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        write_validation(real_dataset, tmp / "docs" / "validation.md")
    return tmp / "docs"


def test_the_report_is_fresh(fresh):
    assert DOC.exists(), HINT
    assert (fresh / "validation.md").read_bytes() == DOC.read_bytes(), HINT


def test_the_figures_are_fresh(fresh):
    made = {p.name: p.read_bytes() for p in sorted((fresh / "validation").glob("*.svg"))}
    committed = {p.name: p.read_bytes() for p in sorted((DOC.parent / "validation").glob("*.svg"))}
    assert sorted(made) == sorted(committed), HINT
    stale = [name for name in made if made[name] != committed[name]]
    assert not stale, f"{HINT}; stale: {', '.join(stale)}"


def test_the_report_links_every_figure_and_names_no_temporary_path(fresh):
    text = (fresh / "validation.md").read_text(encoding="utf-8")
    for svg in (fresh / "validation").glob("*.svg"):
        assert f"(validation/{svg.name})" in text
    assert "/tmp" not in text and str(fresh) not in text
    assert "make validation" in text


def test_a_bad_index_is_one_dutch_line_that_suggests_the_code(real_dataset, tmp_path):
    bad = tmp_path / "sociale_index.csv"
    bad.write_text("code;index\nGM0003;1,5\nAppingedam;2\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "wijkradar", "validate", "--dataset", str(real_dataset.path)]
    cmd += ["--index", str(bad), "--output", str(tmp_path / "v.md")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    text = " ".join(proc.stderr.split())
    assert "sociale_index.csv, rij 3" in text and "gebiedsnaam" in text
    assert "GM0003 (Appingedam)" in text
    assert not (tmp_path / "v.md").exists()
